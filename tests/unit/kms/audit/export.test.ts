// Audit export (src/kms/audit/export.ts) and its validation (validate.ts): export → validate
// passes; a flipped byte, a deleted file, two swapped files, an edited digest each give the right
// finding; OpenSSL verifies a digest signature with the exported public key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromPem, toPem } from '../../../../src/format/bytes';
import {
  getSigningKey,
  gunzip,
  gzip,
  sha256Hex,
  signingString,
  type DigestFile,
} from '../../../../src/kms/audit/digest';
import {
  csvField,
  exportCloudTrailTar,
  exportCsv,
  exportJsonLines,
  type ExportOptions,
} from '../../../../src/kms/audit/export';
import { readTar, tarEntry, tarEnd, type TarMember } from '../../../../src/kms/audit/tar';
import { validateExport } from '../../../../src/kms/audit/validate';
import { freshKms, type Fresh } from '../../helpers/kms';

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of gen) parts.push(p);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function* once(b: Uint8Array) {
  yield b;
}

/** 3 hours of activity: CreateKey, then 4 Encrypts an hour → 13 records. */
async function activity(): Promise<{ f: Fresh; keyId: string }> {
  const f = await freshKms();
  const k = await f.createKey();
  for (let h = 0; h < 3; h++) {
    for (let i = 0; i < 4; i++) await f.call('Encrypt', { KeyId: k.KeyId, Plaintext: new Uint8Array([i]) });
    f.clock.t += 3_600_000;
  }
  return { f, keyId: k.KeyId };
}

async function exportMembers(f: Fresh, o: Partial<ExportOptions> = {}): Promise<TarMember[]> {
  const key = await getSigningKey(f.store, f.clock.now());
  const tar = await collect(
    exportCloudTrailTar(f.store, f.kms.keystore, key, {
      format: 'cloudtrail',
      recordsPerFile: 3,
      filesPerDigest: 2,
      ...o,
    }),
  );
  const out: TarMember[] = [];
  // Fed in odd-sized chunks, as a stream arrives.
  async function* chunks() {
    for (let i = 0; i < tar.length; i += 700) yield tar.subarray(i, i + 700);
  }
  for await (const m of readTar(chunks())) out.push({ path: m.path, bytes: m.bytes.slice() });
  return out;
}

const logs = (ms: TarMember[]) => ms.filter((m) => m.path.includes('/CloudTrail/'));
const digests = (ms: TarMember[]) =>
  ms.filter((m) => m.path.includes('/CloudTrail-Digest/') && m.path.endsWith('.json.gz'));
const statusOf = (r: Awaited<ReturnType<typeof validateExport>>, path: string) =>
  r.files.filter((x) => x.path === path).map((x) => x.status);

