// `aws s3 cp|mv|rm|sync` as AWS CLI v2 runs them (awscli/customizations/s3/subcommands.py, s3transfer,
// syncstrategy/): one file or object, or with --recursive (and always for sync) every entry under a root,
// filtered by --exclude/--include; each prints the CLI's result line ("upload: ./a to s3://b/a"), a failure
// prints "upload failed: …" and the rest go on (exit 1 at the end). Files stream both ways (a disk-backed
// Blob up, a stream down) and 8 MiB or more goes up as a multipart upload in 8 MiB parts.
import type { CommandIo } from '../io';
import { ArgParser } from './argparse';
import { ClientError } from './errors';
import {
  basename,
  listLocal,
  listS3,
  location,
  passes,
  shownLocal,
  takeRules,
  under,
  type Entry,
  type Location,
  type Rule,
  type S3Send,
} from './s3-files';

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

/** A usage problem of an s3 command (exit 252). */
export class S3UsageError extends Error {
  override name = 'ParamValidationError';
}

interface Options {
  recursive: boolean;
  rules: Rule[];
  sse: Record<string, unknown>;
  contentType: string | undefined;
  dryrun: boolean;
  quiet: boolean;
  onlyErrors: boolean;
  delete: boolean;
  sizeOnly: boolean;
}

function parse(op: string, args: readonly string[]): { paths: string[]; opts: Options } {
  const { rules, rest } = takeRules(args);
  const flag = (name: string, dest: string) => ({ name, dest, nargs: 0 as const, constValue: true, default: false });
  const parser = new ArgParser([
    { name: 'paths', dest: 'src', positional: true, required: true },
    ...(op === 'rm' ? [] : [{ name: 'dest', dest: 'dest', positional: true, required: true }]),
    flag('--recursive', 'recursive'),
    flag('--dryrun', 'dryrun'),
    flag('--quiet', 'quiet'),
    flag('--only-show-errors', 'only_errors'),
    flag('--no-progress', 'no_progress'),
    ...(op === 'sync' ? [flag('--delete', 'delete'), flag('--size-only', 'size_only')] : []),
    ...(op === 'rm' ? [] : [{ name: '--sse', dest: 'sse', nargs: '?' as const }]),
    ...(op === 'rm'
      ? []
      : [
          { name: '--sse-kms-key-id', dest: 'sse_kms_key_id' },
          { name: '--content-type', dest: 'content_type' },
        ]),
  ]);
  const { ns, extras } = parser.parseKnownArgs(rest);
  // s3 commands print no usage above it (awscli/customizations/commands.py BasicCommand).
  if (extras.length) throw new S3UsageError(`Unknown options: ${extras.join(', ')}`);
  const sse: Record<string, unknown> = {};
  if (ns.sse !== undefined) sse.ServerSideEncryption = (ns.sse as string | undefined) ?? 'AES256';
  if (ns.sse_kms_key_id !== undefined) sse.SSEKMSKeyId = ns.sse_kms_key_id;
  return {
    paths: [ns.src as string, ...(ns.dest !== undefined ? [ns.dest as string] : [])],
    opts: {
      recursive: op === 'sync' || ns.recursive === true,
      rules,
      sse,
      contentType: ns.content_type as string | undefined,
      dryrun: ns.dryrun === true,
      quiet: ns.quiet === true,
      onlyErrors: ns.only_errors === true,
      delete: ns.delete === true,
      sizeOnly: ns.size_only === true,
    },
  };
}

/** One planned transfer (or deletion), with what the result line shows. */
interface Task {
  verb: 'upload' | 'download' | 'copy' | 'move' | 'delete';
  from: Location;
  to?: Location;
  size: number;
}

const shown = (io: CommandIo, l: Location) => (l.kind === 's3' ? `s3://${l.bucket}/${l.key}` : shownLocal(io, l.path));

