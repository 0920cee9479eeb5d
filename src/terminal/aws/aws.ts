// The terminal's `aws` command: AWS CLI v2's command line (global options, service, operation, options
// from the service model) run over an injected `send`, printed and failing as the CLI does
// (awscli/clidriver.py). `configure` lives in configure.ts; the request itself in sdk-send.ts.
import jmespath from 'jmespath';
import type { CommandIo, TerminalCommand } from '../io';
import { ArgParseError, ArgParser, VersionExit, type Action } from './argparse';
import { readConfigText, parseConfig } from './config';
import { runConfigure } from './configure';
import { runS3, S3UsageError } from './s3-commands';
import { ClientError, clientErrorFrom, ConfigurationError, NoCredentialsError, RC, USAGE } from './errors';
import { SERVICES, xformName, type ServiceModel } from './model';
import { applyQuery, formatOutput, formatText, toCliShape, type Json } from './output';
import { fullResult, paginate } from './paginate';
import { afterS3Receive, beforeS3Send } from './s3-customizations';
import { decodePolicyDocuments } from './iam-customizations';
import { PythonValueError } from './shorthand';
import { runOperation, UnknownArgumentError } from './operation';
import { InvalidBase64Error, ParamError, ParamSyntaxError } from './params';
import { ParamValidationError } from './validate';

/** One request, as the CLI would send it: blobs are bytes, timestamps Dates. */
export interface SendRequest {
  /** The SDK's service: kms, sts, s3, iam or cloudtrail. */
  service: 'kms' | 'sts' | 's3' | 'iam' | 'cloudtrail';
  operation: string;
  input: Record<string, unknown>;
  region: string;
  profile: string | undefined;
  /** --endpoint-url when given (the page's transport otherwise decides). */
  endpointUrl: string | undefined;
  signal: AbortSignal;
  /** Leave a streaming output member (GetObject's Body) as a ReadableStream for the caller to write to
   * a file as it arrives, instead of reading it into bytes. */
  streamOutput?: boolean;
}

/** Sends one request; resolves to the SDK's output (streaming bodies read into bytes unless
 * `streamOutput`), or throws the SDK's error (its `name` is the AWS error code, `$metadata.httpStatusCode`
 * the status). */
export type Send = (request: SendRequest) => Promise<Record<string, unknown>>;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Where they came from, as `aws configure list` shows it (e.g. "pocket-kms"). */
  source?: string;
}

export interface AwsCommandOptions {
  send: Send;
  /** The credentials a profile signs with; undefined when it has none (the CLI's NoCredentialsError). */
  credentialsFor?: (profile: string | undefined) => Promise<Credentials | undefined>;
  /** What `aws --version` prints and the user agent starts with. */
  version?: string;
  /** The service models by CLI command (kms, s3api, sts); the generated ones by default. */
  models?: Partial<Record<string, ServiceModel>> | undefined;
}

export const CLI_VERSION = '2.9.19';
export const USER_AGENT = `aws-cli/${CLI_VERSION} Pocket-KMS-terminal`;

const SERVICE_OF: Record<string, SendRequest['service']> = {
  kms: 'kms',
  sts: 'sts',
  s3api: 's3',
  iam: 'iam',
  cloudtrail: 'cloudtrail',
};
const COMMANDS = ['kms', 'iam', 's3api', 'sts', 's3', 'cloudtrail', 'configure', 'help'];

/** The global options of awscli/data/cli.json. */
export const GLOBAL_ACTIONS: Action[] = [
  { name: '--debug', dest: 'debug', nargs: 0, constValue: true, default: false },
  { name: '--endpoint-url', dest: 'endpoint_url' },
  { name: '--no-verify-ssl', dest: 'verify_ssl', nargs: 0, constValue: false, default: true },
  { name: '--no-paginate', dest: 'paginate', nargs: 0, constValue: false, default: true },
  { name: '--output', dest: 'output', choices: ['json', 'text', 'table', 'yaml', 'yaml-stream'] },
  { name: '--query', dest: 'query' },
  { name: '--profile', dest: 'profile' },
  { name: '--region', dest: 'region' },
  { name: '--version', dest: 'version', nargs: 0, version: true },
  { name: '--color', dest: 'color', choices: ['on', 'off', 'auto'], default: 'auto' },
  { name: '--no-sign-request', dest: 'sign_request', nargs: 0, constValue: false, default: true },
  { name: '--ca-bundle', dest: 'ca_bundle' },
  { name: '--cli-read-timeout', dest: 'read_timeout', int: true },
  { name: '--cli-connect-timeout', dest: 'connect_timeout', int: true },
  { name: '--cli-binary-format', dest: 'cli_binary_format', choices: ['base64', 'raw-in-base64-out'] },
  { name: '--no-cli-pager', dest: 'no_cli_pager', nargs: 0, constValue: true, default: false },
  { name: '--cli-auto-prompt', dest: 'cli_auto_prompt', nargs: 0, constValue: true, default: false },
  { name: '--no-cli-auto-prompt', dest: 'no_cli_auto_prompt', nargs: 0, constValue: true, default: false },
];

