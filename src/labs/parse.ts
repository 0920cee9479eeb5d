// Reads a lab file (docs/LABS.md "The file"): YAML, of which JSON is a subset, then validates it (format.ts).
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { LabFormatError, validateLab, type Lab } from './format';

const MAX_FILE = 1024 * 1024;

/** Parses a lab file (YAML, of which JSON is a subset) and validates it.
 * @throws LabFormatError naming each bad field's path */
export function parseLab(text: string): Lab {
  if (text.length > MAX_FILE) throw new LabFormatError([{ path: '', message: 'a lab file is at most 1 MiB' }]);
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    const at = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : '';
    throw new LabFormatError([{ path: '', message: `not YAML or JSON${at}: ${(e as Error).message.split('\n')[0]}` }]);
  }
  return validateLab(data);
}