export async function runTransfer(
  op: 'cp' | 'mv' | 'rm' | 'sync',
  args: readonly string[],
  io: CommandIo,
  call: S3Send,
) {
  const { paths, opts } = parse(op, args);
  const src = location(paths[0]!);
  const dest = paths[1] !== undefined ? location(paths[1]) : undefined;
  if (op === 'rm' && src.kind !== 's3') throw new S3UsageError(`<S3Uri>\nError: Invalid argument type`);
  if (dest && src.kind === 'local' && dest.kind === 'local') throw new S3UsageError('Error: Invalid argument type');
  const tasks = await plan(op, src, dest, opts, io, call);
  let failed = false;
  let done = 0;
  const total = tasks.reduce((n, t) => n + t.size, 0);
  for (const [i, t] of tasks.entries()) {
    const line = `${t.verb}: ${shown(io, t.from)}${t.to ? ` to ${shown(io, t.to)}` : ''}`;
    if (opts.dryrun) {
      if (!opts.quiet && !opts.onlyErrors) io.stdout(`(dryrun) ${line}\n`);
      continue;
    }
    const started = Date.now();
    try {
      await perform(t, op, opts, io, call);
    } catch (e) {
      if (!(e instanceof ClientError)) throw e;
      failed = true;
      if (!opts.quiet) io.stderr(failure(t, io, e));
      continue;
    }
    done += t.size;
    if (opts.quiet || opts.onlyErrors) continue;
    if (t.verb === 'delete') io.stdout(`${line}\n`);
    else {
      const rate = t.size / Math.max((Date.now() - started) / 1000, 0.001);
      const left = tasks.length - i;
      const progress = `Completed ${humanSize(done)}/${humanSize(Math.max(total, done))} (${humanSize(rate)}/s) with ${left} file(s) remaining`;
      io.stdout(`${progress}\r${line.padEnd(progress.length)}\n`);
    }
  }
  return failed ? 1 : 0;
}

function failure(t: Task, io: CommandIo, e: ClientError): string {
  if (t.verb === 'download' && e.operation === 'HeadObject' && e.code === '404' && t.from.kind === 's3')
    return `fatal error: An error occurred (404) when calling the HeadObject operation: Key "${t.from.key}" does not exist\n`;
  return `${t.verb} failed: ${shown(io, t.from)}${t.to ? ` to ${shown(io, t.to)}` : ''} ${e.message}\n`;
}

const verbOf = (op: string, from: Location, to: Location | undefined): Task['verb'] =>
  op === 'rm'
    ? 'delete'
    : op === 'mv'
      ? 'move'
      : from.kind === 'local'
        ? 'upload'
        : to?.kind === 'local'
          ? 'download'
          : 'copy';

/** The transfers to make: one for a single file or object, one per entry under the root otherwise. */
async function plan(op: string, src: Location, dest: Location | undefined, opts: Options, io: CommandIo, call: S3Send) {
  if (!opts.recursive) {
    const name = src.kind === 's3' ? basename(src.key) : basename(src.path);
    const local = src.kind === 'local' ? await io.stat(src.path) : undefined;
    if (src.kind === 'local' && !local) throw new Error(`The user-provided path ${src.path} does not exist.`);
    if (!passes(opts.rules, name)) return [];
    let to = dest;
    if (dest?.kind === 's3' && (!dest.key || dest.key.endsWith('/'))) to = { ...dest, key: dest.key + name };
    if (dest?.kind === 'local' && (dest.path.endsWith('/') || (await io.stat(dest.path))?.isDirectory))
      to = { kind: 'local', path: under(dest.path === '.' ? '' : dest.path, name) };
    const size = local?.size ?? 0;
    return [{ verb: verbOf(op, src, dest), from: src, ...(to ? { to } : {}), size }];
  }
  const root = src.kind === 's3' && src.key && !src.key.endsWith('/') ? { ...src, key: `${src.key}/` } : src;
  const entries = (await entriesUnder(root, io, call, true)).filter((e) => passes(opts.rules, e.rel));
  const at = (l: Location, rel: string): Location =>
    l.kind === 's3' ? { ...l, key: under(l.key, rel) } : { kind: 'local', path: under(l.path, rel) };
  const tasks: Task[] = [];
  const existing =
    op === 'sync' && dest ? new Map((await entriesUnder(asRoot(dest), io, call)).map((e) => [e.rel, e])) : undefined;
  for (const e of entries) {
    const there = existing?.get(e.rel);
    existing?.delete(e.rel);
    if (
      there &&
      !needsSync(e, there, src.kind === 'local' ? 'upload' : dest?.kind === 'local' ? 'download' : 'copy', opts)
    )
      continue;
    tasks.push({
      verb: verbOf(op, src, dest),
      from: at(root, e.rel),
      ...(dest ? { to: at(asRoot(dest), e.rel) } : {}),
      size: e.size,
    });
  }
  if (existing && opts.delete && dest)
    for (const e of [...existing.values()].filter((x) => passes(opts.rules, x.rel)))
      tasks.push({ verb: 'delete', from: at(asRoot(dest), e.rel), size: 0 });
  return tasks;
}