export interface Globals {
  region: string | undefined;
  output: string;
  profile: string | undefined;
  query: string | undefined;
  endpointUrl: string | undefined;
  paginate: boolean;
  binaryFormat: string;
  width: number;
  config: Record<string, string>;
  /** Whether ~/.aws/config has a section for the profile. */
  profileInConfig: boolean;
}

export function createAwsCommand(options: AwsCommandOptions): TerminalCommand {
  const version = options.version ?? CLI_VERSION;
  return async (argv, io) => {
    const err = (s: string) => io.stderr(s);
    try {
      return await main(argv, io, options);
    } catch (e) {
      if (e instanceof VersionExit) {
        io.stdout(`aws-cli/${version} Pocket-KMS-terminal prompt/off\n`);
        return RC.ok;
      }
      if (io.signal.aborted) {
        io.stdout('\n');
        return RC.interrupted;
      }
      if (e instanceof ArgParseError) {
        err(`\nusage: ${USAGE}\n${e.message}\n\n`);
        return RC.paramValidation;
      }
      if (e instanceof UnknownArgumentError) {
        err(`\nusage: ${USAGE}\n${e.message}\n\n`);
        return RC.paramValidation;
      }
      if (
        e instanceof ParamError ||
        e instanceof ParamSyntaxError ||
        e instanceof ParamValidationError ||
        e instanceof S3UsageError
      ) {
        err(`\n${e.message}\n`);
        return RC.paramValidation;
      }
      if (e instanceof ConfigurationError) {
        err(`\n${e.message}\n`);
        return RC.configuration;
      }
      if (e instanceof NoCredentialsError) {
        err(`\n${e.message}. You can configure credentials by running "aws configure".\n`);
        return RC.configuration;
      }
      if (e instanceof ClientError) {
        err(`\n${e.message}\n`);
        return RC.client;
      }
      if (e instanceof PythonValueError || e instanceof InvalidBase64Error) {
        err(`\n${e.message}\n`);
        return RC.general;
      }
      err(`\n${e instanceof Error ? e.message : String(e)}\n`);
      return RC.general;
    }
  };
}

async function main(argv: readonly string[], io: CommandIo, options: AwsCommandOptions): Promise<number> {
  const mainParser = new ArgParser([
    ...GLOBAL_ACTIONS,
    { name: 'command', dest: 'command', positional: true, required: true, choices: COMMANDS },
  ]);
  const { ns, extras } = mainParser.parseKnownArgs(argv);
  const globals = await resolveGlobals(ns, io);
  const command = ns.command as string;
  if (command === 'help') {
    io.stdout(helpText());
    return RC.ok;
  }
  if (command === 'configure') return runConfigure(extras, io, globals, options);
  if (command === 's3') {
    await requireCredentials(options, globals);
    return runS3(extras, io, globals, async (r) => {
      try {
        const out = await options.send({
          ...r,
          region: globals.region ?? 'us-east-1',
          profile: globals.profile,
          endpointUrl: globals.endpointUrl,
          signal: r.signal ?? io.signal,
        });
        return out;
      } catch (e) {
        throw clientErrorFrom(e, r.operation) ?? e;
      }
    });
  }
  const model = options.models?.[command] ?? SERVICES[command]!;
  const opNames = Object.keys(model.operations);
  const byCli = new Map(opNames.map((o) => [xformName(o), o]));
  const serviceParser = new ArgParser([
    { name: 'operation', dest: 'operation', positional: true, required: true, choices: [...byCli.keys(), 'help'] },
  ]);
  const parsed = serviceParser.parseKnownArgs(extras);
  const opCli = parsed.ns.operation as string;
  if (opCli === 'help') {
    io.stdout(`${command}\n\nAvailable commands:\n${[...byCli.keys()].map((c) => `  o ${c}\n`).join('')}`);
    return RC.ok;
  }
  const opName = byCli.get(opCli)!;
  const call = await runOperation(model, command, opName, parsed.extras, io, globals);
  if (call.help) {
    io.stdout(call.help);
    return RC.ok;
  }
  const service = SERVICE_OF[command]!;
  if (globals.region === undefined && service !== 's3')
    throw new ConfigurationError(
      'You must specify a region. You can also configure your region by running "aws configure".',
    );
  await requireCredentials(options, globals);
  const op = model.operations[opName]!;
  const send = async (given: Record<string, unknown>, streamOutput = false) => {
    const input = { ...given };
    const autoSet = service === 's3' && beforeS3Send(opName, input);
    // Ctrl-C before the request leaves: nothing is sent (the catch-all turns it into exit 130).
    io.signal.throwIfAborted();
    try {
      const output = await options.send({
        service,
        operation: opName,
        input,
        // IAM is global: botocore signs it for us-east-1 whatever --region says.
        region: service === 'iam' ? 'us-east-1' : (globals.region ?? 'us-east-1'),
        profile: globals.profile,
        endpointUrl: globals.endpointUrl,
        signal: io.signal,
        streamOutput,
      });
      if (service === 's3') afterS3Receive(opName, output, autoSet);
      if (service === 'iam') decodePolicyDocuments(output);
      return output;
    } catch (e) {
      throw clientErrorFrom(e, opName) ?? e;
    }
  };
  const localTime = service === 'kms';
  const title = opName;
  const print = (data: Json) => {
    const shown = applyQuery(data, globals.query);
    io.stdout(formatOutput(globals.output, shown, title, globals.width));
  };
  if (op.paginator && call.paginate) {
    const p = op.paginator;
    const result = await paginate(p, call.input, call.paging, send);
    const pages = result.pages.map((pg) => toCliShape(model, pg, op.output, localTime) as Record<string, unknown>);
    if (globals.output === 'text') {
      // The text formatter prints page by page, --query applied to each (formatter.py TextFormatter).
      let out = '';
      for (const pg of pages) {
        const cur: Record<string, unknown> = {};
        // Absent result keys are set to None, which the text format prints (a "None" line).
        for (const k of p.results) cur[k] = pg[k] ?? null;
        out += formatText(applyQuery(cur as Json, globals.query));
      }
      if (result.resumeToken !== undefined)
        out += formatText(applyQuery({ NextToken: { NextToken: result.resumeToken } }, globals.query));
      io.stdout(out);
      return RC.ok;
    }
    print(
      fullResult(p, {
        pages,
        ...(result.resumeToken !== undefined ? { resumeToken: result.resumeToken } : {}),
      }) as Json,
    );
    return RC.ok;
  }
  const { outfile, streamingMember } = call;
  const output = await send(call.input, outfile !== undefined && streamingMember !== undefined);
  if (outfile !== undefined && streamingMember !== undefined) {
    const body = output[streamingMember];
    if (body instanceof ReadableStream) await io.writeStream(outfile, body as ReadableStream<Uint8Array>);
    else if (body instanceof Uint8Array) await io.writeFile(outfile, body);
    delete output[streamingMember];
  }
  print(toCliShape(model, output, op.output, localTime));
  return RC.ok;
}

