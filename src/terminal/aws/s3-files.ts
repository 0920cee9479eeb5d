// What `aws s3 cp|mv|rm|sync` act on, as AWS CLI v2 finds it (awscli/customizations/s3/filegenerator.py,
// filters.py, utils.relative_path): a local file or folder tree of the scratch folder, or an object or
// prefix of a bucket, each entry with its path relative to the root, size and time; --exclude/--include
// rules applied in order (the last that matches wins), with fnmatch patterns relative to the root.
import type { CommandIo } from '../io';
import { afterS3Receive, beforeS3Send } from './s3-customizations';

export type S3Send = (
  operation: string,
  input: Record<string, unknown>,
  options?: { stream?: boolean; cleanup?: boolean },
) => Promise<Record<string, unknown>>;

/** One file or object under a root: `rel` uses '/' and is empty for a single file given by name. */
export interface Entry {
  rel: string;
  size: number;
  mtime: Date;
}

export type Location = { kind: 'local'; path: string } | { kind: 's3'; bucket: string; key: string };

export function location(p: string): Location {
  if (!p.startsWith('s3://')) return { kind: 'local', path: p };
  const rest = p.slice(5);
  const slash = rest.indexOf('/');
  return slash < 0
    ? { kind: 's3', bucket: rest, key: '' }
    : { kind: 's3', bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

export const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** The path joined under a root: a folder root gets '/' between, an S3 prefix root is a folder too. */
export function under(root: string, rel: string): string {
  if (!rel) return root;
  if (!root) return rel;
  return root.endsWith('/') ? root + rel : `${root}/${rel}`;
}

/** utils.relative_path: the folder relative to the working directory, then the name ('./a.txt', 'd/a.txt'). */
export function shownLocal(io: CommandIo, path: string): string {
  const abs = absolute(io.cwd, path);
  const dir = abs.slice(0, abs.lastIndexOf('/')) || '/';
  return `${relpath(dir, io.cwd)}/${basename(abs)}`;
}

function absolute(cwd: string, p: string): string {
  const parts: string[] = [];
  for (const s of (p.startsWith('/') ? p : `${cwd}/${p}`).split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return `/${parts.join('/')}`;
}

/** os.path.relpath for absolute paths. */
function relpath(path: string, start: string): string {
  const a = path.split('/').filter(Boolean);
  const b = start.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const up = b.slice(i).map(() => '..');
  return [...up, ...a.slice(i)].join('/') || '.';
}

/** Every file under local folder `root` (recursively), sorted by path as the CLI walks it. */
export async function listLocal(io: CommandIo, root: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const walk = async (rel: string) => {
    for (const name of (await io.readdir(under(root, rel))).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const st = await io.stat(under(root, child));
      if (!st) continue;
      if (st.isDirectory) await walk(child);
      else out.push({ rel: child, size: st.size, mtime: st.mtime });
    }
  };
  await walk('');
  return out;
}

/** Every object under `prefix` (ListObjectsV2 pages, keys url-decoded as botocore does). */
export async function listS3(call: S3Send, bucket: string, prefix: string): Promise<(Entry & { key: string })[]> {
  const out: (Entry & { key: string })[] = [];
  let token: string | undefined;
  do {
    const input: Record<string, unknown> = { Bucket: bucket, Prefix: prefix };
    if (token) input.ContinuationToken = token;
    const auto = beforeS3Send('ListObjectsV2', input);
    const page = await call('ListObjectsV2', input);
    afterS3Receive('ListObjectsV2', page, auto);
    for (const c of (page.Contents as { Key: string; Size: number; LastModified: Date }[] | undefined) ?? [])
      out.push({ key: c.Key, rel: c.Key.slice(prefix.length), size: Number(c.Size), mtime: new Date(c.LastModified) });
    token = page.NextContinuationToken as string | undefined;
  } while (token);
  return out;
}

/** --exclude / --include rules in the order given. */
export type Rule = ['exclude' | 'include', string];

/** Takes the (repeatable, ordered) --exclude/--include options out of `args`. */
export function takeRules(args: readonly string[]): { rules: Rule[]; rest: string[] } {
  const rules: Rule[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--(exclude|include)(?:=(.*))?$/.exec(args[i]!);
    if (!m) rest.push(args[i]!);
    else if (m[2] !== undefined) rules.push([m[1] as Rule[0], m[2]]);
    else if (i + 1 < args.length) rules.push([m[1] as Rule[0], args[++i]!]);
    else rest.push(args[i]!);
  }
  return { rules, rest };
}

/** fnmatch.fnmatch: '*' matches anything ('/' too), '?' one character, [seq] and [!seq] a class. */
function fnmatch(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replaceAll('\\', '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Whether an entry at `rel` under the root passes the rules (included unless the last match excludes). */
export function passes(rules: readonly Rule[], rel: string): boolean {
  let included = true;
  for (const [kind, pattern] of rules) if (fnmatch(pattern).test(rel)) included = kind === 'include';
  return included;
}