/** A destination taken as a folder: an S3 key prefix ends in '/'. */
const asRoot = (l: Location): Location =>
  l.kind === 's3' && l.key && !l.key.endsWith('/') ? { ...l, key: `${l.key}/` } : l;

async function entriesUnder(root: Location, io: CommandIo, call: S3Send, must = false): Promise<Entry[]> {
  if (root.kind === 's3') return listS3(call, root.bucket, root.key);
  const st = await io.stat(root.path);
  if (!st && must) throw new Error(`The user-provided path ${root.path} does not exist.`);
  if (!st?.isDirectory) return [];
  return listLocal(io, root.path);
}

/** SizeAndLastModifiedSync: a different size, or a source newer than its copy. Downloads differ from the
 * CLI's rule (which also re-downloads when the local copy is newer) because the scratch folder cannot set
 * a file's time to the object's, so every second sync would fetch everything again. */
function needsSync(src: Entry, dest: Entry, kind: 'upload' | 'download' | 'copy', opts: Options): boolean {
  if (src.size !== dest.size) return true;
  if (opts.sizeOnly) return false;
  void kind;
  return dest.mtime.getTime() < src.mtime.getTime();
}

async function perform(t: Task, op: string, opts: Options, io: CommandIo, call: S3Send): Promise<void> {
  const { from, to } = t;
  if (t.verb === 'delete') {
    if (from.kind === 's3') await call('DeleteObject', { Bucket: from.bucket, Key: from.key });
    else await io.rm(from.path);
    return;
  }
  if (from.kind === 'local' && to?.kind === 's3') {
    const body = await io.openFile(from.path);
    const input: Record<string, unknown> = { Bucket: to.bucket, Key: to.key, ...opts.sse };
    const ext = basename(from.path).includes('.') ? basename(from.path).split('.').pop()!.toLowerCase() : '';
    const type = opts.contentType ?? MIME[ext];
    if (type) input.ContentType = type;
    if (body.size >= MULTIPART_THRESHOLD) await uploadInParts(call, input, body);
    else await call('PutObject', { ...input, Body: new Uint8Array(await body.arrayBuffer()) });
    t.size = body.size;
  } else if (from.kind === 's3' && to?.kind === 'local') {
    if (!opts.recursive) await call('HeadObject', { Bucket: from.bucket, Key: from.key });
    const dir = to.path.includes('/') ? to.path.slice(0, to.path.lastIndexOf('/')) : '';
    if (dir) await io.mkdir(dir);
    const r = await call('GetObject', { Bucket: from.bucket, Key: from.key }, { stream: true });
    const body = r.Body;
    if (body instanceof ReadableStream) t.size = await io.writeStream(to.path, body as ReadableStream<Uint8Array>);
    else {
      await io.writeFile(to.path, body as Uint8Array);
      t.size = (body as Uint8Array).length;
    }
  } else if (from.kind === 's3' && to?.kind === 's3') {
    const head = opts.recursive ? undefined : await call('HeadObject', { Bucket: from.bucket, Key: from.key });
    await call('CopyObject', { Bucket: to.bucket, Key: to.key, CopySource: `${from.bucket}/${from.key}`, ...opts.sse });
    if (head) t.size = Number(head.ContentLength ?? 0);
  }
  if (op === 'mv') {
    if (from.kind === 's3') await call('DeleteObject', { Bucket: from.bucket, Key: from.key });
    else await io.rm(from.path);
  }
}

/** A multipart upload as s3transfer makes one (CreateMultipartUpload with the object's settings, UploadPart
 * per slice, CompleteMultipartUpload), aborted when a part fails or Ctrl-C stops it, so no upload is left behind. Each part is a
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
    await call('AbortMultipartUpload', target, { cleanup: true }).catch(() => {});
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
