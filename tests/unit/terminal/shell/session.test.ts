// A session as the terminal page uses it: state across separate runs (one per Enter), Ctrl-C, the
// continuation prompt, completion, pasted-text normalisation and the hex-dump commands against coreutils.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InMemoryFs } from 'just-bash/browser';
import { TerminalFileError, type TerminalCommand } from '../../../../src/terminal/io';
import { createShell } from '../../../../src/terminal/shell/shell';
import { normalisePaste } from '../../../../src/terminal/shell/paste';
import { needsMoreInput, splitCommands } from '../../../../src/terminal/shell/split';

const session = (commands: Record<string, TerminalCommand> = {}) =>
  createShell({ fs: new InMemoryFs(), commands, env: { USER: 'alice', TZ: 'UTC' } });

describe('a session across runs', () => {
  it('keeps variables, exports, the working directory, set -e and $? from one Enter to the next', async () => {
    const seen: Record<string, string>[] = [];
    const sh = await session({ show: async (_a, io) => (seen.push({ ...io.env }), 0) });
    await sh.run('export AWS_REGION=eu-west-1; LOCAL=1');
    await sh.run('mkdir -p work && cd work');
    await sh.run('false');
    expect((await sh.run('echo "$? $AWS_REGION $LOCAL $(pwd)"')).stdout).toBe('1 eu-west-1 1 /home/alice/work\n');
    await sh.run('show');
    expect(seen[0]).toMatchObject({ AWS_REGION: 'eu-west-1', USER: 'alice', HOME: '/home/alice' });
    expect(seen[0]).not.toHaveProperty('LOCAL'); // not exported: a child process would not see it
    await sh.run('set -e');
    const r = await sh.run('echo one\nfalse\necho two');
    expect(r).toMatchObject({ stdout: 'one\n', exitCode: 1, exited: false });
  });

  it('hands each command its output as it finishes, and stops on Ctrl-C with status 130', async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    const slow: TerminalCommand = async (_a, io) => {
      controller.abort();
      return io.signal.aborted ? 130 : 0;
    };
    const sh = await session({ slow });
    const r = await sh.run('echo first\nslow\necho never', {
      signal: controller.signal,
      onStdout: (s) => chunks.push(s),
    });
    expect(chunks).toEqual(['first\n']);
    expect(r.exitCode).toBe(130);
    expect(r.stdout).toBe('first\n');
  });

  it('reports a missing file of a command as its own error, and a thrown error as status 1', async () => {
    const reader: TerminalCommand = async (argv, io) => {
      await io.readFile(argv[0]!);
      return 0;
    };
    const sh = await session({ reader });
    const r = await sh.run('reader nothing.txt');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('reader: nothing.txt: No such file or directory\n');
    await expect(
      (async () => {
        throw new TerminalFileError('x');
      })(),
    ).rejects.toBeInstanceOf(TerminalFileError);
  });

  it('completes command names, file names and registered arguments', async () => {
    const sh = await session({ aws: async () => 0 });
    await sh.run('touch key-policy.json plaintext.txt; mkdir keys');
    expect((await sh.complete('aw', 2)).candidates).toEqual(['awk', 'aws']);
    expect(await sh.complete('cat ke', 6)).toEqual({ from: 4, candidates: ['key-policy.json', 'keys/'] });
    expect((await sh.complete('aws kms encrypt --plaintext fileb://pl', 37)).candidates).toEqual([
      'fileb://plaintext.txt',
    ]);
    sh.completer.register('aws', (words) => (words.length === 1 ? ['kms', 'sts', 's3api'] : undefined));
    expect(await sh.complete('aws s', 5)).toEqual({ from: 4, candidates: ['s3api', 'sts'] });
  });

  it('answers help with this terminal, not bash builtins', async () => {
    const sh = await session({ aws: async () => 0 });
    const r = await sh.run('help');
    expect(r.stdout).toContain('survive a reload');
    expect(r.stdout).toMatch(/\baws\b/);
    expect(r.stdout).not.toContain('__pocket_kms');
  });

  it('is the session user: whoami and $USER say alice, $HOME is /home/alice', async () => {
    const sh = await session();
    expect((await sh.run('whoami; echo "$USER $HOME $SHELL"')).stdout).toBe('alice\nalice /home/alice /bin/bash\n');
  });
});

