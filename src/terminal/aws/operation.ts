// One operation's command line to its request (awscli clidriver ServiceOperation.__call__): parse the
// options of its argument table, unpack each value, merge --cli-input-json, decide pagination, decode
// base64 blobs and validate, in the CLI's order so the same mistakes give the same messages.
import type { CommandIo } from '../io';
import { ArgParser, type Action } from './argparse';
import type { Globals } from './aws';
import { structure, xformName, type ServiceModel, type Shape } from './model';
import {
  argumentTable,
  cliInput,
  decodeBlobs,
  encodeTextBlobs,
  ParamSyntaxError,
  streamingOutput,
  unpackMember,
  type ReadFile,
} from './params';
import type { PagingConfig } from './paginate';
import { validateParams, parseTimestamp } from './validate';

/** "Unknown options: --bogus, 1" (exit 252, after the usage text). */
export class UnknownArgumentError extends Error {
  override name = 'UnknownArgumentError';
}

export interface OperationCall {
  input: Record<string, unknown>;
  paginate: boolean;
  paging: PagingConfig;
  outfile?: string;
  streamingMember?: string;
  help?: string;
}

export async function runOperation(
  model: ServiceModel,
  command: string,
  opName: string,
  args: readonly string[],
  io: CommandIo,
  globals: Globals,
): Promise<OperationCall> {
  const op = model.operations[opName]!;
  const table = argumentTable(model, op, args);
  const helpCall = (): OperationCall => ({
    input: {},
    paginate: false,
    paging: {},
    help: helpFor(
      command,
      opName,
      table.map((a) => a.action),
    ),
  });
  if (args.length === 1 && args[0] === 'help') return helpCall();
  const help: Action = { name: 'help', dest: 'help', positional: true, nargs: '?' };
  const parser = new ArgParser([...table.map((a) => a.action), help]);
  const { ns, extras } = parser.parseKnownArgs(args);
  if (ns.help === 'help') return helpCall();
  if (ns.help !== undefined) extras.push(ns.help as string);
  if (extras.length) throw new UnknownArgumentError(`Unknown options: ${extras.join(', ')}`);

  let paginate = globals.paginate;
  const paging: PagingConfig = {};
  if (op.paginator) {
    const manual = [op.paginator.input, op.paginator.limit]
      .filter((m): m is string => !!m)
      .map((m) => xformName(m).replaceAll('-', '_'));
    if (manual.some((d) => ns[d] !== undefined)) paginate = false;
    if (!paginate) {
      const used = ['starting_token', 'page_size', 'max_items'].filter((d) => ns[d] !== undefined && ns[d] !== 0);
      if (used.length)
        throw new ParamSyntaxError(
          `Cannot specify --no-paginate along with pagination arguments: ${used.map((d) => `--${d.replaceAll('_', '-')}`).join(', ')}`,
        );
    }
  }

  const home = io.env.HOME ?? '/home/user';
  const read: ReadFile = Object.assign((p: string) => io.readFile(p), { open: (p: string) => io.openFile(p) });
  const input: Record<string, unknown> = {};
  let outfile: string | undefined;
  for (const arg of table) {
    const value = ns[arg.action.dest];
    if (value === undefined) continue;
    if (arg.kind === 'member') input[arg.member!] = await unpackMember(model, arg, value, read, home);
    else if (arg.kind === 'page') {
      if (arg.action.dest === 'starting_token') paging.startingToken = value as string;
      if (arg.action.dest === 'page_size') paging.pageSize = value as number;
      if (arg.action.dest === 'max_items') paging.maxItems = value as number;
    } else if (arg.kind === 'outfile') outfile = value as string;
  }
  for (const arg of table) {
    const value = ns[arg.action.dest];
    if ((arg.kind === 'cli-input-json' || arg.kind === 'cli-input-yaml') && value !== undefined) {
      const loaded = await cliInput(arg, value as string, ns, read, home);
      for (const [k, v] of Object.entries(loaded)) if (!(k in input)) input[k] = v;
    }
  }
  if (op.paginator && [op.paginator.input, op.paginator.limit].some((m) => m !== undefined && m in input))
    paginate = false;

  if (op.input) {
    if (globals.binaryFormat === 'base64') decodeBlobs(model, input, op.input);
    else encodeTextBlobs(model, input, op.input);
    validateParams(model, input, op.input);
    toSdkTypes(model, input, op.input);
  }
  const streamingMember = streamingOutput(model, op);
  const call: OperationCall = { input, paginate, paging };
  if (outfile !== undefined) call.outfile = outfile;
  if (streamingMember !== undefined) call.streamingMember = streamingMember;
  return call;
}

/** Timestamps as the SDK takes them (Date). */
function toSdkTypes(model: ServiceModel, params: Record<string, unknown>, ref: string): void {
  const visit = (parent: Record<string, unknown> | unknown[], key: string | number, s: Shape) => {
    const holder = parent as Record<string | number, unknown>;
    const v = holder[key];
    if (v === undefined || v === null) return;
    if (s.t === 'timestamp' && (typeof v === 'string' || typeof v === 'number')) holder[key] = parseTimestamp(v);
    else if (s.t === 'structure' && typeof v === 'object' && !Array.isArray(v))
      for (const [m, ms] of Object.entries(structure(model, s.ref).members)) visit(v as Record<string, unknown>, m, ms);
    else if (s.t === 'list' && Array.isArray(v)) v.forEach((_, i) => visit(v, i, s.m));
    else if (s.t === 'map' && typeof v === 'object')
      for (const k of Object.keys(v as object)) visit(v as Record<string, unknown>, k, s.v);
  };
  for (const [m, ms] of Object.entries(structure(model, ref).members)) visit(params, m, ms);
}

function helpFor(command: string, opName: string, actions: Action[]): string {
  const opts = actions
    .filter(
      (a) =>
        !a.name.startsWith('--no-') ||
        !actions.some((b) => b.dest === a.dest && b !== a && !b.name.startsWith('--no-')),
    )
    .map((a) => {
      const neg = actions.find((b) => b !== a && b.dest === a.dest && b.name.startsWith('--no-'));
      const flag = a.positional ? `<${a.name}>` : neg ? `${a.name} | ${neg.name}` : `${a.name} <value>`;
      return a.required ? `  ${flag}\n` : `  [${flag}]\n`;
    })
    .join('');
  return `${xformName(opName)}\n\nUSAGE\n  aws ${command} ${xformName(opName)}\n${opts}`;
}
