// Tab completion of `aws` command lines from the same tables the command parses with: the CLI's
// commands, each service's operations (botocore's names), and the operation's and the global options.
import type { CommandCompleter } from '../shell/complete';
import { GLOBAL_ACTIONS } from './aws';
import { SERVICES, xformName } from './model';
import { argumentTable } from './params';

const SUBCOMMANDS: Record<string, string[]> = {
  configure: ['get', 'list', 'set'],
  s3: ['cp', 'ls', 'mb', 'rb', 'rm'],
};
const COMMANDS = [...Object.keys(SERVICES), ...Object.keys(SUBCOMMANDS), 'help'].sort();
const GLOBALS = GLOBAL_ACTIONS.map((a) => a.name);
/** Global options that take a value (the next word is not a command). */
const VALUED = new Set(GLOBAL_ACTIONS.filter((a) => a.nargs !== 0 && !a.version).map((a) => a.name));

const starting = (prefix: string, names: Iterable<string>) => [...names].filter((n) => n.startsWith(prefix)).sort();

/** Completes `aws …`; undefined lets the shell complete file names (`fileb://`, `--body`). */
export const awsCompleter: CommandCompleter = (words, current) => {
  const positional: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('--')) {
      if (VALUED.has(w)) i++;
      continue;
    }
    positional.push(w);
  }
  const [command, operation] = positional;
  if (current.startsWith('-')) {
    const used = new Set(words);
    const service = command ? SERVICES[command] : undefined;
    const op =
      service && operation ? Object.entries(service.operations).find(([n]) => xformName(n) === operation) : undefined;
    const own = op ? argumentTable(service!, op[1], []).map((a) => a.action.name) : [];
    return starting(current, new Set([...own, ...GLOBALS].filter((n) => !used.has(n))));
  }
  if (!command) return starting(current, COMMANDS);
  if (operation === undefined) {
    const service = SERVICES[command];
    if (service) return starting(current, Object.keys(service.operations).map(xformName));
    if (SUBCOMMANDS[command]) return starting(current, SUBCOMMANDS[command]);
  }
  return undefined;
};