describe('where a command ends (the continuation prompt)', () => {
  it.each([
    ['aws kms create-key \\', true],
    ['cat > p.json <<EOF\n{', true],
    ['cat > p.json <<EOF\n{\nEOF', false],
    ['if [ "$A" = b ]; then', true],
    ['if true; then echo; fi', false],
    ['echo "open', true],
    ["echo 'it''s'", false],
    ['X="$(aws sts get-caller-identity \\\n --query Arn', true],
    ['echo a &&', true],
    ['echo a | ', true],
    ['for f in *; do', true],
    ['case $x in a) echo a;; esac', false],
    ['echo $((1 + 2))', false],
    ['echo done # if', false],
    ['base64 -d <<< abc', false],
  ])('%j needs more input: %s', (text, more) => {
    expect(needsMoreInput(text)).toBe(more);
  });

  it('splits a paste into complete commands', () => {
    expect(splitCommands('echo a\ncat <<EOF\nx\nEOF\nif true\nthen echo b\nfi\necho c \\\n d\n').commands).toEqual([
      'echo a\n',
      'cat <<EOF\nx\nEOF\n',
      'if true\nthen echo b\nfi\n',
      'echo c \\\n d\n',
    ]);
  });
});

describe('text pasted from a web page', () => {
  it('turns non-breaking spaces into spaces silently, and says when it replaces typographic quotes', () => {
    expect(normalisePaste('aws\u00a0kms\u202flist-keys')).toEqual({ text: 'aws kms list-keys', notices: [] });
    const r = normalisePaste(
      'aws kms encrypt \u2013\u2013query \u2018CiphertextBlob\u2019 \u201cx\u201d\necho it\u2019s',
    );
    expect(r.text).toBe('aws kms encrypt --query \'CiphertextBlob\' "x"\necho it\u2019s');
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toMatch(/^note: line 1: typographic quotes or dashes replaced/);
  });
});

describe('hex dumps against coreutils/xxd', () => {
  const DATA = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789\u0000\u00ff\n\u0001', 'latin1');
  const cases = [
    ['xxd'],
    ['xxd', '-p'],
    ['xxd', '-g', '1', '-c', '8', '-u'],
    ['xxd', '-l', '10', '-s', '3'],
    ['od', '-c'],
    ['od', '-An', '-tx1'],
    ['od', '-t', 'x1'],
    ['od', '-x'],
    ['od'],
    ['od', '-A', 'x', '-t', 'x1z'],
    ['od', '-b'],
    ['od', '-t', 'd1', '-t', 'u1'],
    ['od', '-An', '-tx1', '-v'],
  ];
  it.each(cases)('%s %s %s %s %s %s', async (...argv) => {
    const expected = execFileSync(argv[0]!, argv.slice(1), { input: DATA }).toString('latin1');
    const sh = await session();
    const b64 = DATA.toString('base64');
    const r = await sh.run(`base64 -d <<< "${b64}" | ${argv.join(' ')}`);
    expect(r.stdout).toBe(expected);
  });

  it('turns hex back into bytes (xxd -r -p) and collapses repeated lines in od', async () => {
    const sh = await session();
    expect((await sh.run('echo 616263ff | xxd -r -p | base64')).stdout).toBe('YWJj/w==\n');
    const zeros = execFileSync('od', ['-An', '-tx1'], { input: Buffer.alloc(40) }).toString();
    expect((await sh.run('base64 -d <<< "' + Buffer.alloc(40).toString('base64') + '" | od -An -tx1')).stdout).toBe(
      zeros,
    );
  });
});
