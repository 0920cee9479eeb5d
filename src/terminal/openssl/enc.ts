// `openssl enc` and `openssl base64` (OpenSSL 3 apps/enc.c): AES-CBC with -K/-iv or a passphrase
// (EVP_BytesToKey, or PBKDF2 with -pbkdf2/-iter), the "Salted__" header, -base64/-A text, -nopad,
// -p/-P; the checks, their order and their messages follow enc.c so lab sheets see what OpenSSL says.

import type { CommandIo } from '../io';
import { toHex, utf8Encode } from '../../format/bytes';
import { parseArgs, type CommandSpec } from './args';
import { AbortedError, bytesToKey, cbcDecrypt, cbcEncrypt, digestByName, pbkdf2 } from './cipher';
import { base64Decode, base64Text, readInput, writeOutput } from './stdio';

const flag = (help: string) => ({ type: '-' as const, help });
const str = (help: string) => ({ type: 's' as const, help });

export const ENC_SPEC = (prog: string): CommandSpec => ({
  prog,
  usage: '[options]',
  sections: [
    {
      title: 'General options',
      opts: {
        help: flag('Display this summary'),
        e: flag('Encrypt'),
        d: flag('Decrypt'),
        p: flag('Print the iv/key'),
        P: flag('Print the iv/key and exit'),
      },
    },
    {
      title: 'Input options',
      opts: {
        in: { type: '<', help: 'Input file' },
        k: str('Passphrase'),
        kfile: { type: '<', help: 'Read passphrase from file' },
      },
    },
    {
      title: 'Output options',
      opts: {
        out: { type: '>', help: 'Output file' },
        pass: str('Passphrase source'),
        v: flag('Verbose output'),
        a: flag('Base64 encode/decode, depending on encryption flag'),
        base64: flag('Same as option -a'),
        A: flag('Used with -[base64|a] to specify base64 buffer as a single line'),
      },
    },
    {
      title: 'Encryption options',
      opts: {
        nopad: flag('Disable standard block padding'),
        salt: flag('Use salt in the KDF (default)'),
        nosalt: flag('Do not use salt in the KDF'),
        K: str('Raw key, in hex'),
        S: str('Salt, in hex'),
        iv: str('IV in hex'),
        md: str('Use specified digest to create a key from the passphrase'),
        iter: { type: 'p', help: 'Specify the iteration count and force use of PBKDF2' },
        pbkdf2: flag('Use password-based key derivation function 2'),
        none: flag("Don't encrypt"),
        '*': flag('Any supported cipher (here: -aes-256-cbc, -aes256, -aes-128-cbc, -aes128)'),
      },
    },
  ],
});

/** The ciphers this terminal runs: AES in CBC mode (WebCrypto has no AES-192 in every browser). */
const CIPHERS: Record<string, number> = { 'aes-256-cbc': 32, aes256: 32, 'aes-128-cbc': 16, aes128: 16 };
const AEAD =
  /^(id-)?(aes-(128|192|256)-(gcm|ccm|ocb)|aes(128|192|256)-gcm|chacha20-poly1305|sm4-gcm|aria-(128|192|256)-(gcm|ccm))$/i;
/** Names OpenSSL 3 knows that this terminal does not run: said plainly instead of "Unknown cipher". */
const OTHER_CIPHERS =
  /^(aes-(128|192|256)-(ecb|cbc|cfb|cfb1|cfb8|ofb|ctr|xts|wrap|wrap-pad)|aes192|des.*|bf.*|cast.*|camellia.*|aria.*|sm4.*|chacha20|seed.*|idea.*|rc2.*|rc4.*|rc5.*|id-aes.*)$/i;

/** enc.c's set_hex: hex into `size` bytes, zero-padded or cut, with its warnings; undefined on a non-hex digit. */
function setHex(io: CommandIo, hex: string, size: number): Uint8Array | undefined {
  if (hex.length > size * 2) io.stderr('hex string is too long, ignoring excess\n');
  else if (hex.length < size * 2) io.stderr('hex string is too short, padding with zero bytes to length\n');
  const out = new Uint8Array(size);
  const n = Math.min(hex.length, size * 2);
  for (let i = 0; i < n; i++) {
    const v = parseInt(hex[i]!, 16);
    if (!/[0-9a-fA-F]/.test(hex[i]!)) return (io.stderr('non-hex digit\n'), undefined);
    out[i >> 1]! |= i & 1 ? v : v << 4;
  }
  return out;
}

