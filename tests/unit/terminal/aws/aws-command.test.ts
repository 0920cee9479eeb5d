// The terminal's `aws` over an injected, recording `send` (no AWS CLI needed): what it asks to send, how
// it resolves region, profile and output, and how it prints service errors; and the SDK send's wire facts.
import { describe, expect, it } from 'vitest';
import { createAwsCommand, USER_AGENT, type SendRequest } from '../../../../src/terminal/aws/aws';
import { createSdkSend } from '../../../../src/terminal/aws/sdk-send';
import { streamsOverBytes, TerminalFileError, type CommandIo } from '../../../../src/terminal/io';
import { startRecorder } from './recorder';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  sent: SendRequest[];
  files: Map<string, Uint8Array>;
}

async function run(
  line: string[],
  opts: {
    env?: Record<string, string>;
    files?: Record<string, string>;
    reply?: (r: SendRequest) => unknown;
    profiles?: string[];
    signal?: AbortSignal;
  } = {},
): Promise<Run> {
  const files = new Map<string, Uint8Array>(
    Object.entries(opts.files ?? {}).map(([k, v]) => [k, new TextEncoder().encode(v)]),
  );
  // An empty value stands for an unset variable.
  const env = Object.fromEntries(
    Object.entries({ HOME: '/home/user', AWS_REGION: 'us-east-1', ...opts.env }).filter(([, v]) => v !== ''),
  );
  const sent: SendRequest[] = [];
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    env,
    cwd: '/home/user',
    stdin: new Uint8Array(),
    signal: opts.signal ?? new AbortController().signal,
    mkdir: async () => {},
    readFile: async (p) => {
      const f = files.get(p.replace('/home/user/', ''));
      if (!f) throw new TerminalFileError(`${p}: No such file or directory`);
      return f;
    },
    writeFile: async (p, d) => void files.set(p.replace('/home/user/', ''), d),
    stat: async (p) => {
      const name = p.replace('/home/user/', '').replace(/^\.\/?/, '');
      const f = files.get(name);
      if (f) return { isDirectory: false, size: f.length, mtime: new Date(0) };
      const isDir = !name || [...files.keys()].some((k) => k.startsWith(`${name}/`));
      return isDir ? { isDirectory: true, size: 0, mtime: new Date(0) } : undefined;
    },
    readdir: async (p) => {
      const name = p.replace('/home/user/', '').replace(/^\.\/?/, '');
      const prefix = name ? `${name}/` : '';
      return [
        ...new Set(
          [...files.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length).split('/')[0]!),
        ),
      ];
    },
    rm: async (p) => void files.delete(p.replace('/home/user/', '')),
    openFile: (p: string) => streamsOverBytes(io).openFile(p),
    writeStream: (p: string, st: ReadableStream<Uint8Array>) => streamsOverBytes(io).writeStream(p, st),
    stdout: (d) => (stdout += typeof d === 'string' ? d : new TextDecoder().decode(d)),
    stderr: (d) => (stderr += typeof d === 'string' ? d : new TextDecoder().decode(d)),
  };
  const aws = createAwsCommand({
    send: async (r) => {
      sent.push(r);
      const out = opts.reply?.(r);
      if (out instanceof Error) throw out;
      return (out ?? {}) as Record<string, unknown>;
    },
    credentialsFor: async (profile) =>
      (opts.profiles ?? ['default', 'lab']).includes(profile ?? 'default')
        ? { accessKeyId: 'AKID', secretAccessKey: 'secret' }
        : undefined,
  });
  const code = await aws(line, io);
  return { code, stdout, stderr, sent, files };
}

