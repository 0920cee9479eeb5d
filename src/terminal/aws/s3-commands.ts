// `aws s3 ls|mb|rb|cp|rm` for single objects and listings, as AWS CLI v2 prints them
// (awscli/customizations/s3/subcommands.py, s3transfer for small files): built on the same `send`.
import type { CommandIo } from '../io';
import { ArgParser } from './argparse';
import type { Globals, SendRequest } from './aws';
import { ClientError } from './errors';
import { beforeS3Send, afterS3Receive } from './s3-customizations';

type S3Send = (
  operation: string,
  input: Record<string, unknown>,
  options?: { stream?: boolean },
) => Promise<Record<string, unknown>>;

/** s3transfer's TransferConfig defaults: files of 8 MiB or more go up in 8 MiB parts, more when the
 * file would need over 10,000 of them (S3's limit). */
const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** Content types s3transfer guesses from the file name (Python's mimetypes, the common ones). */
const MIME: Record<string, string> = {
  txt: 'text/plain',
  json: 'application/json',
  html: 'text/html',
  csv: 'text/csv',
  xml: 'application/xml',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  gz: 'application/gzip',
  js: 'text/javascript',
  pem: 'application/x-x509-ca-cert',
};

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

function s3Path(p: string): { bucket: string; key: string } | undefined {
  if (!p.startsWith('s3://')) return undefined;
  const rest = p.slice(5);
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, key: '' } : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** The listing's local date: 'YYYY-MM-DD HH:MM:SS'. */
function lastModified(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export async function runS3(
  args: readonly string[],
  io: CommandIo,
  globals: Globals,
  send: (r: Omit<SendRequest, 'signal' | 'region' | 'profile' | 'endpointUrl'>) => Promise<Record<string, unknown>>,
): Promise<number> {
  const call: S3Send = (operation, input, options) => {
    io.signal.throwIfAborted();
    return send({ service: 's3', operation, input, ...(options?.stream ? { streamOutput: true } : {}) });
  };
  const sub = new ArgParser([
    { name: 'operation', dest: 'op', positional: true, required: true, choices: ['cp', 'ls', 'mb', 'rb', 'rm'] },
  ]).parseKnownArgs(args);
  const rest = sub.extras;
  const out = (s: string) => io.stdout(s);
  switch (sub.ns.op) {
    case 'ls': {
      const { ns } = new ArgParser([
        { name: 'paths', dest: 'paths', positional: true, nargs: '?' },
        { name: '--recursive', dest: 'recursive', nargs: 0, constValue: true, default: false },
        { name: '--human-readable', dest: 'human', nargs: 0, constValue: true, default: false },
        { name: '--summarize', dest: 'summarize', nargs: 0, constValue: true, default: false },
        { name: '--page-size', dest: 'page_size', int: true },
      ]).parseKnownArgs(rest);
      const path = (ns.paths as string | undefined) ?? 's3://';
      const target = s3Path(path.startsWith('s3://') ? path : `s3://${path}`)!;
      if (!target.bucket) {
        const r = await call('ListBuckets', {});
        for (const b of (r.Buckets as { Name: string; CreationDate: Date }[]) ?? [])
          out(`${lastModified(new Date(b.CreationDate))} ${b.Name}\n`);
        return 0;
      }
      let token: string | undefined;
      let empty = true;
      do {
        const input: Record<string, unknown> = { Bucket: target.bucket, Prefix: target.key };
        if (!ns.recursive) input.Delimiter = '/';
        if (token) input.ContinuationToken = token;
        const auto = beforeS3Send('ListObjectsV2', input);
        const page = await call('ListObjectsV2', input);
        afterS3Receive('ListObjectsV2', page, auto);
        const prefixes = (page.CommonPrefixes as { Prefix: string }[] | undefined) ?? [];
        const contents = (page.Contents as { Key: string; Size: number; LastModified: Date }[] | undefined) ?? [];
        if (prefixes.length || contents.length) empty = false;
        for (const p of prefixes) out(`${'PRE'.padStart(30)} ${p.Prefix.split('/').slice(-2)[0]}/\n`);
        for (const c of contents)
          out(
            `${lastModified(new Date(c.LastModified))} ${String(c.Size).padStart(10)} ${ns.recursive ? c.Key : basename(c.Key)}\n`,
          );
        token = page.NextContinuationToken as string | undefined;
      } while (token);
      return empty && target.key ? 1 : 0;
    }
    case 'mb':
    case 'rb': {
      const { ns } = new ArgParser([{ name: 'path', dest: 'path', positional: true, required: true }]).parseKnownArgs(
        rest,
      );
      const target = s3Path(ns.path as string);
      if (!target) throw new S3UsageError(`<S3Uri>\nError: Invalid argument type`);
      const verb = sub.ns.op === 'mb' ? 'make_bucket' : 'remove_bucket';
      const input: Record<string, unknown> = { Bucket: target.bucket };
      if (sub.ns.op === 'mb' && globals.region && globals.region !== 'us-east-1')
        input.CreateBucketConfiguration = { LocationConstraint: globals.region };
      try {
        await call(sub.ns.op === 'mb' ? 'CreateBucket' : 'DeleteBucket', input);
      } catch (e) {
        if (!(e instanceof ClientError)) throw e;
        io.stderr(`${verb} failed: s3://${target.bucket} ${e.message}\n`);
        return 1;
      }
      out(`${verb}: ${target.bucket}\n`);
      return 0;
    }
    case 'rm': {
      const { ns } = new ArgParser([{ name: 'path', dest: 'path', positional: true, required: true }]).parseKnownArgs(
        rest,
      );
      const target = s3Path(ns.path as string)!;
      try {
        await call('DeleteObject', { Bucket: target.bucket, Key: target.key });
      } catch (e) {
        if (!(e instanceof ClientError)) throw e;
        io.stderr(`delete failed: ${ns.path as string} ${e.message}\n`);
        return 1;
      }
      out(`delete: ${ns.path as string}\n`);
      return 0;
    }
    case 'cp': {
      const { ns } = new ArgParser([
        { name: 'paths', dest: 'src', positional: true, required: true },
        { name: 'dest', dest: 'dest', positional: true, required: true },
        { name: '--sse', dest: 'sse', nargs: '?' },
        { name: '--sse-kms-key-id', dest: 'sse_kms_key_id' },
        { name: '--content-type', dest: 'content_type' },
      ]).parseKnownArgs(rest);
      const src = ns.src as string;
      const dest = ns.dest as string;
      const from = s3Path(src);
      const to = s3Path(dest);
      const sse: Record<string, unknown> = {};
      if (ns.sse !== undefined) sse.ServerSideEncryption = (ns.sse as string | undefined) ?? 'AES256';
      if (ns.sse_kms_key_id !== undefined) sse.SSEKMSKeyId = ns.sse_kms_key_id;
      if (!from && to) {
        const key = !to.key || to.key.endsWith('/') ? to.key + basename(src) : to.key;
        const shown = `s3://${to.bucket}/${key}`;
        const body = await io.openFile(src);
        const ext = basename(src).includes('.') ? basename(src).split('.').pop()!.toLowerCase() : '';
        const input: Record<string, unknown> = { Bucket: to.bucket, Key: key, ...sse };
        const type = (ns.content_type as string | undefined) ?? MIME[ext];
        if (type) input.ContentType = type;
        return transfer('upload', shownLocal(src), shown, io, async () => {
          if (body.size >= MULTIPART_THRESHOLD) await uploadInParts(call, input, body);
          else await call('PutObject', { ...input, Body: new Uint8Array(await body.arrayBuffer()) });
          return body.size;
        });
      }
      if (from && !to) {
        const file = dest === '.' || dest.endsWith('/') ? `${dest === '.' ? '' : dest}${basename(from.key)}` : dest;
        return transfer('download', src, shownLocal(file), io, async () => {
          await call('HeadObject', { Bucket: from.bucket, Key: from.key });
          const r = await call('GetObject', { Bucket: from.bucket, Key: from.key }, { stream: true });
          const body = r.Body;
          if (body instanceof ReadableStream) return io.writeStream(file, body as ReadableStream<Uint8Array>);
          await io.writeFile(file, body as Uint8Array);
          return (body as Uint8Array).length;
        });
      }
      if (from && to) {
        const key = !to.key || to.key.endsWith('/') ? to.key + basename(from.key) : to.key;
        return transfer('copy', src, `s3://${to.bucket}/${key}`, io, async () => {
          const head = await call('HeadObject', { Bucket: from.bucket, Key: from.key });
          await call('CopyObject', { Bucket: to.bucket, Key: key, CopySource: `${from.bucket}/${from.key}`, ...sse });
          return Number(head.ContentLength ?? 0);
        });
      }
      throw new S3UsageError('Error: Invalid argument type');
    }
  }
  return 0;
}

/** A multipart upload as s3transfer makes one (CreateMultipartUpload with the object's settings, UploadPart
 * per slice, CompleteMultipartUpload), aborted when a part fails so no upload is left behind. Each part is a
 * slice of the disk-backed file, read as it is sent; parts go one at a time (s3transfer sends up to 10
 * at once; one keeps the page's memory to a part and the service worker does one at a time anyway). */
async function uploadInParts(call: S3Send, input: Record<string, unknown>, file: Blob): Promise<void> {
  const partSize = Math.max(PART_SIZE, Math.ceil(file.size / MAX_PARTS));
  const { UploadId } = await call('CreateMultipartUpload', input);
  const target = { Bucket: input.Bucket, Key: input.Key, UploadId };
  try {
    const parts: { ETag: unknown; PartNumber: number }[] = [];
    for (let offset = 0, n = 1; offset < file.size; offset += partSize, n++) {
      const r = await call('UploadPart', { ...target, PartNumber: n, Body: file.slice(offset, offset + partSize) });
      parts.push({ ETag: r.ETag, PartNumber: n });
    }
    await call('CompleteMultipartUpload', { ...target, MultipartUpload: { Parts: parts } });
  } catch (e) {
    await call('AbortMultipartUpload', target).catch(() => {});
    throw e;
  }
}

/** s3transfer's human_readable_size: '22 Bytes', '10.0 KiB'. */
function humanSize(n: number): string {
  if (n === 1) return '1 Byte';
  if (n < 1024) return `${Math.floor(n)} Bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A local path as the CLI prints it: relative ones start with './'. */
const shownLocal = (p: string) => (p.startsWith('/') || p.startsWith('./') || p.startsWith('../') ? p : `./${p}`);

/** One transfer with the CLI's progress line (overwritten by the result line, padded to cover it). */
async function transfer(
  verb: string,
  src: string,
  dest: string,
  io: CommandIo,
  run: () => Promise<number>,
): Promise<number> {
  const started = Date.now();
  let size: number;
  try {
    size = await run();
  } catch (e) {
    if (!(e instanceof ClientError)) throw e;
    if (verb === 'download' && e.operation === 'HeadObject' && e.code === '404')
      io.stderr(
        `fatal error: An error occurred (404) when calling the HeadObject operation: Key "${s3Path(src)!.key}" does not exist\n`,
      );
    else io.stderr(`${verb} failed: ${src} to ${dest} ${e.message}\n`);
    return 1;
  }
  const rate = size / Math.max((Date.now() - started) / 1000, 0.001);
  const progress = `Completed ${humanSize(size)}/${humanSize(size)} (${humanSize(rate)}/s) with 1 file(s) remaining`;
  const done = `${verb}: ${src} to ${dest}`;
  io.stdout(`${progress}\r${done.padEnd(progress.length)}\n`);
  return 0;
}

/** A usage problem of an s3 command (exit 252). */
export class S3UsageError extends Error {
  override name = 'ParamValidationError';
}
