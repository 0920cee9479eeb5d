// Runs one command line through the real AWS CLI v2 (/usr/bin/aws) and through the terminal's `aws`
// (over the SDK send), both against the recorder, in scratch folders holding the same files.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, statSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { streamsOverBytes, TerminalFileError, type CommandIo } from '../../../../src/terminal/io';
import { createAwsCommand } from '../../../../src/terminal/aws/aws';
import { createSdkSend } from '../../../../src/terminal/aws/sdk-send';
import type { Recorded } from './recorder';
import { SERVICES, type ServiceModel } from '../../../../src/terminal/aws/model';

export const REAL_AWS = '/usr/bin/aws';
const BOTOCORE = '/usr/lib/python3/dist-packages/awscli/botocore/data';

interface BotoModel {
  operations: Record<string, { input?: { shape: string }; output?: { shape: string } }>;
  shapes: Record<string, { type: string; members?: Record<string, unknown> }>;
}

/** Our model cut down to what the installed CLI's botocore model has (operations, members), so the
 * comparison covers what both know: newer members and operations of the SDK's model are left out. */
export function restrictedModels(): Record<string, ServiceModel> {
  const dirs: Record<string, string> = { kms: 'kms/2014-11-01', s3api: 's3/2006-03-01', sts: 'sts/2011-06-15' };
  const out: Record<string, ServiceModel> = {};
  for (const [cmd, dir] of Object.entries(dirs)) {
    const ours = SERVICES[cmd]!;
    const boto = JSON.parse(readFileSync(join(BOTOCORE, dir, 'service-2.json'), 'utf8')) as BotoModel;
    const shapes = structuredClone(ours.shapes);
    const keep = (ref: string, botoName: string | undefined) => {
      const b = botoName ? boto.shapes[botoName] : undefined;
      if (!b?.members || !shapes[ref]) return;
      shapes[ref]!.members = Object.fromEntries(Object.entries(shapes[ref]!.members).filter(([m]) => m in b.members!));
    };
    for (const ref of Object.keys(shapes)) keep(ref, ref);
    const operations: ServiceModel['operations'] = {};
    for (const [name, op] of Object.entries(ours.operations)) {
      const b = boto.operations[name];
      if (!b) continue;
      const copy = { ...op };
      if (!b.output) delete copy.output;
      if (copy.input) keep(copy.input, b.input?.shape);
      if (copy.output) keep(copy.output, b.output?.shape);
      operations[name] = copy;
    }
    out[cmd] = { ...ours, operations, shapes };
  }
  return out;
}

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
}

/** Splits a command line as a POSIX shell would for the quoting the tables use ('…', "…", \). */
export function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, j);
      i = j;
      has = true;
    } else if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') {
        if (line[j] === '\\' && ['"', '\\', '$'].includes(line[j + 1]!)) j++;
        cur += line[j];
        j++;
      }
      i = j;
      has = true;
    } else if (c === '\\') {
      cur += line[++i];
      has = true;
    } else if (c === ' ') {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

export const FILES: Record<string, string | Buffer> = {
  'plaintext.txt': 'my-demo-secret-value',
  'hello.txt': 'hello from kms s3 lab\n',
  'ciphertext.bin': Buffer.from([1, 2, 3, 4, 250, 251, 252]),
  'ciphertext.b64': 'AQIDBPr7/A==\n',
  'key-policy.json': '{\n  "Version": "2012-10-17",\n  "Statement": []\n}\n',
  'tags.json': '[{"TagKey": "Project", "TagValue": "kms-lab"}]',
  'input.json': '{"KeyId": "alias/kms-lab", "Plaintext": "aGVsbG8=", "EncryptionContext": {"Purpose": "Lab"}}',
  'input.yaml': 'KeyId: alias/kms-lab\nGrantTokens:\n  - t1\n',
  'encryption.json':
    '{"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/kms-lab"}, "BucketKeyEnabled": true}]}',
  'parts.json': '{"Parts": [{"ETag": "etag-part", "PartNumber": 1}]}',
  'binary.dat': Buffer.from([0xff, 0xfe, 0x00, 0x80]),
  // A small site for recursive copies and sync.
  'site/index.html': '<h1>lab</h1>\n',
  'site/css/site.css': 'h1 { color: teal }\n',
  'site/notes.txt': 'notes\n',
};

export function scratch(dir: string, config?: string): string {
  mkdirSync(join(dir, '.aws'), { recursive: true });
  if (config !== undefined) writeFileSync(join(dir, '.aws/config'), config);
  for (const [n, c] of Object.entries(FILES)) {
    mkdirSync(join(dir, n, '..'), { recursive: true });
    writeFileSync(join(dir, n), c);
  }
  return dir;
}

/** Files a command may write (get-object's outfile). */
const OUTPUTS = ['downloaded.txt', 'part.txt', '.aws/config'];

function collect(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of OUTPUTS) if (existsSync(join(dir, n))) out[n] = readFileSync(join(dir, n)).toString('base64');
  // What a recursive download wrote, and which scratch files a move or sync --delete removed.
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const child = `${rel}/${name}`;
      if (statSync(join(dir, child)).isDirectory()) walk(child);
      else out[child] = readFileSync(join(dir, child)).toString('base64');
    }
  };
  if (existsSync(join(dir, 'down'))) walk('down');
  for (const n of Object.keys(FILES)) if (!existsSync(join(dir, n))) out[n] = 'removed';
  return out;
}