const serviceError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe('aws (terminal) with a recording send', () => {
  it('sends the seed lab encrypt as the CLI parses it and prints the queried blob as base64 text', async () => {
    const r = await run(
      [
        'kms',
        'encrypt',
        '--key-id',
        'alias/lab',
        '--plaintext',
        'fileb://plaintext.txt',
        '--encryption-context',
        'Purpose=Lab,App=kms-demo',
        '--query',
        'CiphertextBlob',
        '--output',
        'text',
      ],
      {
        files: { 'plaintext.txt': 'my-demo-secret-value' },
        reply: () => ({ CiphertextBlob: new Uint8Array([1, 2, 3]), KeyId: 'k' }),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('AQID\n');
    expect(r.sent).toHaveLength(1);
    expect(r.sent[0]).toMatchObject({ service: 'kms', operation: 'Encrypt', region: 'us-east-1' });
    expect(r.sent[0]!.input).toEqual({
      KeyId: 'alias/lab',
      Plaintext: new TextEncoder().encode('my-demo-secret-value'),
      EncryptionContext: { Purpose: 'Lab', App: 'kms-demo' },
    });
  });

  it('prints a service error as the CLI does, on stderr with exit 254', async () => {
    const r = await run(['kms', 'describe-key', '--key-id', 'nope'], {
      reply: () =>
        serviceError('NotFoundException', "Key 'arn:aws:kms:us-east-1:111122223333:key/nope' does not exist"),
    });
    expect(r.code).toBe(254);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "\nAn error occurred (NotFoundException) when calling the DescribeKey operation: Key 'arn:aws:kms:us-east-1:111122223333:key/nope' does not exist\n",
    );
  });

  it('takes the region from --region, then AWS_REGION, AWS_DEFAULT_REGION, then ~/.aws/config', async () => {
    const config = { '.aws/config': '[default]\nregion = eu-west-1\n[profile lab]\nregion = ap-south-1\n' };
    const region = async (args: string[], env: Record<string, string>) =>
      (await run(['sts', 'get-caller-identity', ...args], { env, files: config })).sent[0]?.region;
    expect(await region(['--region', 'us-west-2'], { AWS_REGION: 'eu-north-1' })).toBe('us-west-2');
    expect(await region([], { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-south-1' })).toBe('eu-north-1');
    expect(await region([], { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-south-1' })).toBe('eu-south-1');
    expect(await region([], { AWS_REGION: '' })).toBe('eu-west-1');
    expect(await region(['--profile', 'lab'], { AWS_REGION: '' })).toBe('ap-south-1');
    expect(await region([], { AWS_REGION: '', AWS_PROFILE: 'lab' })).toBe('ap-south-1');
  });

  it('refuses to guess a region (exit 253) and names the profile it sends for', async () => {
    const none = await run(['kms', 'list-keys'], { env: { AWS_REGION: '' } });
    expect(none.code).toBe(253);
    expect(none.stderr).toContain('You must specify a region.');
    expect(none.sent).toEqual([]);
    const lab = await run(['kms', 'list-keys', '--profile', 'lab'], { reply: () => ({ Keys: [] }) });
    expect(lab.sent[0]!.profile).toBe('lab');
  });

  it('writes get-object bodies to the outfile and leaves Body out of the printed response', async () => {
    const r = await run(['s3api', 'get-object', '--bucket', 'b', '--key', 'k', 'out.txt'], {
      reply: () => ({ Body: new TextEncoder().encode('hello'), ContentLength: 5, ETag: '"e"' }),
    });
    expect(r.code).toBe(0);
    expect(new TextDecoder().decode(r.files.get('out.txt'))).toBe('hello');
    expect(JSON.parse(r.stdout)).toEqual({ ContentLength: 5, ETag: '"e"' });
    expect(r.sent[0]!.service).toBe('s3');
  });

  it('follows pages and stops at --max-items with a NextToken that --starting-token resumes', async () => {
    const reply = (r: SendRequest) =>
      r.input.Marker === 'p2'
        ? { Keys: [{ KeyId: 'c' }] }
        : { Keys: [{ KeyId: 'a' }, { KeyId: 'b' }], NextMarker: 'p2', Truncated: true };
    const all = await run(['kms', 'list-keys', '--query', 'Keys[].KeyId', '--output', 'text'], { reply });
    expect(all.stdout).toBe('a\tb\nc\n');
    const first = await run(['kms', 'list-keys', '--max-items', '1'], { reply });
    const printed = JSON.parse(first.stdout);
    expect(printed.Keys).toEqual([{ KeyId: 'a' }]);
    const rest = await run(['kms', 'list-keys', '--starting-token', printed.NextToken], { reply });
    expect(JSON.parse(rest.stdout).Keys).toEqual([{ KeyId: 'b' }, { KeyId: 'c' }]);
  });

  it('refuses to send without credentials, naming an unknown profile as the CLI does', async () => {
    const ghost = await run(['kms', 'list-keys', '--profile', 'ghost']);
    expect([ghost.code, ghost.stderr, ghost.sent]).toEqual([
      255,
      '\nThe config profile (ghost) could not be found\n',
      [],
    ]);
    const none = await run(['kms', 'list-keys'], { profiles: [] });
    expect([none.code, none.stderr]).toEqual([
      253,
      '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
    ]);
  });

  it('does not write credentials to the config file', async () => {
    const r = await run(['configure', 'set', 'aws_secret_access_key', 'abc']);
    expect(r.code).toBe(255);
    expect([...r.files.keys()]).toEqual([]);
  });

  it('s3 cp of a large file aborts its multipart upload when a part fails, and says the upload failed', async () => {
    const r = await run(['s3', 'cp', 'big.bin', 's3://b/'], {
      files: { 'big.bin': 'x'.repeat(17 * 1024 * 1024) },
      reply: (q) => {
        if (q.operation === 'CreateMultipartUpload') return { UploadId: 'u-1' };
        if (q.operation === 'UploadPart' && q.input.PartNumber === 2)
          return serviceError('InternalError', 'We hit a snag');
        if (q.operation === 'UploadPart') return { ETag: '"e1"' };
        return {};
      },
    });
    expect(r.sent.map((q) => [q.operation, q.input.PartNumber])).toEqual([
      ['CreateMultipartUpload', undefined],
      ['UploadPart', 1],
      ['UploadPart', 2],
      ['AbortMultipartUpload', undefined],
    ]);
    expect(r.sent[3]!.input).toEqual({ Bucket: 'b', Key: 'big.bin', UploadId: 'u-1' });
    // Each part is a slice of the file, handed over unread: the transport reads it as it sends.
    expect(r.sent[1]!.input.Body).toBeInstanceOf(Blob);
    expect((r.sent[1]!.input.Body as Blob).size).toBe(8 * 1024 * 1024);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'upload failed: ./big.bin to s3://b/big.bin An error occurred (InternalError) when calling the UploadPart operation: We hit a snag\n',
    );
  });

  it('Ctrl-C during a multipart s3 cp stops it and still aborts the upload', async () => {
    const ctrlC = new AbortController();
    const r = await run(['s3', 'cp', 'big.bin', 's3://b/'], {
      files: { 'big.bin': 'x'.repeat(17 * 1024 * 1024) },
      signal: ctrlC.signal,
      reply: (q) => {
        if (q.operation === 'CreateMultipartUpload') return { UploadId: 'u-1' };
        if (q.operation === 'UploadPart') ctrlC.abort();
        return { ETag: '"e1"' };
      },
    });
    expect(r.sent.map((q) => q.operation)).toEqual(['CreateMultipartUpload', 'UploadPart', 'AbortMultipartUpload']);
    expect(r.sent[2]!.signal.aborted).toBe(false);
    expect(r.code).toBe(130);
  });

  it('s3api get-object hands the body to the file as a stream, and prints the rest', async () => {
    const body = new Blob(['streamed object body']).stream();
    const r = await run(['s3api', 'get-object', '--bucket', 'b', '--key', 'k', 'out.txt'], {
      reply: () => ({ Body: body, ContentLength: 20, ContentType: 'text/plain' }),
    });
    expect(r.code).toBe(0);
    expect(r.sent[0]!.streamOutput).toBe(true);
    expect(new TextDecoder().decode(r.files.get('out.txt'))).toBe('streamed object body');
    expect(JSON.parse(r.stdout)).toEqual({ ContentLength: 20, ContentType: 'text/plain' });
  });
});

describe('the SDK send', () => {
  it('reaches <base>/kms with the unmodified SDK and announces itself as the terminal CLI', async () => {
    const rec = await startRecorder();
    try {
      const send = createSdkSend({
        baseUrl: `${rec.url}/mine-ua`,
        credentialsFor: async () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' }),
      });
      const out = await send({
        service: 'kms',
        operation: 'DescribeKey',
        input: { KeyId: 'k' },
        region: 'us-east-1',
        profile: undefined,
        endpointUrl: undefined,
        signal: new AbortController().signal,
      });
      expect((out.KeyMetadata as { KeyId: string }).KeyId).toBe('1234abcd-12ab-34cd-56ef-1234567890ab');
      const [req] = rec.runs.get('mine-ua')!;
      expect(req!.path).toBe('/');
      expect(req!.headers['x-amz-target']).toBe('TrentService.DescribeKey');
      expect(req!.headers['x-amz-user-agent']).toBe(USER_AGENT);
      expect(req!.headers['user-agent']).toBe(USER_AGENT);
      expect(req!.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/us-east-1\/kms\/aws4_request/,
      );
      const missing = send({
        service: 'kms',
        operation: 'DescribeKey',
        input: { KeyId: 'missing' },
        region: 'us-east-1',
        profile: undefined,
        endpointUrl: undefined,
        signal: new AbortController().signal,
      });
      await expect(missing).rejects.toMatchObject({ name: 'NotFoundException' });
    } finally {
      await rec.close();
    }
  });
});
