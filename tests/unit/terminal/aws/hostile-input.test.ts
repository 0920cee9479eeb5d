// Hostile and random command lines: the terminal's `aws` always answers with an exit status and a
// message (never an unexpected exception), sends nothing for a malformed line, and stops on Ctrl-C.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAwsCommand, type SendRequest } from '../../../../src/terminal/aws/aws';
import { ShorthandParseError, ShorthandParser } from '../../../../src/terminal/aws/shorthand';
import { streamsOverBytes, TerminalFileError, type CommandIo } from '../../../../src/terminal/io';

function io(signal = new AbortController().signal): CommandIo & { out: string; err: string } {
  const state = {
    env: { HOME: '/home/user', AWS_REGION: 'us-east-1' },
    cwd: '/home/user',
    stdin: new Uint8Array(),
    signal,
    out: '',
    err: '',
    readFile: async (p: string): Promise<Uint8Array> => {
      throw new TerminalFileError(`${p}: No such file or directory`);
    },
    writeFile: async () => {},
    stat: async () => undefined,
    readdir: async (p: string): Promise<string[]> => {
      throw new TerminalFileError(`${p}: No such file or directory`);
    },
    rm: async (p: string) => {
      throw new TerminalFileError(`${p}: No such file or directory`);
    },
    openFile: (p: string) => streamsOverBytes(state).openFile(p),
    writeStream: (p: string, st: ReadableStream<Uint8Array>) => streamsOverBytes(state).writeStream(p, st),
    mkdir: async () => {},
    stdout: (d: Uint8Array | string) => void (state.out += String(d)),
    stderr: (d: Uint8Array | string) => void (state.err += String(d)),
  };
  return state;
}

const HOSTILE: string[][] = [
  [],
  ['--'],
  ['-'],
  ['--output'],
  ['--output', 'json', '--output'],
  ['kms', '--', 'describe-key'],
  ['kms', 'describe-key', '--key-id', '--key-id'],
  ['kms', 'encrypt', '--key-id', 'k', '--plaintext', ''],
  ['kms', 'create-key', '--tags', ''],
  ['kms', 'create-key', '--tags', '[', ']'],
  ['kms', 'create-key', '--tags', '{'],
  ['kms', 'create-key', '--tags', 'TagKey=\u0000'],
  ['kms', 'encrypt', '--key-id', 'k', '--plaintext', '====', '--encryption-context', '{"a":1}'],
  ['kms', 'encrypt', '--cli-input-json', '[1,2]'],
  ['kms', 'encrypt', '--cli-input-json', 'not json'],
  ['kms', 'encrypt', '--cli-input-json', '{}', '--cli-input-yaml', '{}'],
  ['kms', 'schedule-key-deletion', '--key-id', 'k', '--pending-window-in-days', '1e3'],
  ['kms', 'list-keys', '--max-items', 'x'],
  ['kms', 'list-keys', '--starting-token', '%%%'],
  ['kms', 'list-keys', '--query', '[[[['],
  ['s3api', 'get-object', '--bucket', 'b', '--key', 'k'],
  ['s3api', 'put-object', '--bucket', 'b', '--key', 'k', '--body', 'fileb://none'],
  ['s3', 'cp'],
  ['s3', 'cp', 'a', 'b'],
  ['s3', 'mb', 'bucket-without-scheme'],
  ['configure', 'set'],
  ['configure', 'get'],
  ['configure', 'nope'],
  ['--region', '', 'kms', 'list-keys'],
  ['--cli-binary-format', 'hex', 'kms', 'list-keys'],
];

describe('aws (terminal) on hostile input', () => {
  const sent: SendRequest[] = [];
  const aws = createAwsCommand({
    send: async (r) => {
      sent.push(r);
      return { Keys: [] };
    },
    credentialsFor: async () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' }),
  });

  it.each(HOSTILE.map((a) => [a.join(' '), a] as const))('answers %j with a status and a message', async (_, argv) => {
    const world = io();
    const code = await aws(argv, world);
    expect(Number.isInteger(code)).toBe(true);
    if (code !== 0) expect(world.err.length).toBeGreaterThan(0);
  });

  it('never throws for random command lines', async () => {
    const token = fc.oneof(
      fc.constantFrom(
        'kms',
        's3api',
        'sts',
        's3',
        'configure',
        'encrypt',
        'list-keys',
        '--key-id',
        '--tags',
        '--output',
        '--query',
        'text',
        'help',
      ),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 8 }), async (argv) => {
        const code = await aws(argv, io());
        expect(Number.isInteger(code)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('parses any text as shorthand or refuses it with ShorthandParseError', () => {
    const parser = new ShorthandParser();
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          parser.parse(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ShorthandParseError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('stops a request when Ctrl-C aborts it and exits 130', async () => {
    const ctrl = new AbortController();
    const waiting = createAwsCommand({
      send: (r) =>
        new Promise((_, reject) =>
          r.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))),
        ),
    });
    const world = io(ctrl.signal);
    const done = waiting(['kms', 'list-keys'], world);
    ctrl.abort();
    expect(await done).toBe(130);
  });
});