export interface Env {
  [k: string]: string;
}

/** Runs `a && b && …` as a shell would: in order, stopping at the first failure. */
export async function runLine(line: string, run: (argv: string[]) => Promise<Outcome>): Promise<Outcome> {
  let last: Outcome = { code: 0, stdout: '', stderr: '', files: {} };
  let stdout = '';
  let stderr = '';
  for (const part of line.split(' && ')) {
    last = await run(words(part));
    stdout += last.stdout;
    stderr += last.stderr;
    if (last.code !== 0) break;
  }
  return { ...last, stdout, stderr };
}

export function runReal(argv: string[], cwd: string, endpoint: string, env: Env): Promise<Outcome> {
  return new Promise((ok) => {
    execFile(
      REAL_AWS,
      ['--endpoint-url', endpoint, ...argv],
      { cwd, env: { PATH: '/usr/bin:/bin', HOME: cwd, TZ: 'UTC', LANG: 'C.UTF-8', ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        ok({ code, stdout, stderr, files: collect(cwd) });
      },
    );
  });
}

const MODELS = existsSync(BOTOCORE) ? restrictedModels() : undefined;

export async function runMine(argv: string[], cwd: string, baseUrl: string, env: Env): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const dec = new TextDecoder();
  const io: CommandIo = {
    env: { HOME: cwd, ...env },
    cwd,
    stdin: new Uint8Array(),
    signal: new AbortController().signal,
    async mkdir(p) {
      mkdirSync(resolve(cwd, p), { recursive: true });
    },
    async readFile(p) {
      try {
        return new Uint8Array(readFileSync(resolve(cwd, p)));
      } catch {
        throw new TerminalFileError(`${p}: No such file or directory`);
      }
    },
    async writeFile(p, data) {
      writeFileSync(resolve(cwd, p), data);
    },
    async stat(p) {
      if (!existsSync(resolve(cwd, p))) return undefined;
      const st = statSync(resolve(cwd, p));
      return { isDirectory: st.isDirectory(), size: st.size, mtime: st.mtime };
    },
    async readdir(p) {
      return readdirSync(resolve(cwd, p));
    },
    async rm(p) {
      rmSync(resolve(cwd, p));
    },
    openFile: (p: string) => streamsOverBytes(io).openFile(p),
    writeStream: (p: string, st: ReadableStream<Uint8Array>) => streamsOverBytes(io).writeStream(p, st),
    stdout: (d) => (stdout += typeof d === 'string' ? d : dec.decode(d)),
    stderr: (d) => (stderr += typeof d === 'string' ? d : dec.decode(d)),
  };
  // The test's credentials come from the environment, as the real CLI's do (configure list says "env").
  const credentialsFor = async () => ({
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    source: 'env',
  });
  const aws = createAwsCommand({ send: createSdkSend({ baseUrl, credentialsFor }), credentialsFor, models: MODELS });
  const code = await aws(argv, io);
  return { code, stdout, stderr, files: collect(cwd) };
}

const IGNORED_HEADERS =
  /^x-amz-(date|content-sha256|user-agent|security-token|sdk-checksum-algorithm|checksum-|decoded-content-length|trailer)/;

/** What must match between the CLI's and our request: the operation, its body or its REST shape. */
export function normalise(r: Recorded): unknown {
  const target = r.headers['x-amz-target'];
  if (target) return { target, body: JSON.parse(r.body.toString() || '{}') };
  const type = r.headers['content-type'] ?? '';
  if (type.startsWith('application/x-www-form-urlencoded'))
    return { form: [...new URLSearchParams(r.body.toString())].sort() };
  const headers: Record<string, string> = {};
  // Integrity headers differ by design: CLI 2.9 sends Content-MD5, the SDK (as CLI 2.23+) a CRC32 checksum.
  // botocore writes header booleans as Python's str(True), the SDK as JSON's true: S3 reads both.
  for (const [k, v] of Object.entries(r.headers))
    if ((k.startsWith('x-amz-') && !IGNORED_HEADERS.test(k)) || k === 'range' || k.startsWith('if-'))
      headers[k] = /^(true|false)$/i.test(v) ? v.toLowerCase() : v;
  const query = Object.fromEntries(Object.entries(r.query).filter(([k]) => k !== 'x-id'));
  let body = r.body.toString('base64');
  if (r.body.subarray(0, 64).toString().includes('<'))
    body = r.body
      .toString()
      .replace(/<\?xml[^>]*\?>/, '')
      .replace(/ xmlns="[^"]*"/g, '')
      .replace(/>\s+</g, '><')
      .trim();
  // The SDK's path-style URL ends a bucket-only path with '/', botocore's does not: the same resource.
  return { method: r.method, path: r.path.replace(/(.)\/$/, '$1'), query, headers, body };
}
