// The CLI's shared config file ($HOME/.aws/config, or AWS_CONFIG_FILE): read as botocore reads it
// ([default], [profile name]) and updated line by line as `aws configure set` does
// (awscli/customizations/configure/writer.py). Credentials never go to a file here: they are injected.
import type { CommandIo } from '../io';

export type Profiles = Record<string, Record<string, string>>;

const SECTION = /^\s*\[([^\]]+)\]/;
const OPTION = /^([^:=][^:=]*?)\s*[:=]\s*(.*)$/;

export function configPath(env: Readonly<Record<string, string>>): string {
  const home = env.HOME ?? '/home/user';
  const p = env.AWS_CONFIG_FILE ?? '~/.aws/config';
  return p === '~' || p.startsWith('~/') ? home + p.slice(1) : p;
}

export async function readConfigText(io: CommandIo): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await io.readFile(configPath(io.env)));
  } catch {
    return undefined;
  }
}

/** Profiles by name: `[default]` is "default", `[profile x]` is "x"; indented sub-values are skipped. */
export function parseConfig(text: string | undefined): Profiles {
  const out: Profiles = {};
  let current: Record<string, string> | undefined;
  for (const line of (text ?? '').split(/\r?\n/)) {
    if (/^\s*[#;]/.test(line) || !line.trim()) continue;
    const s = SECTION.exec(line);
    if (s) {
      const header = s[1]!.trim();
      const name =
        header === 'default'
          ? 'default'
          : header.startsWith('profile ')
            ? header
                .slice(8)
                .trim()
                .replace(/^"(.*)"$/, '$1')
            : undefined;
      current = name === undefined ? undefined : (out[name] ??= {});
      continue;
    }
    if (!current || /^\s/.test(line)) continue;
    const o = OPTION.exec(line);
    if (o) current[o[1]!.trim()] = o[2]!.trim();
  }
  return out;
}

const sectionOf = (profile: string) =>
  profile === 'default' ? 'default' : /[ \t]/.test(profile) ? `profile '${profile}'` : `profile ${profile}`;

/** ConfigFileWriter.update_config for one flat value. */
export function updateConfig(text: string | undefined, profile: string, key: string, value: string): string {
  const section = sectionOf(profile);
  const line = `${key} = ${value}\n`;
  if (text === undefined || text === '') return `[${section}]\n${line}`;
  const contents = text.split(/(?<=\n)/);
  const start = contents.findIndex((l) => !/^\s*[#;]/.test(l.trim()) && SECTION.exec(l)?.[0] === `[${section}]`);
  if (start < 0) return text + (text.endsWith('\n') ? '' : '\n') + `[${section}]\n${line}`;
  let last = start;
  for (let j = start + 1; j < contents.length; j++) {
    const l = contents[j]!;
    if (SECTION.test(l)) {
      contents.splice(last + 1, 0, line);
      return contents.join('');
    }
    const o = OPTION.exec(l.replace(/\n$/, ''));
    if (o) {
      last = j;
      if (o[1]!.trim() === key) {
        contents[j] = line;
        return contents.join('');
      }
    }
  }
  if (!contents[contents.length - 1]!.endsWith('\n')) contents.push('\n');
  // The writer inserts after `last + 1` here (one line further than inside the file): kept as it is.
  contents.splice(last + 2, 0, line);
  return contents.join('');
}
