// `aws configure set|get|list` for the shared config file (awscli/customizations/configure/set.py,
// get.py, list.py). Keys are written as the CLI writes them; credentials are injected by the page, so
// setting a secret key here is refused rather than written to a file.
import type { CommandIo } from '../io';
import { ArgParser } from './argparse';
import type { AwsCommandOptions, Globals } from './aws';
import { configPath, parseConfig, readConfigText, updateConfig } from './config';
import { RC } from './errors';

const SECRETS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'];

const row = (name: string, value: string, type: string, location: string) =>
  `${name.padStart(10)} ${value.padStart(24)} ${type.padStart(16)}    ${location}\n`;

const mask = (v: string) => '*'.repeat(16) + v.slice(-4);

export async function runConfigure(
  args: readonly string[],
  io: CommandIo,
  globals: Globals,
  options: AwsCommandOptions,
): Promise<number> {
  const sub = new ArgParser([
    { name: 'subcommand', dest: 'sub', positional: true, required: true, choices: ['list', 'get', 'set', 'help'] },
  ]).parseKnownArgs(args);
  const rest = sub.extras;
  const profile = globals.profile;
  switch (sub.ns.sub) {
    case 'set': {
      const { ns } = new ArgParser([
        { name: 'varname', dest: 'varname', positional: true, required: true },
        { name: 'value', dest: 'value', positional: true, required: true },
      ]).parseKnownArgs(rest);
      let varname = ns.varname as string;
      let target = profile ?? 'default';
      const parts = varname.split('.');
      if (parts.length > 1) {
        if (parts[0] === 'default') [target, varname] = ['default', parts[1]!];
        else if (parts[0] === 'profile' && parts.length > 2) [target, varname] = [parts[1]!, parts[2]!];
        else varname = parts[0]!;
      }
      if (SECRETS.includes(varname)) {
        io.stderr(
          `\nThe Pocket KMS terminal does not store ${varname}: requests are signed with the credentials of the console's identity.\n`,
        );
        return RC.general;
      }
      const text = await readConfigText(io);
      const path = configPath(io.env);
      // As the CLI: ~/.aws is made on the first `configure set`.
      if (path.includes('/')) await io.mkdir(path.slice(0, path.lastIndexOf('/')) || '/');
      await io.writeFile(path, new TextEncoder().encode(updateConfig(text, target, varname, ns.value as string)));
      return RC.ok;
    }
    case 'get': {
      const { ns } = new ArgParser([
        { name: 'varname', dest: 'varname', positional: true, required: true },
      ]).parseKnownArgs(rest);
      const varname = ns.varname as string;
      const profiles = parseConfig(await readConfigText(io));
      const parts = varname.split('.');
      let value: string | undefined;
      if (parts.length === 1) value = profiles[profile ?? 'default']?.[varname];
      else if (parts[0] === 'profile') value = profiles[parts[1]!]?.[parts[2] ?? ''];
      else if (parts[0] === 'default' || parts[0]! in profiles) value = profiles[parts[0]!]?.[parts[1]!];
      else value = profiles[profile ?? 'default']?.[parts[0]!];
      if (value === undefined) return 1;
      io.stdout(`${value}\n`);
      return RC.ok;
    }
    case 'list': {
      const env = io.env;
      const profiles = parseConfig(await readConfigText(io));
      const cfg = profiles[profile ?? 'default'] ?? {};
      let out = row('Name', 'Value', 'Type', 'Location') + row('----', '-----', '----', '--------');
      const argProfile = globals.profile !== undefined && !env.AWS_PROFILE && !env.AWS_DEFAULT_PROFILE;
      if (globals.profile === undefined) out += row('profile', '<not set>', 'None', 'None');
      else if (argProfile || globals.profile !== (env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE))
        out += row('profile', globals.profile, 'manual', '--profile');
      else out += row('profile', globals.profile, 'env', "['AWS_PROFILE', 'AWS_DEFAULT_PROFILE']");
      const creds = await options.credentialsFor?.(profile);
      if (creds) {
        const source = creds.source ?? 'pocket-kms';
        out += row('access_key', mask(creds.accessKeyId), source, '');
        out += row('secret_key', mask(creds.secretAccessKey), source, '');
      } else {
        out += row('access_key', '<not set>', 'None', 'None');
        out += row('secret_key', '<not set>', 'None', 'None');
      }
      const envRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      if (envRegion) out += row('region', envRegion, 'env', "['AWS_REGION', 'AWS_DEFAULT_REGION']");
      else if (cfg.region) out += row('region', cfg.region, 'config-file', env.AWS_CONFIG_FILE ?? '~/.aws/config');
      else if (globals.region) out += row('region', globals.region, 'imds', '');
      else out += row('region', '<not set>', 'None', 'None');
      io.stdout(out);
      return RC.ok;
    }
    default:
      io.stdout('configure\n\nAvailable commands:\n  o list\n  o get\n  o set\n');
      return RC.ok;
  }
}
