// From an operation's model to its command line and back: the argument table (awscli clidriver
// ServiceOperation, BooleanArgument, ListArgument, pagination, streaming `outfile`, --cli-input-json/yaml)
// and the unpacking of each value (awscli argprocess.py, paramfile.py, binaryformat.py, cliinput.py).
import { parse as parseYaml } from 'yaml';
import type { Action, Namespace } from './argparse';
import { structure, xformName, type Operation, type ServiceModel, type Shape } from './model';
import { backCompat, isDict, pyInt, ShorthandParseError, ShorthandParser } from './shorthand';

/** "Error parsing parameter '--x': …" (exit 252). */
export class ParamError extends Error {
  override name = 'ParamError';
  constructor(cliName: string, message: string) {
    super(`Error parsing parameter '${cliName}': ${message}`);
  }
}

/** A message the CLI prints as is with exit 252 (ParamSyntaxError, the CLI's ParamValidationError). */
export class ParamSyntaxError extends Error {
  override name = 'ParamSyntaxError';
}

/** One entry of the operation's argument table. */
export interface CliArgument {
  action: Action;
  /** The input member it fills; absent for the CLI's own arguments. */
  member?: string;
  shape?: Shape;
  kind: 'member' | 'page' | 'outfile' | 'cli-input-json' | 'cli-input-yaml';
}

/** Blob members the CLI reads as a file path and streams (PutObject/UploadPart --body). */
const isStreaming = (s: Shape) => s.t === 'blob' && s.streaming === true;

/** The output member written to the positional `outfile` (GetObject's Body), if any. */
export function streamingOutput(model: ServiceModel, op: Operation): string | undefined {
  if (!op.output) return undefined;
  const members = structure(model, op.output).members;
  return Object.keys(members).find((m) => isStreaming(members[m]!));
}

export function argumentTable(model: ServiceModel, op: Operation, args: readonly string[]): CliArgument[] {
  const table: CliArgument[] = [];
  const input = op.input ? structure(model, op.input) : { members: {} as Record<string, Shape> };
  const overrideRequired = args.some((a) => a === '--cli-input-json' || a === '--cli-input-yaml');
  for (const [member, shape] of Object.entries(input.members)) {
    const name = `--${xformName(member)}`;
    const required = !overrideRequired && (input.required ?? []).includes(member);
    const dest = xformName(member).replaceAll('-', '_');
    if (shape.t === 'boolean') {
      table.push({ kind: 'member', member, shape, action: { name, dest, nargs: 0, constValue: true } });
      const no = `--no-${xformName(member)}`;
      table.push({ kind: 'member', member, shape, action: { name: no, dest, nargs: 0, constValue: false } });
      continue;
    }
    const action: Action = { name, dest, required };
    if (shape.t === 'list') action.nargs = '*';
    if (shape.t === 'long') action.int = true;
    table.push({ kind: 'member', member, shape, action });
  }
  if (op.paginator) {
    table.push({ kind: 'page', action: { name: '--starting-token', dest: 'starting_token' } });
    if (op.paginator.limit) table.push({ kind: 'page', action: { name: '--page-size', dest: 'page_size', int: true } });
    table.push({ kind: 'page', action: { name: '--max-items', dest: 'max_items', int: true } });
  }
  if (streamingOutput(model, op)) {
    table.push({ kind: 'outfile', action: { name: 'outfile', dest: 'outfile', positional: true, required: true } });
  } else {
    table.push({ kind: 'cli-input-json', action: { name: '--cli-input-json', dest: 'cli_input_json' } });
    table.push({ kind: 'cli-input-yaml', action: { name: '--cli-input-yaml', dest: 'cli_input_yaml' } });
  }
  return table;
}

/** Reads scratch files for file:// and fileb:// (relative to the working directory); `open` hands a
 * streaming member's file (--body) over as a Blob read as it is sent, so a large file is never whole. */
export type ReadFile = ((path: string) => Promise<Uint8Array>) & { open?: (path: string) => Promise<Blob> };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** paramfile.get_paramfile: file:// as text, fileb:// as bytes; undefined when the value is neither. */
export async function paramFile(
  value: unknown,
  read: ReadFile,
  home: string,
): Promise<string | Uint8Array | undefined> {
  if (typeof value !== 'string') return undefined;
  for (const prefix of ['file://', 'fileb://'] as const) {
    if (!value.startsWith(prefix)) continue;
    const path = expandUser(value.slice(prefix.length), home);
    let data: Uint8Array;
    try {
      data = await read(path);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ResourceLoadingError(
        `Unable to load paramfile ${value}: [Errno 2] No such file or directory: ${pyQuote(path)}`,
        why,
      );
    }
    if (prefix === 'fileb://') return data;
    try {
      return utf8.decode(data);
    } catch {
      throw new ResourceLoadingError(
        `Unable to load paramfile (${path}), text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix.`,
      );
    }
  }
  return undefined;
}

