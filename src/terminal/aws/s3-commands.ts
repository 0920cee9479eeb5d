// `aws s3 ls|mb|rb` as AWS CLI v2 prints them (awscli/customizations/s3/subcommands.py), and the entry to
// `cp|mv|rm|sync` (s3-transfer.ts): built on the same `send` as `s3api`.
import type { CommandIo } from '../io';
import { ArgParser } from './argparse';
import type { Globals, SendRequest } from './aws';
import { ClientError } from './errors';
import { beforeS3Send, afterS3Receive } from './s3-customizations';
import { basename, type S3Send } from './s3-files';
import { runTransfer, S3UsageError } from './s3-transfer';

export { S3UsageError };

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
  send: (
    r: Omit<SendRequest, 'signal' | 'region' | 'profile' | 'endpointUrl'> & { signal?: AbortSignal },
  ) => Promise<Record<string, unknown>>,
): Promise<number> {
  const call: S3Send = (operation, input, options) => {
    // Clean-up after Ctrl-C (aborting a multipart upload) still goes out, with a signal of its own.
    if (!options?.cleanup) io.signal.throwIfAborted();
    return send({
      service: 's3',
      operation,
      input,
      ...(options?.stream ? { streamOutput: true } : {}),
      ...(options?.cleanup ? { signal: AbortSignal.timeout(10_000) } : {}),
    });
  };
  const sub = new ArgParser([
    {
      name: 'operation',
      dest: 'op',
      positional: true,
      required: true,
      choices: ['cp', 'ls', 'mb', 'mv', 'rb', 'rm', 'sync'],
    },
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
    case 'cp':
    case 'mv':
    case 'rm':
    case 'sync':
      return runTransfer(sub.ns.op as 'cp' | 'mv' | 'rm' | 'sync', rest, io, call);
  }
  return 0;
}