describe('audit export', () => {
  it('writes CloudTrail log files per hour and per N records, with signed chained digests, and validates', async () => {
    const { f } = await activity();
    const ms = await exportMembers(f);
    // Hour 1: CreateKey + 4 Encrypt = 5 → 2 files; hours 2 and 3: 4 each → 2 files each.
    expect(logs(ms)).toHaveLength(6);
    expect(digests(ms)).toHaveLength(3);
    expect(ms.at(-1)!.path).toBe('public-key.pem');
    expect(logs(ms)[0]!.path).toMatch(
      /^AWSLogs\/111122223333\/CloudTrail\/us-east-1\/2026\/11\/29\/111122223333_CloudTrail_us-east-1_20261129T1200Z_000000000001\.json\.gz$/,
    );
    const first = JSON.parse(new TextDecoder().decode(await gunzip(logs(ms)[0]!.bytes)));
    expect(first.Records.map((r: { eventName: string }) => r.eventName)).toEqual(['CreateKey', 'Encrypt', 'Encrypt']);
    const d2 = JSON.parse(new TextDecoder().decode(await gunzip(digests(ms)[1]!.bytes))) as DigestFile;
    expect(d2.previousDigestS3Object).toBe(digests(ms)[0]!.path);
    expect(d2.logFiles).toHaveLength(2);
    const r = await validateExport(ms);
    expect(r).toMatchObject({ valid: true, chain: 'intact', logFiles: 6, digests: 3, keySource: 'archive' });
    expect(r.files.every((x) => x.status === 'valid')).toBe(true);
  });

  it('validates against the keystore key, and refuses a digest signed by another key', async () => {
    const { f } = await activity();
    const ms = await exportMembers(f);
    const key = await getSigningKey(f.store, 0);
    expect(key.privateKey.extractable).toBe(false);
    expect((await validateExport(ms, key.spki)).valid).toBe(true);
    const other = await freshKms();
    const r = await validateExport(ms, (await getSigningKey(other.store, 0)).spki);
    expect(r.valid).toBe(false);
    expect(r.files.filter((x) => x.type === 'digest').every((x) => x.status === 'modified')).toBe(true);
  });

  it('reports a log file with one flipped byte as modified', async () => {
    const { f } = await activity();
    const ms = await exportMembers(f);
    const victim = logs(ms)[2]!;
    victim.bytes[Math.floor(victim.bytes.length / 2)]! ^= 0x01;
    const r = await validateExport(ms);
    expect(r.valid).toBe(false);
    expect(r.chain).toBe('intact');
    expect(statusOf(r, victim.path)).toEqual(['modified']);
    expect(r.files.filter((x) => x.status !== 'valid')).toHaveLength(1);
  });

  it('reports a deleted log file as missing', async () => {
    const { f } = await activity();
    const ms = await exportMembers(f);
    const gone = logs(ms)[3]!.path;
    const r = await validateExport(ms.filter((m) => m.path !== gone));
    expect(statusOf(r, gone)).toEqual(['missing']);
    expect(r.files.filter((x) => x.status !== 'valid')).toHaveLength(1);
  });

  it('reports two swapped log files as out of order', async () => {
    const { f } = await activity();
    const ms = await exportMembers(f);
    const [a, b] = [logs(ms)[1]!, logs(ms)[4]!];
    [a.bytes, b.bytes] = [b.bytes, a.bytes];
    const r = await validateExport(ms);
    expect(statusOf(r, a.path)).toEqual(['out-of-order']);
    expect(statusOf(r, b.path)).toEqual(['out-of-order']);
    expect(r.chain).toBe('intact');
  });

  it('reports an edited digest as modified and the chain as broken', async () => {
    const { f } = await activity();
    const ms = await exportMembers(f);
    const d = digests(ms)[1]!;
    const body = JSON.parse(new TextDecoder().decode(await gunzip(d.bytes))) as DigestFile;
    body.logFiles[0]!.hashValue = '0'.repeat(64);
    d.bytes = await gzip(new TextEncoder().encode(JSON.stringify(body)));
    const r = await validateExport(ms);
    expect(r.chain).toBe('broken');
    expect(statusOf(r, d.path)).toEqual(['modified']);
    expect(r.chainFindings.join('\n')).toContain(d.path);
  });

  it('reports a deleted digest as missing, its log files as not listed, and the chain as broken', async () => {
    const { f } = await activity();
    const ms = await exportMembers(f);
    const d = digests(ms)[1]!.path;
    const r = await validateExport(ms.filter((m) => m.path !== d && m.path !== `${d}.sig`));
    expect(r.chain).toBe('broken');
    expect(statusOf(r, d)).toEqual(['missing']);
    expect(r.files.filter((x) => x.status === 'not-listed')).toHaveLength(2);
  });

  it('filters by time range, key, principal and event name', async () => {
    const { f, keyId } = await activity();
    const members = async (o: Partial<ExportOptions>) => {
      const ms = await exportMembers(f, { recordsPerFile: 1000, ...o });
      const out: string[] = [];
      for (const m of logs(ms))
        out.push(
          ...JSON.parse(new TextDecoder().decode(await gunzip(m.bytes))).Records.map(
            (r: { eventName: string }) => r.eventName,
          ),
        );
      return out;
    };
    const t0 = Date.UTC(2026, 10, 29, 12);
    expect(await members({})).toHaveLength(13);
    expect(await members({ eventName: 'CreateKey' })).toEqual(['CreateKey']);
    expect(await members({ startTime: t0 + 3_600_000, endTime: t0 + 2 * 3_600_000 - 1 })).toHaveLength(4);
    expect(await members({ keyId })).toHaveLength(13);
    expect(await members({ keyId: 'nope' })).toHaveLength(0);
    expect(await members({ principal: 'root' })).toHaveLength(13);
    expect(await members({ principal: 'arn:aws:iam::111122223333:root' })).toHaveLength(13);
    expect(await members({ principal: 'alice' })).toHaveLength(0);
  });

  it('exports JSON Lines and CSV', async () => {
    const { f } = await activity();
    const jsonl = new TextDecoder().decode(await collect(exportJsonLines(f.store, { format: 'jsonl', pageSize: 4 })));
    const lines = jsonl.trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    expect(JSON.parse(lines[0]!).eventName).toBe('CreateKey');
    const csv = new TextDecoder().decode(await collect(exportCsv(f.store, { format: 'csv', eventName: 'Encrypt' })));
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'eventTime,eventName,eventID,requestID,userName,principalArn,accessKeyId,sourceIPAddress,userAgent,readOnly,resources,errorCode,errorMessage,sequenceNumber,recordHash',
    );
    expect(rows).toHaveLength(13);
    expect(rows[1]!.split(',')[1]).toBe('Encrypt');
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('reads back what the tar writer wrote, including names longer than 100 bytes', async () => {
    const path = `AWSLogs/${'d/'.repeat(60)}${'f'.repeat(90)}.json.gz`;
    const ms: TarMember[] = [];
    const bytes = new Uint8Array([
      ...tarEntry(path, new Uint8Array([1, 2, 3])),
      ...tarEntry('x', new Uint8Array(600).fill(7)),
      ...tarEnd(),
    ]);
    for await (const m of readTar(once(bytes))) ms.push(m);
    expect(ms.map((m) => [m.path, m.bytes.length])).toEqual([
      [path, 3],
      ['x', 600],
    ]);
    bytes[10]! ^= 1;
    await expect(async () => {
      for await (const _ of readTar(once(bytes))) void _;
    }).rejects.toBeInstanceOf(RangeError);
  });

  it('OpenSSL verifies a digest signature with the exported public key', async () => {
    const { f } = await activity();
    const ms = await exportMembers(f);
    const pem = new TextDecoder().decode(ms.find((m) => m.path === 'public-key.pem')!.bytes);
    expect(fromPem(pem)).toEqual((await getSigningKey(f.store, 0)).spki);
    expect(toPem(fromPem(pem))).toBe(pem);
    const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-openssl-'));
    try {
      for (const d of digests(ms).slice(0, 2)) {
        const body = await gunzip(d.bytes);
        const digest = JSON.parse(new TextDecoder().decode(body)) as DigestFile;
        writeFileSync(join(dir, 'public-key.pem'), pem);
        writeFileSync(join(dir, 'digest.sig'), ms.find((m) => m.path === `${d.path}.sig`)!.bytes);
        writeFileSync(join(dir, 'signing-string.txt'), signingString(digest, await sha256Hex(body)));
        const out = execFileSync(
          '/usr/bin/openssl',
          ['dgst', '-sha256', '-verify', 'public-key.pem', '-signature', 'digest.sig', 'signing-string.txt'],
          { cwd: dir, encoding: 'utf8' },
        );
        expect(out.trim()).toBe('Verified OK');
        writeFileSync(join(dir, 'signing-string.txt'), signingString(digest, '0'.repeat(64)));
        expect(() =>
          execFileSync(
            '/usr/bin/openssl',
            ['dgst', '-sha256', '-verify', 'public-key.pem', '-signature', 'digest.sig', 'signing-string.txt'],
            { cwd: dir, stdio: 'pipe' },
          ),
        ).toThrow();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
