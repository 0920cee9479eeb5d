// The seed tutorial's hands-on lab (section 10), pasted as a workshop attendee would: its command blocks
// are read from the seed at test time (the project copies none of its text), `aws` is a fake that echoes
// its arguments, and /bin/bash and the terminal's shell must agree on stdout, status and files.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { needsMoreInput } from '../../../../src/terminal/shell/split';
import { FIXED_EPOCH, runBash, runOurs } from './real-bash';

const SEED = '/work/shared/seed/000_3463b2deb9004637.readable.txt';

/** The lab's command blocks: lines that start a command, continued while bash would ask for more. */
function labBlocks(text: string): string[] {
  const section = text.slice(text.indexOf('## 10. Step-by-Step'), text.indexOf('## 11. Best Practices'));
  const lines = section.split('\n');
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^(export|aws|echo|cat|base64|if)( |$)/.test(lines[i]!)) continue;
    let block = lines[i]!;
    while (needsMoreInput(block) && i + 1 < lines.length) block += `\n${lines[++i]}`;
    blocks.push(block);
  }
  return blocks;
}

const seed = existsSync(SEED) ? readFileSync(SEED, 'utf8') : undefined;

beforeAll(() => void vi.useFakeTimers({ toFake: ['Date'], now: FIXED_EPOCH * 1000 }));
afterAll(() => void vi.useRealTimers());

describe.skipIf(!seed)('the seed lab (section 10) pasted into the terminal', () => {
  const blocks = seed ? labBlocks(seed) : [];

  it('finds the lab: the key policy here-document, the if/else for the bucket, the decrypt with <( )', () => {
    expect(blocks.length).toBeGreaterThan(25);
    expect(blocks.some((b) => b.startsWith('cat > key-policy.json <<EOF') && b.endsWith('\nEOF'))).toBe(true);
    expect(blocks.some((b) => b.startsWith('if [ "$AWS_REGION" = "us-east-1" ]') && b.endsWith('\nfi'))).toBe(true);
    expect(blocks.some((b) => b.includes('fileb://<(base64 --decode ciphertext.b64)'))).toBe(true);
  });

  it('runs the whole lab as /bin/bash does: same output, status and files', async () => {
    const script = `${blocks.join('\n\n')}\n`;
    const bash = runBash(script);
    const ours = await runOurs(script);
    expect({ stdout: ours.stdout, exitCode: ours.exitCode, files: ours.files }).toEqual(bash);
    // The envelope round trip went through base64 --decode and <( ): the secret came back.
    expect(ours.stdout).toContain('my-demo-secret-value\n');
    expect(Buffer.from(ours.files['decrypted.txt']!, 'hex').toString()).toBe('my-demo-secret-value');
    expect(Buffer.from(ours.files['key-policy.json']!, 'hex').toString()).toContain('"Action": "kms:*"');
  });

  it('runs the lab copied from a web page (NBSP, curly quotes) as bash runs the clean text, and says so', async () => {
    const script = `${blocks.join('\n\n')}\n`;
    const webby = script
      .replaceAll(' --query', '\u00a0--query')
      .replaceAll("'KeyMetadata.KeyId'", '\u2018KeyMetadata.KeyId\u2019')
      .replaceAll('"$KEY_ID"', '\u201c$KEY_ID\u201d');
    expect(webby).not.toBe(script);
    const bash = runBash(script);
    const ours = await runOurs(webby);
    expect({ stdout: ours.stdout, exitCode: ours.exitCode, files: ours.files }).toEqual(bash);
    expect(ours.stderr).toMatch(/typographic quotes or dashes replaced: .*--query 'KeyMetadata\.KeyId'/);
  });

  it('runs the lab block by block, one run() per block in one session, with the same result', async () => {
    const bash = runBash(`${blocks.join('\n')}\n`);
    const { InMemoryFs } = await import('just-bash/browser');
    const { createShell } = await import('../../../../src/terminal/shell/shell');
    const { fakeAws } = await import('./real-bash');
    const shell = await createShell({
      fs: new InMemoryFs(),
      commands: { aws: fakeAws },
      env: { USER: 'alice', TZ: 'UTC' },
    });
    let stdout = '';
    for (const b of blocks) stdout += (await shell.run(b)).stdout;
    expect(stdout).toBe(bash.stdout);
  });
});
