// The seed tutorial's section-10 lab sheet as blocks (tests/vectors/seed-lab/section-10.sh, copied
// unchanged from the seed), for the tests that paste it into the terminal.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface LabBlock {
  name: string;
  text: string;
}

export const SEED_LAB_FILE = resolve(__dirname, '../vectors/seed-lab/section-10.sh');

/** The sheet's shell blocks in order, each exactly as the sheet prints it. */
export function seedLabBlocks(): LabBlock[] {
  const blocks: LabBlock[] = [];
  for (const line of readFileSync(SEED_LAB_FILE, 'utf8').split('\n')) {
    if (line.startsWith('### ')) blocks.push({ name: line.slice(4), text: '' });
    else if (blocks.length) blocks[blocks.length - 1]!.text += `${line}\n`;
  }
  for (const b of blocks) b.text = b.text.replace(/\n+$/, '\n');
  return blocks;
}

/** One block by its heading. */
export function labBlock(name: string): string {
  const b = seedLabBlocks().find((x) => x.name === name);
  if (!b) throw new Error(`The seed lab has no block "${name}"`);
  return b.text;
}
