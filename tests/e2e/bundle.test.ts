// The production build holds no bench power (STYLE.md "Production holds no bench power"): none of the
// bench's worker methods or probes is in dist/, which `npm test` builds before this suite. They live in
// bench/worker/ and reach only the bench build (`vite build --mode bench`, dist-bench/).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const PROBES = [
  'rawAesGcm',
  'rawIdb',
  'auditCost',
  'seedAuditRecords',
  'rawSignVerify',
  'readRate',
  'writeRate',
  'copyRate',
  'pipelineRate',
  'measureIdb',
  'measureAuditCost',
  'pocket-kms-bench',
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(js|html|json|webmanifest)$/.test(n) ? [p] : [];
  });
}

describe('production bundle', () => {
  it('names every probe the bench worker has (the list below is real)', () => {
    const bench = ['diagnostics.ts', 'store-diagnostics.ts']
      .map((f) => readFileSync(join(root, 'bench/worker', f), 'utf8'))
      .join('\n');
    for (const p of PROBES) expect(bench, p).toContain(p);
  });

  it('contains none of the bench probes', () => {
    const found = files(join(root, 'dist')).flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return PROBES.filter((p) => text.includes(p)).map((p) => `${f.slice(root.length + 1)}: ${p}`);
    });
    expect(found.length === 0 ? [] : found).toEqual([]);
    expect(files(join(root, 'dist')).length).toBeGreaterThan(5);
  });
});