async function resolveGlobals(ns: Record<string, unknown>, io: CommandIo): Promise<Globals> {
  const env = io.env;
  const profile = (ns.profile as string | undefined) ?? env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE;
  const profiles = parseConfig(await readConfigText(io));
  const config = profiles[profile ?? 'default'] ?? {};
  const region = (ns.region as string | undefined) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? config.region;
  const output = (ns.output as string | undefined) ?? env.AWS_DEFAULT_OUTPUT ?? config.output ?? 'json';
  if (!['json', 'text', 'table', 'yaml', 'yaml-stream'].includes(output))
    throw new ConfigurationError(`Unknown output type: ${output}`);
  const binaryFormat = (ns.cli_binary_format as string | undefined) ?? config.cli_binary_format ?? 'base64';
  const width = Number(env.COLUMNS) > 0 ? Number(env.COLUMNS) : 80;
  if (ns.query !== undefined) checkQuery(ns.query as string);
  return {
    region: region || undefined,
    output,
    profile,
    query: ns.query as string | undefined,
    endpointUrl: ns.endpoint_url as string | undefined,
    paginate: ns.paginate !== false,
    binaryFormat,
    width,
    config,
    profileInConfig: (profile ?? 'default') in profiles,
  };
}

/** The CLI fails before sending when it has no credentials; a named profile it knows of nowhere is
 * reported as such (botocore's ProfileNotFound, exit 255). */
async function requireCredentials(options: AwsCommandOptions, globals: Globals): Promise<void> {
  if (!options.credentialsFor || (await options.credentialsFor(globals.profile))) return;
  if (globals.profile !== undefined && !globals.profileInConfig)
    throw new Error(`The config profile (${globals.profile}) could not be found`);
  throw new NoCredentialsError();
}

/** --query is compiled before anything else runs (awscli globalargs.resolve_types): a bad one is a usage
 * error. An unfinished expression gets jmespath's own message; others the JavaScript parser's words. */
function checkQuery(query: string): void {
  try {
    // The package exports compile; its published types leave it out.
    (jmespath as unknown as { compile(q: string): unknown }).compile(query);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const detail = /\(EOF\)/.test(message)
      ? `Incomplete expression:\n"${query}"\n${' '.repeat(query.length + 1)}^`
      : message;
    throw new ParamSyntaxError(`Bad value for --query ${query}: Invalid jmespath expression: ${detail}`);
  }
}

function helpText(): string {
  return (
    'aws\n\nDESCRIPTION\n  The AWS Command Line Interface, as the Pocket KMS terminal offers it.\n\n' +
    'SYNOPSIS\n  aws [options] <command> <subcommand> [parameters]\n\nAVAILABLE SERVICES\n' +
    COMMANDS.map((c) => `  o ${c}\n`).join('')
  );
}
