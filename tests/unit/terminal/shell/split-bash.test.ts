// When typed text is a whole command (src/terminal/shell/split.ts), checked against bash itself: `bash -n` reports "unexpected end
// of file" exactly when an interactive bash would keep reading (here-documents and a final backslash aside:
// there bash -n only warns or ends the input).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { needsMoreInput, splitCommands } from '../../../../src/terminal/shell/split';
const isCompleteInput = (t: string) => !needsMoreInput(t);

const BASH_CASES = [
  'echo hi',
  'echo "hi',
  "echo 'it''s'",
  "echo 'open",
  'echo "a $(date +%s) b"',
  'echo "a $(date',
  'X="$(aws kms create-key \\\n  --description "d" \\\n  --query KeyMetadata.KeyId \\\n  --output text)"',
  'aws kms create-key \\\n  --description x',
  'if [ "$A" = "b" ]; then\n  echo yes',
  'if [ "$A" = "b" ]; then\n  echo yes\nelse\n  echo no\nfi',
  'for x in a b; do echo $x; done',
  'for x in a b; do',
  'while true; do\n  break\ndone',
  'case $x in a) echo a;; esac',
  'case $x in a) echo a;;',
  '{ echo a; echo b; }',
  '{ echo a;',
  '(cd /tmp && ls)',
  '(cd /tmp',
  'true &&',
  'false ||',
  'echo a |',
  'echo a | cat',
  'echo done # a comment with if and "quote',
  'echo fi done esac',
  'echo \\"',
  'echo `date',
  'echo `date`',
  'echo "x" \\\\',
  'echo $((1 + 2))',
  'f() { echo x; }',
  'diff <(echo a) <(echo b)',
  'echo "multi\nline"',
  'echo "if"; if true; then echo x; fi',
];

function bashVerdict(text: string): boolean {
  try {
    execFileSync('bash', ['-n'], { input: `${text}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    return true;
  } catch (e) {
    const err = String((e as { stderr?: Buffer }).stderr ?? '');
    if (/unexpected end of file|unexpected EOF/.test(err)) return false;
    throw new Error(`bash -n refused ${JSON.stringify(text)} for another reason: ${err}`);
  }
}

describe('needsMoreInput', () => {
  it.each(BASH_CASES)('agrees with bash on %j', (text) => {
    expect(isCompleteInput(text)).toBe(bashVerdict(text));
  });

  it('waits for the line after a trailing backslash (bash -n ends the input there; an interactive bash prompts)', () => {
    expect(isCompleteInput('aws kms create-key \\')).toBe(false);
    expect(isCompleteInput('echo a \\\\')).toBe(true);
  });

  it('waits for a here-document to reach its delimiter (also quoted, and <<- with tabs)', () => {
    expect(isCompleteInput('cat > key-policy.json <<EOF\n{\n  "Version": "2012-10-17"')).toBe(false);
    expect(isCompleteInput('cat > key-policy.json <<EOF\n{\n  "Version": "2012-10-17"\n}\nEOF')).toBe(true);
    expect(isCompleteInput("cat <<'END'\n$NOT_EXPANDED\nEND")).toBe(true);
    expect(isCompleteInput('cat <<-EOF\n\tindented\n\tEOF')).toBe(true);
    expect(isCompleteInput('cat <<EOF\n EOF')).toBe(false);
  });
});

describe('splitCommands', () => {
  it('cuts a pasted lab block into the commands bash would run one by one', () => {
    const block = [
      'export LAB_PREFIX="kms-lab"',
      'export TS="$(date +%Y%m%d%H%M%S)"',
      '',
      'aws kms create-key \\',
      '  --description "KMS lab key" \\',
      '  --key-usage ENCRYPT_DECRYPT',
      '',
      'cat > p.json <<EOF',
      '{ "a": "${TS}" }',
      'EOF',
      'if [ "$AWS_REGION" = "us-east-1" ]; then',
      '  echo east',
      'else',
      '  echo other',
      'fi',
      'echo "unterminated',
    ].join('\n');
    const { commands, rest } = splitCommands(block);
    expect(commands.map((c) => c.replace(/\n$/, '')).filter((c) => c.trim())).toEqual([
      'export LAB_PREFIX="kms-lab"',
      'export TS="$(date +%Y%m%d%H%M%S)"',
      'aws kms create-key \\\n  --description "KMS lab key" \\\n  --key-usage ENCRYPT_DECRYPT',
      'cat > p.json <<EOF\n{ "a": "${TS}" }\nEOF',
      'if [ "$AWS_REGION" = "us-east-1" ]; then\n  echo east\nelse\n  echo other\nfi',
    ]);
    expect(rest).toBe('echo "unterminated');
  });
});
