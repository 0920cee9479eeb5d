// Loading a key named on the command line the way OpenSSL 3's apps/lib/apps.c load_key/load_pubkey
// report failure ("Could not read public key from pub.pem"), and reading -sigopt / -pkeyopt values.

import { TerminalFileError, type CommandIo } from '../io';
import { decodeKey, KeyDecodeError, type Key } from './keys';
import type { SigOpts } from './sign';
import { digestByName } from './cipher';

/**
 * The key in `path` (standard input when undefined); undefined after OpenSSL's message when it is missing or holds no such key.
 * @param what how the message names the key ("public key", "private key", "key of Public Key" for pkey)
 */
export async function loadKey(
  io: CommandIo,
  path: string | undefined,
  want: 'public' | 'private',
  form?: 'PEM' | 'DER',
  what = `${want} key`,
  openWhat = what,
): Promise<Key | undefined> {
  let data: Uint8Array;
  if (path === undefined) {
    data = io.stdin;
    path = '<stdin>';
  } else
    try {
      data = await io.readFile(path);
    } catch (e) {
      if (!(e instanceof TerminalFileError)) throw e;
      io.stderr(`Could not open file or uri for loading ${openWhat} from ${path}\n`);
      return undefined;
    }
  try {
    return decodeKey(data, want, form);
  } catch (e) {
    if (!(e instanceof KeyDecodeError)) throw e;
    io.stderr(`Could not read ${what} from ${path}\n`);
    // OpenSSL would read these: say why this terminal does not.
    if (e.message.startsWith('unsupported key algorithm'))
      io.stderr(
        `openssl: ${path} holds a key this terminal does not run (${e.message}; it runs RSA and EC P-256/P-384/P-521/secp256k1)\n`,
      );
    return undefined;
  }
}

/** rsa_padding_mode:pkcs1|pss|none, rsa_pss_saltlen:N|digest|max|auto and rsa_mgf1_md into `o`; false for anything else. */
export function parseSigOpt(opt: string, o: SigOpts): boolean {
  const [name, value] = [opt.slice(0, opt.indexOf(':')), opt.slice(opt.indexOf(':') + 1)];
  if (name === 'rsa_padding_mode') {
    if (value === 'pkcs1' || value === 'pss' || value === 'none') o.padding = value;
    else return false;
    return true;
  }
  if (name === 'rsa_mgf1_md') {
    const d = digestByName(value);
    if (d) o.mgf1 = d;
    return d !== undefined;
  }
  if (name === 'rsa_pss_saltlen') {
    const named: Record<string, number> = { digest: -1, auto: -2, max: -3 };
    const n = value in named ? named[value]! : /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (Number.isNaN(n) || n < -3) return false;
    o.saltLen = n;
    return true;
  }
  return false;
}
