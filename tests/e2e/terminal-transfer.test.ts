// User story: a workshop attendee copies a large file from the terminal's scratch folder into an SSE-KMS
// bucket and back (`aws s3 cp`, as a lab sheet has it). The upload goes in 8 MiB parts as the real CLI's
// does, the download streams to disk, and neither holds the file in the page's memory: the page's live JS
// heap plus ArrayBuffer memory (sampled after a garbage collection, so what is held, not what awaits
// collection), sampled throughout both copies, stays far below the file's size.
import type { CDPSession } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shell, useApp } from './harness';

const env = useApp();

const FILE_MIB = 64;
/** Growth of the page's heap + ArrayBuffers over the copies allowed: half the file. Reading the file whole
 * (as the terminal did before) grows it by at least the file; a part or a few stream chunks do not. */
const MAX_GROWTH_MIB = FILE_MIB / 2;

/** Live memory: garbage collected first (chunks already written wait for a GC that their size alone does
 * not trigger, and would be counted as held). */
const heapMiB = async (cdp: CDPSession) => {
  await cdp.send('HeapProfiler.collectGarbage');
  const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  return (h.usedSize + (h.backingStorageSize ?? 0)) / 2 ** 20;
};

describe('aws s3 cp of a large file in the terminal', () => {
  it('uploads in parts and downloads by streaming, the bytes intact and the page heap flat', async () => {
    const { page } = env.browser;
    const made = await shell(
      page,
      [
        `openssl rand -out big.bin ${FILE_MIB * 1024 * 1024}`,
        'KEY=$(aws kms create-key --description transfer --query KeyMetadata.KeyId --output text)',
        'aws s3 mb s3://transfer-lab',
      ].join('\n'),
    );
    expect(made.stderr).toBe('');
    expect(made.exitCode).toBe(0);

    const cdp = await page.context().newCDPSession(page);
    const baseline = await heapMiB(cdp);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await heapMiB(cdp));
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const copied = await shell(
      page,
      'aws s3 cp big.bin s3://transfer-lab/ --sse aws:kms --sse-kms-key-id "$KEY" && aws s3 cp s3://transfer-lab/big.bin back.bin',
    );
    sampling = false;
    await sampler;
    expect(copied.stderr).toBe('');
    expect(copied.exitCode).toBe(0);
    expect(copied.stdout).toMatch(/upload: \.\/big\.bin to s3:\/\/transfer-lab\/big\.bin\s*\n/);
    expect(copied.stdout).toMatch(/download: s3:\/\/transfer-lab\/big\.bin to \.\/back\.bin\s*\n/);
    console.log(`page heap + ArrayBuffers: ${baseline.toFixed(1)} MiB before, ${peak.toFixed(1)} MiB at most`);
    expect(peak - baseline).toBeLessThan(MAX_GROWTH_MIB);

    const head = JSON.parse(
      (await shell(page, 'aws s3api head-object --bucket transfer-lab --key big.bin')).stdout,
    ) as Record<string, unknown>;
    expect(head).toMatchObject({ ContentLength: FILE_MIB * 1024 * 1024, ServerSideEncryption: 'aws:kms' });
    expect(String(head.SSEKMSKeyId)).toMatch(/^arn:aws:kms:[^:]+:\d{12}:key\/[0-9a-f-]{36}$/);
    // A multipart object's ETag names its part count: 64 MiB in 8 MiB parts.
    expect(String(head.ETag)).toMatch(/-8"$/);

    const sums = (await shell(page, 'sha256sum big.bin back.bin')).stdout.trim().split('\n');
    expect(sums).toHaveLength(2);
    expect(sums[0]!.split(/\s+/)[0]).toBe(sums[1]!.split(/\s+/)[0]);
  });

  it('syncs a folder up (a second sync sends nothing), copies it back recursively and removes it', async () => {
    const { page } = env.browser;
    const up = await shell(
      page,
      [
        'mkdir -p site/css && echo "<h1>lab</h1>" > site/index.html && echo "h1 {}" > site/css/site.css',
        'aws s3 sync site s3://transfer-lab/web',
      ].join('\n'),
    );
    expect(up.stderr).toBe('');
    const uploaded = up.stdout.split('\n').map((l) => l.slice(l.lastIndexOf('\r') + 1).trimEnd());
    expect(uploaded.filter(Boolean).sort()).toEqual([
      'upload: site/css/site.css to s3://transfer-lab/web/css/site.css',
      'upload: site/index.html to s3://transfer-lab/web/index.html',
    ]);
    expect(await shell(page, 'aws s3 sync site s3://transfer-lab/web')).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });

    const back = await shell(
      page,
      'aws s3 cp s3://transfer-lab/web down --recursive --quiet && cat down/css/site.css down/index.html',
    );
    expect(back).toEqual({ stdout: 'h1 {}\n<h1>lab</h1>\n', stderr: '', exitCode: 0 });
    const removed = await shell(
      page,
      'aws s3 rm s3://transfer-lab/web --recursive && aws s3 ls s3://transfer-lab/web/',
    );
    expect(removed.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'delete: s3://transfer-lab/web/css/site.css',
      'delete: s3://transfer-lab/web/index.html',
    ]);
    expect(removed.exitCode).toBe(1); // `s3 ls` of a prefix with nothing under it, as the CLI
  });
});
