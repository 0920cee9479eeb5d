// `aws s3 cp` of a file over the multipart threshold (8 MiB) against the real AWS CLI v2: both must send
// the same CreateMultipartUpload, the same parts (byte for byte, by part number) and the same
// CompleteMultipartUpload, and end on the same result line. The real CLI sends parts concurrently, so
// requests are compared as a set; ours go one at a time.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalise, REAL_AWS, runMine, runReal, scratch, words, type Env, type Outcome } from './harness';
import { startRecorder, type Recorder } from './recorder';

const HAVE_CLI = existsSync(REAL_AWS);
const ENV: Env = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'us-east-1',
  AWS_PAGER: '',
};

/** 20 MiB and a bit: three parts of 8, 8 and 4 MiB + 123 bytes, every byte position distinct. */
function bigFile(): Buffer {
  const b = Buffer.alloc(20 * 1024 * 1024 + 123);
  for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761) >>> 24;
  return b;
}

/** The last line a transfer leaves on screen (progress lines end in '\r' and are overwritten). */
const finalLine = (s: string) => s.slice(s.lastIndexOf('\r') + 1).trimEnd();

describe.skipIf(!HAVE_CLI)('aws s3 cp of a large file (multipart) as AWS CLI v2 sends it', () => {
  let rec: Recorder;
  const big = bigFile();
  const line = 's3 cp big.bin s3://kms-lab-bucket/backups/ --sse aws:kms --sse-kms-key-id alias/kms-lab';
  let real: Outcome;
  let mine: Outcome;

  beforeAll(async () => {
    rec = await startRecorder();
    const root = mkdtempSync(join(tmpdir(), 'aws-mpu-'));
    const dirs = ['real', 'mine'].map((n) => {
      const dir = scratch(join(root, n));
      writeFileSync(join(dir, 'big.bin'), big);
      return dir;
    });
    real = await runReal(words(line), dirs[0]!, `${rec.url}/real`, ENV);
    mine = await runMine(words(line), dirs[1]!, `${rec.url}/mine`, ENV);
  }, 120_000);

  afterAll(async () => rec?.close());

  it('sends the same requests: create, three 8 MiB-aligned parts, complete', () => {
    // Bodies by digest (a part is 8 MiB); XML text as botocore writes it (the SDK escapes '"' as &quot;).
    const sorted = (run: string) =>
      (rec.runs.get(run) ?? [])
        .map((r) => {
          const digest = createHash('sha256').update(r.body).digest('hex');
          const n = normalise({ ...r, body: r.method === 'PUT' ? Buffer.from(digest) : r.body }) as {
            body: string;
            query: Record<string, string>;
          };
          const query = Object.fromEntries(Object.entries(n.query).sort());
          return JSON.stringify({ ...n, query, body: n.body.replaceAll('&quot;', '"') });
        })
        .sort();
    const mineRequests = sorted('mine');
    expect(mineRequests).toEqual(sorted('real'));
    const parts = (rec.runs.get('mine') ?? []).filter((r) => r.method === 'PUT');
    expect(parts.map((r) => [r.query.partNumber, r.body.length])).toEqual([
      ['1', 8 * 1024 * 1024],
      ['2', 8 * 1024 * 1024],
      ['3', 4 * 1024 * 1024 + 123],
    ]);
    expect(Buffer.concat(parts.map((r) => r.body)).equals(big)).toBe(true);
  });

  it('ends on the same result line and status', () => {
    expect(mine.code).toBe(real.code);
    expect(finalLine(mine.stdout)).toBe(finalLine(real.stdout));
    expect(finalLine(mine.stdout)).toBe('upload: ./big.bin to s3://kms-lab-bucket/backups/big.bin');
    expect(mine.stderr).toBe(real.stderr);
  });
});