/** apps.c app_passwd: pass:, env:, file:, stdin; undefined after a message when it cannot. */
async function passwordFrom(io: CommandIo, arg: string): Promise<string | undefined> {
  const firstLine = (b: Uint8Array) => new TextDecoder().decode(b).split(/\r?\n/)[0]!;
  if (arg.startsWith('pass:')) return arg.slice(5);
  if (arg.startsWith('env:')) {
    const v = io.env[arg.slice(4)];
    if (v === undefined) io.stderr(`No environment variable ${arg.slice(4)}\n`);
    return v;
  }
  if (arg.startsWith('file:')) {
    const b = await readInput(io, arg.slice(5));
    return b && firstLine(b);
  }
  if (arg === 'stdin') return firstLine(io.stdin);
  io.stderr(`Invalid password argument "${arg}"\n`);
  return undefined;
}

export async function enc(prog: 'enc' | 'base64', argv: readonly string[], io: CommandIo): Promise<number> {
  const a = parseArgs(ENC_SPEC(prog), argv, io, true);
  if (a === 'help') return 0;
  if (!a) return 1;
  const usage = () => (io.stderr(`${prog}: Use -help for summary.\n`), 1);
  if (a.rest.length) return usage();
  const encrypt = a.lastOf('e', 'd') !== 'd';
  const base64 = prog === 'base64' || a.has('a') || a.has('base64');
  const oneLine = a.has('A');
  const cipherName = a.has('none') ? undefined : a.unknown.at(-1);
  let keyLen = 0;
  if (cipherName !== undefined) {
    if (AEAD.test(cipherName)) return (io.stderr(`${prog}: AEAD ciphers not supported\n`), usage());
    if (!(cipherName.toLowerCase() in CIPHERS)) {
      if (OTHER_CIPHERS.test(cipherName))
        return (
          io.stderr(
            `${prog}: Cipher ${cipherName} is not available in this terminal (it has -aes-256-cbc, -aes-128-cbc)\n`,
          ),
          1
        );
      return (io.stderr(`${prog}: Unknown cipher: ${cipherName}\n`), usage());
    }
    keyLen = CIPHERS[cipherName.toLowerCase()]!;
  }
  const mdArg = a.get('md');
  const md = mdArg === undefined ? 'sha256' : digestByName(mdArg);
  if (!md) return (io.stderr(`${prog}: Unknown option or message digest: ${mdArg}\n`), usage());
  const pbkdf2On = a.has('pbkdf2') || a.has('iter');
  const iter = a.int('iter') ?? (pbkdf2On ? 10000 : 1);
  let input = await readInput(io, a.get('in'));
  if (!input) return 1;
  let pass = a.get('k');
  if (pass === undefined && a.has('kfile')) {
    const f = await readInput(io, a.get('kfile'));
    if (!f) return usage();
    pass = new TextDecoder().decode(f).split(/\r?\n/)[0]!;
    if (!pass) return (io.stderr(`${prog}: zero length password\n`), usage());
  }
  if (pass === undefined && a.has('pass')) {
    pass = await passwordFrom(io, a.get('pass')!);
    if (pass === undefined) return (io.stderr('Error getting password\n'), 1);
  }
  const hkey = a.get('K');
  if (pass === undefined && cipherName !== undefined && hkey === undefined) {
    // OpenSSL would prompt on the terminal ("enter AES-256-CBC encryption password:").
    io.stderr(
      `${prog}: this terminal cannot prompt for a password: give -k <password>, -pass pass:<password> or -K/-iv\n`,
    );
    return 1;
  }
  const outPath = a.get('out');
  const outParts: (Uint8Array | string)[] = [];
  // enc.c opens the output before it reads or derives anything: a failure later leaves what was written.
  const finish = async (status: number) => {
    const bytes = outParts.map((p) => (typeof p === 'string' ? utf8Encode(p) : p));
    const joined = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
    bytes.reduce((at, b) => (joined.set(b, at), at + b.length), 0);
    const body = encrypt && base64 ? base64Text(joined, oneLine) : joined;
    if (!(await writeOutput(io, outPath, body))) return 1;
    return status;
  };
  if (!encrypt && base64) input = base64Decode(input, oneLine);
  if (cipherName === undefined) {
    outParts.push(input);
    return finish(0);
  }
  const salt = new Uint8Array(8);
  const nosalt = a.lastOf('salt', 'nosalt') === 'nosalt';
  const hsalt = a.get('S');
  let data = input;
  if (!encrypt) {
    // With a passphrase the 8-byte magic is read first: too little input fails before any key is made
    // (with -K, OpenSSL 3.0 goes on and reports "bad decrypt").
    if (data.length < 8 && pass !== undefined) return (io.stderr('error reading input file\n'), finish(1));
    if (data.length >= 8 && new TextDecoder('latin1').decode(data.subarray(0, 8)) === 'Salted__') {
      if (data.length < 16) return (io.stderr('error reading input file\n'), finish(1));
      salt.set(data.subarray(8, 16));
      data = data.subarray(16);
    } else if (hsalt === undefined && pass !== undefined) {
      return (io.stderr('bad magic number\n'), finish(1));
    }
  }
  let key: Uint8Array = new Uint8Array(keyLen);
  let iv: Uint8Array = new Uint8Array(16);
  const printKey = a.lastOf('p', 'P');
  if (pass !== undefined) {
    let sptr: Uint8Array | undefined;
    if (!nosalt) {
      if (encrypt && hsalt === undefined) {
        crypto.getRandomValues(salt);
        // Only a generated salt is written; -P writes nothing at all.
        if (printKey !== 'P') outParts.push(new TextEncoder().encode('Salted__'), salt.slice());
      }
      if (hsalt !== undefined) {
        const s = setHex(io, hsalt, 8);
        if (!s) return (io.stderr('invalid hex salt value\n'), finish(1));
        salt.set(s);
      }
      sptr = salt;
    }
    const pw = utf8Encode(pass);
    let km: Uint8Array;
    if (pbkdf2On) {
      try {
        km = await pbkdf2(md, pw, sptr ?? new Uint8Array(0), iter, keyLen + 16, io.signal);
      } catch (e) {
        if (e instanceof AbortedError) return 130;
        throw e;
      }
    } else {
      io.stderr('*** WARNING : deprecated key derivation used.\nUsing -iter or -pbkdf2 would be better.\n');
      km = bytesToKey(md, pw, sptr, keyLen + 16);
    }
    key = km.slice(0, keyLen);
    iv = km.slice(keyLen);
  }
  const hiv = a.get('iv');
  if (hiv !== undefined) {
    const v = setHex(io, hiv, 16);
    if (!v) return (io.stderr('invalid hex iv value\n'), finish(1));
    iv = v;
  }
  if (hiv === undefined && pass === undefined) return (io.stderr('iv undefined\n'), finish(1));
  if (hkey !== undefined) {
    const k = setHex(io, hkey, keyLen);
    if (!k) return (io.stderr('invalid hex key value\n'), finish(1));
    key = k;
  }
  if (printKey) {
    // printf to standard output in enc.c, whatever -out says.
    const up = (b: Uint8Array) => toHex(b).toUpperCase();
    io.stdout(`${nosalt ? '' : `salt=${up(salt)}\n`}key=${up(key)}\niv =${up(iv)}\n`);
    if (printKey === 'P') return finish(0);
  }
  const pad = !a.has('nopad');
  const r = encrypt ? await cbcEncrypt(key, iv, data, pad) : await cbcDecrypt(key, iv, data, pad);
  outParts.push(r.out);
  if (!r.ok) io.stderr(encrypt ? 'bad encrypt\n' : 'bad decrypt\n');
  return finish(r.ok ? 0 : 1);
}
