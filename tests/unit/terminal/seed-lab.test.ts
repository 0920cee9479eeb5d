// The lab sheet the terminal tests paste is the seed's own: every block of
// tests/vectors/seed-lab/section-10.sh appears, unchanged, in the seed tutorial's section 10.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedLabBlocks } from '../../e2e/seed-lab';

const SEED = resolve(__dirname, '../../../../shared/seed/000_3463b2deb9004637.readable.txt');

describe('the seed lab vector', () => {
  it('has the sheet from region set-up to the key pending deletion, in order', () => {
    const names = seedLabBlocks().map((b) => b.name);
    expect(names[0]).toBe('step 1: region and identity');
    expect(names.at(-1)).toBe('cleanup: verify');
    expect(names).toHaveLength(24);
  });

  it.skipIf(!existsSync(SEED))('copies every block unchanged from the seed (when the seed is beside the repo)', () => {
    const seed = readFileSync(SEED, 'utf8');
    for (const b of seedLabBlocks()) expect(seed, b.name).toContain(b.text.trimEnd());
  });
});