class ResourceLoadingError extends Error {
  constructor(
    message: string,
    readonly cause_?: string,
  ) {
    super(message);
  }
}

const pyQuote = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s}'`);
const expandUser = (p: string, home: string) => (p === '~' || p.startsWith('~/') ? home + p.slice(1) : p);

/** Python's json.loads with the CLI's message on failure. */
function loadJson(cliName: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new ParamError(cliName, `Invalid JSON: ${pyJsonError(value, e)}\nJSON received: ${value}`);
  }
}

/** The first words of Python's json error for the common case, else the platform's message. */
function pyJsonError(value: string, e: unknown): string {
  if (!value.trim()) return 'Expecting value: line 1 column 1 (char 0)';
  const m = /position (\d+)/.exec(String(e));
  const end = /end of (JSON|data)/i.test(String(e));
  if (m || end) {
    const pos = m ? Number(m[1]) : value.length;
    const before = value.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - before.lastIndexOf('\n');
    return `Expecting value: line ${line} column ${col} (char ${pos})`;
  }
  return e instanceof Error ? e.message : String(e);
}

const isComplex = (s: Shape) => s.t === 'structure' || s.t === 'list' || s.t === 'map';

function supportsShorthand(s: Shape): boolean {
  if (!isComplex(s)) return false;
  if (s.t === 'list' && !isComplex(s.m)) return false;
  return !containsDocument(s);
}

const containsDocument = (s: Shape): boolean =>
  s.t === 'document' || (s.t === 'list' && containsDocument(s.m)) || (s.t === 'map' && containsDocument(s.v));

