// Tab completion of aws command lines: commands, operations and options come from the models.
import { describe, expect, it } from 'vitest';
import { awsCompleter } from '../../../../src/terminal/aws/complete';

const complete = (line: string) => {
  const words = line.split(' ');
  const current = words.pop()!;
  return awsCompleter(words, current);
};

describe('awsCompleter', () => {
  it('completes the CLI command, the operation, and the operation options', () => {
    expect(complete('aws k')).toEqual(['kms']);
    expect(complete('aws kms create-')).toEqual([
      'create-alias',
      'create-custom-key-store',
      'create-grant',
      'create-key',
    ]);
    expect(complete('aws --region us-east-1 kms schedule-key-d')).toEqual(['schedule-key-deletion']);
    expect(complete('aws kms schedule-key-deletion --p')).toEqual(['--pending-window-in-days', '--profile']);
    expect(complete('aws kms encrypt --key-id k --plaintext fileb://x --encryption-')).toEqual([
      '--encryption-algorithm',
      '--encryption-context',
    ]);
    expect(complete('aws sts get')).toEqual(['get-caller-identity', 'get-session-token']);
    expect(complete('aws configure s')).toEqual(['set']);
  });

  it('leaves values to the shell (file names)', () => {
    expect(complete('aws kms encrypt --plaintext fileb://pl')).toBeUndefined();
  });

  it('does not offer an option already given', () => {
    expect(complete('aws kms describe-key --key-id x --key')).toEqual([]);
  });
});
