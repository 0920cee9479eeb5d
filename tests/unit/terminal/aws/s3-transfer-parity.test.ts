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

/** Recursive copies, moves, deletions and sync: the real CLI runs transfers concurrently, so requests and
 * result lines are compared as sets; exit codes, errors and the files written or removed exactly. */
const RECURSIVE = [
  's3 cp site s3://kms-lab-bucket/web/ --recursive',
  's3 cp site s3://kms-lab-bucket/web --recursive --exclude "*.css"',
  's3 cp site s3://kms-lab-bucket --recursive --exclude "*" --include "*.html" --sse aws:kms --sse-kms-key-id alias/kms-lab',
  's3 cp ./site/ s3://kms-lab-bucket/web/ --recursive --dryrun',
  's3 cp s3://kms-lab-bucket/web down --recursive',
  's3 cp s3://kms-lab-bucket/ down --recursive --exclude "web/*"',
  's3 cp s3://kms-lab-bucket/web/ s3://kms-lab-bucket/backup/ --recursive',
  's3 cp s3://kms-lab-bucket/hello.txt site',
  's3 cp nope s3://kms-lab-bucket/ --recursive',
  's3 cp hello.txt s3://kms-lab-bucket/ --bogus',
  's3 rm s3://kms-lab-bucket/ --recursive',
  's3 rm s3://kms-lab-bucket/web --recursive --exclude "*.css"',
  's3 rm s3://kms-lab-bucket/ --recursive --quiet',
  's3 mv hello.txt s3://kms-lab-bucket/moved.txt',
  's3 mv s3://kms-lab-bucket/hello.txt downloaded.txt',
  's3 mv site s3://kms-lab-bucket/web/ --recursive',
  's3 sync site s3://kms-lab-bucket/web',
  's3 sync site s3://kms-lab-bucket/web --delete --exclude "*.txt"',
  's3 sync s3://kms-lab-bucket/web down',
  's3 sync site s3://kms-lab-bucket/web --size-only',
];

describe.skipIf(!HAVE_CLI)('aws s3 cp|mv|rm|sync over folders as AWS CLI v2 runs them', () => {
  let rec: Recorder;
  const results: { real: Outcome; mine: Outcome }[] = [];

  beforeAll(async () => {
    rec = await startRecorder();
    const root = mkdtempSync(join(tmpdir(), 'aws-recursive-'));
    for (const [i, line] of RECURSIVE.entries()) {
      const real = await runReal(words(line), scratch(join(root, `real-${i}`)), `${rec.url}/real-r${i}`, ENV);
      const mine = await runMine(words(line), scratch(join(root, `mine-${i}`)), `${rec.url}/mine-r${i}`, ENV);
      results.push({ real, mine });
    }
  }, 300_000);

  afterAll(async () => rec?.close());

  const lines = (s: string) =>
    s
      .split('\n')
      .map((l) => l.slice(l.lastIndexOf('\r') + 1).trimEnd())
      .filter(Boolean)
      .sort();
  const requests = (run: string) =>
    (rec.runs.get(run) ?? [])
      .map((r) => {
        const n = normalise(r) as { query: Record<string, string>; body: string };
        return JSON.stringify({ ...n, query: Object.fromEntries(Object.entries(n.query).sort()) });
      })
      .sort();

  it.each(RECURSIVE.map((l, i) => [l, i] as const))('aws %s', (_line, i) => {
    const { real, mine } = results[i]!;
    expect({ code: mine.code, stdout: lines(mine.stdout), stderr: mine.stderr, files: mine.files }).toEqual({
      code: real.code,
      stdout: lines(real.stdout),
      stderr: real.stderr,
      files: real.files,
    });
    expect(requests(`mine-r${i}`)).toEqual(requests(`real-r${i}`));
  });
});
