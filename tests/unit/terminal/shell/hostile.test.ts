// Hostile and random input (STYLE.md): the command splitter and the paste normaliser never throw, lose or
// invent text; a session answers any input with a status and standard error, never a rejected promise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryFs } from 'just-bash/browser';
import { createShell } from '../../../../src/terminal/shell/shell';
import { normalisePaste } from '../../../../src/terminal/shell/paste';
import { needsMoreInput, quoteAssignmentLikeTargets, splitCommands } from '../../../../src/terminal/shell/split';

/** Shell-ish text: the characters the splitter treats specially, words and keywords, mixed at random. */
const shellish = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "'", '`', '\\', '\n', ' ', '$(', '${', '<(', ')', '}', '(', '{', ';', '&&', '||', '|'),
      fc.constantFrom('<<EOF', '<<-X', '<<<', 'EOF', 'X', '#', 'if', 'then', 'fi', 'case', 'in', 'esac', ';;'),
      fc.constantFrom('for', 'do', 'done', 'while', 'echo', 'a=b', '>', '2>&1', '$((', '))', '\u00a0', '\u2019'),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

const HOSTILE = [
  '',
  '\n\n\n',
  '"',
  "'",
  '`',
  '\\',
  '$(',
  '$((((',
  '<(',
  ')',
  '}',
  'fi',
  'done',
  ';;',
  ';',
  '&&',
  '|',
  '<<',
  '<<EOF',
  'cat <<',
  'echo \u0000 nul',
  'x'.repeat(100_000),
  `${'('.repeat(200)}`,
  `${'$('.repeat(60)}echo${')'.repeat(60)}`,
  'if; then; fi',
  'case',
  'for in do done',
  '\u00a0\u2018\u2019\u201c\u201d\u2013\u2014',
  'echo \ud800',
  '{ echo a',
  'f() { f; }; f',
  'exit 300',
  'set -e; false; set +e',
  'cd /nonexistent',
  'echo > /',
  'cat /dev/fd/63',
];

describe('the command splitter', () => {
  it('loses and invents no text: commands + rest give back the input', () => {
    fc.assert(
      fc.property(shellish, (text) => {
        const { commands, rest } = splitCommands(text);
        expect(commands.join('') + rest).toBe(text);
        expect(typeof needsMoreInput(text)).toBe('boolean');
        expect(quoteAssignmentLikeTargets(text).replaceAll('""', '')).toBe(text.replaceAll('""', ''));
      }),
      { numRuns: 2000 },
    );
  });

  it.each(HOSTILE.map((h) => [h.slice(0, 40), h]))('survives %j', (_label, text) => {
    const { commands, rest } = splitCommands(text);
    expect(commands.join('') + rest).toBe(text);
  });
});

describe('the paste normaliser', () => {
  it('leaves ASCII text alone and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (s) => {
        const once = normalisePaste(s);
        expect(once.text).toBe(s.replace(/\r\n?/g, '\n'));
        expect(once.notices).toEqual([]);
      }),
    );
    fc.assert(
      fc.property(shellish, (s) => {
        const once = normalisePaste(s).text;
        expect(normalisePaste(once).text).toBe(once);
      }),
    );
  });
});

describe('a session given hostile input', () => {
  it.each(HOSTILE.map((h) => [h.slice(0, 40), h]))('answers %j with a status', async (_label, text) => {
    const shell = await createShell({ fs: new InMemoryFs(), env: { USER: 'alice' } });
    const r = await shell.run(text);
    expect(Number.isInteger(r.exitCode)).toBe(true);
    expect(typeof r.stderr).toBe('string');
    // The session still works afterwards.
    expect((await shell.run('set +e; echo ok')).stdout).toBe('ok\n');
  });
});