/** awscli argprocess: one option's value (a string, or a list for nargs '*') → the member's value. */
export async function unpackMember(
  model: ServiceModel,
  arg: CliArgument,
  raw: unknown,
  read: ReadFile,
  home: string,
): Promise<unknown> {
  const cliName = arg.action.name;
  const shape = arg.shape!;
  let value: unknown = raw;
  // load-cli-arg: a one-item list is unwrapped only when it names a file.
  try {
    const loaded = await paramFile(Array.isArray(raw) && raw.length === 1 ? raw[0] : raw, read, home);
    if (loaded !== undefined) value = loaded;
  } catch (e) {
    if (e instanceof ResourceLoadingError) throw new ParamError(cliName, e.message);
    throw e;
  }
  if (shape.t === 'boolean') return value;
  // process-cli-arg: shorthand, unless the value looks like JSON.
  const check = Array.isArray(value) && value.length ? value[0] : value;
  const looksJson = typeof check === 'string' && /^\s*[[{]/.test(check);
  if (!looksJson && supportsShorthand(shape) && value !== undefined) {
    try {
      const special = specialCase(model, shape, value);
      if (special !== undefined) return special;
      const parser = new ShorthandParser();
      if (Array.isArray(value)) {
        const parsed = value.map((v) => parser.parse(String(v)));
        return backCompat(model, parsed, shape);
      }
      return backCompat(model, parser.parse(String(value)), shape);
    } catch (e) {
      if (e instanceof ShorthandParseError) throw new ParamError(cliName, e.message);
      throw e;
    }
  }
  return unpackCliArg(shape, value, cliName, read);
}

function specialCase(model: ServiceModel, shape: Shape, value: unknown): unknown {
  if (shape.t !== 'structure' || typeof value !== 'string') return undefined;
  const members = structure(model, shape.ref).members;
  const names = Object.keys(members);
  if (names.length === 1 && names[0] === 'Value' && members.Value!.t === 'string' && !value.includes('='))
    return { Value: value };
  return undefined;
}

async function unpackCliArg(shape: Shape, value: unknown, cliName: string, read: ReadFile): Promise<unknown> {
  if (shape.t === 'document') return loadJson(cliName, String(value));
  if (shape.t === 'structure' || shape.t === 'map') {
    const s = String(value);
    if (s.trimStart()[0] === '{') return loadJson(cliName, s);
    throw new ParamError(cliName, `Invalid JSON:\n${s}`);
  }
  if (shape.t === 'list') {
    if (typeof value === 'string') {
      if (value.trimStart()[0] === '[') return loadJson(cliName, value);
    } else if (Array.isArray(value) && value.length === 1) {
      const single = String(value[0]).trim();
      if (single && single[0] === '[') return loadJson(cliName, String(value[0]));
    }
    const items: unknown[] = typeof value === 'string' ? [...value] : (value as unknown[]);
    const out: unknown[] = [];
    for (const v of items) out.push(await unpackCliArg(shape.m, v, cliName, read));
    return out;
  }
  if (shape.t === 'integer' || shape.t === 'long') return typeof value === 'number' ? value : pyInt(String(value));
  if (shape.t === 'blob' && shape.streaming) {
    try {
      return await (read.open ?? read)(String(value));
    } catch {
      throw new ParamError(cliName, 'Blob values must be a path to a file.');
    }
  }
  return value;
}

/** --cli-input-json / --cli-input-yaml: a map whose keys fill members not given on the command line. */
export async function cliInput(arg: CliArgument, value: string, ns: Namespace, read: ReadFile, home: string) {
  const others = Object.entries(ns).filter(([k, v]) => v !== undefined && k.startsWith('cli_input'));
  if (others.length !== 1) throw new ParamSyntaxError('Only one --cli-input- parameter may be specified.');
  const loaded = await paramFile(value, read, home).catch((e: Error) => {
    throw new ParamError(arg.action.name, e.message);
  });
  const text = loaded === undefined ? value : typeof loaded === 'string' ? loaded : new TextDecoder().decode(loaded);
  let params: unknown;
  try {
    params = arg.kind === 'cli-input-json' ? JSON.parse(text) : parseYaml(text);
  } catch {
    throw new ParamError(
      arg.action.name.slice(2),
      `Invalid ${arg.kind === 'cli-input-json' ? 'JSON' : 'YAML'} received.`,
    );
  }
  if (!isDict(params))
    throw new ParamError(
      arg.action.name,
      `Invalid type: expecting map, received <class '${Array.isArray(params) ? 'list' : typeof params === 'string' ? 'str' : 'int'}'>`,
    );
  return params;
}

/** Invalid base64 in a blob given as text (binaryformat.py, exit 255). */
export class InvalidBase64Error extends Error {
  override name = 'InvalidBase64Error';
}

/** Python's base64.b64decode (validate=False): characters outside the alphabet are dropped. */
export function pyB64decode(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/=]/g, '');
  const data = clean.replace(/=.*$/s, '');
  const rem = data.length % 4;
  const pads = clean.length - data.length;
  if (rem === 1 || (rem === 2 && pads < 2) || (rem === 3 && pads < 1))
    throw new InvalidBase64Error(`Invalid base64: "${text}"`);
  const bin = atob(data + '='.repeat((4 - rem) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The v2 default (`base64`): blobs given as text are base64 and decoded before sending. */
export function decodeBlobs(model: ServiceModel, params: Record<string, unknown>, shapeRef: string): void {
  const visit = (parent: Record<string, unknown> | unknown[], key: string | number, s: Shape) => {
    const v = (parent as Record<string, unknown>)[key as string];
    if (v === undefined || v === null) return;
    if (s.t === 'blob' && typeof v === 'string') (parent as Record<string, unknown>)[key as string] = pyB64decode(v);
    else if (s.t === 'structure' && isDict(v))
      for (const [m, ms] of Object.entries(structure(model, s.ref).members)) visit(v, m, ms);
    else if (s.t === 'list' && Array.isArray(v)) v.forEach((_, i) => visit(v, i, s.m));
    else if (s.t === 'map' && isDict(v)) for (const k of Object.keys(v)) visit(v, k, s.v);
  };
  for (const [m, ms] of Object.entries(structure(model, shapeRef).members)) visit(params, m, ms);
}

/** The text bytes of a blob given without fileb:// under raw-in-base64-out. */
export function encodeTextBlobs(model: ServiceModel, params: Record<string, unknown>, shapeRef: string): void {
  const enc = new TextEncoder();
  const visit = (parent: Record<string, unknown> | unknown[], key: string | number, s: Shape) => {
    const v = (parent as Record<string, unknown>)[key as string];
    if (v === undefined || v === null) return;
    if (s.t === 'blob' && typeof v === 'string') (parent as Record<string, unknown>)[key as string] = enc.encode(v);
    else if (s.t === 'structure' && isDict(v))
      for (const [m, ms] of Object.entries(structure(model, s.ref).members)) visit(v, m, ms);
    else if (s.t === 'list' && Array.isArray(v)) v.forEach((_, i) => visit(v, i, s.m));
    else if (s.t === 'map' && isDict(v)) for (const k of Object.keys(v)) visit(v, k, s.v);
  };
  for (const [m, ms] of Object.entries(structure(model, shapeRef).members)) visit(params, m, ms);
}
