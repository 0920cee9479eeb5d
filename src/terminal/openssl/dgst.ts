// `openssl dgst` (OpenSSL 3 apps/dgst.c): digests of files or standard input ("SHA2-256(f)= hex",
// -r, -c, -binary), HMAC (-hmac), and signatures (-sign, -verify/-prverify with -signature, -sigopt
// rsa_padding_mode / rsa_pss_saltlen) over RSA and EC keys, with dgst.c's messages and statuses.

import { hmac } from '@noble/hashes/hmac.js';
import type { CommandIo } from '../io';
import { toHex, utf8Encode } from '../../format/bytes';
import { formatOf, parseArgs, type CommandSpec } from './args';
import { DIGESTS, digestByName, type DigestName } from './cipher';
import { loadKey, parseSigOpt } from './load-key';
import { derToRaw, signMessage, verifyMessage, type SigOpts } from './sign';
import { CURVE_BYTES, modulusBytes, type Key } from './keys';
import { writeOutput } from './stdio';
import { TerminalFileError } from '../io';

const flag = (help: string) => ({ type: '-' as const, help });

export const DGST_SPEC: CommandSpec = {
  prog: 'dgst',
  usage: '[options] [file...]',
  sections: [
    { title: 'General options', opts: { help: flag('Display this summary') } },
    {
      title: 'Output options',
      opts: {
        c: flag('Print the digest with separating colons'),
        r: flag('Print the digest in coreutils format'),
        out: { type: '>', help: 'Output to filename rather than stdout' },
        keyform: { type: 'f', help: 'Key file format (PEM or DER)' },
        hex: flag('Print as hex dump'),
        binary: flag('Print in binary form'),
      },
    },
    {
      title: 'Signing options',
      opts: {
        sign: { type: 's', help: 'Sign digest using private key' },
        verify: { type: 's', help: 'Verify a signature using public key' },
        prverify: { type: 's', help: 'Verify a signature using private key' },
        sigopt: { type: 's', help: 'Signature parameter in n:v form' },
        signature: { type: '<', help: 'File with signature to verify' },
        hmac: { type: 's', help: 'Create hashed MAC with key' },
        '*': flag('Any supported digest (here: -md5 -sha1 -sha224 -sha256 -sha384 -sha512)'),
      },
    },
  ],
  params: [['file', 'Files to digest (optional; default is stdin)']],
};

export async function dgst(argv: readonly string[], io: CommandIo): Promise<number> {
  const a = parseArgs(DGST_SPEC, argv, io, true);
  if (a === 'help') return 0;
  if (!a) return 1;
  const usage = () => (io.stderr('dgst: Use -help for summary.\n'), 1);
  let md: DigestName = 'sha256';
  // With no digest option dgst uses EVP_sha256(), whose name prints as "SHA256", not the fetched "SHA2-256".
  const label = a.unknown.length || a.has('sign') ? undefined : 'SHA256';
  for (const u of a.unknown) {
    const d = digestByName(u);
    if (!d) return (io.stderr(`dgst: Unknown option or message digest: ${u}\n`), usage());
    md = d;
  }
  const keyPath = a.get('sign') ?? a.get('verify') ?? a.get('prverify');
  const mode = a.has('sign') ? 'sign' : a.has('verify') ? 'verify' : a.has('prverify') ? 'prverify' : undefined;
  if (mode && a.rest.length > 1) return (io.stderr('dgst: Can only sign or verify one file.\n'), 1);
  // dgst.c opens the output before it loads a key: a failure from here on leaves it empty.
  if (a.has('out') && !(await writeOutput(io, a.get('out'), new Uint8Array(0)))) return 1;
  const sigOpts: SigOpts = { padding: 'pkcs1', saltLen: -2 };
  const form = a.has('keyform') ? formatOf(a.get('keyform')!) : undefined;
  const key =
    keyPath === undefined ? undefined : await loadKey(io, keyPath, mode === 'verify' ? 'public' : 'private', form);
  if (key === undefined && keyPath) return 1;
  // dgst.c applies -sigopt after loading the key: RSA options on an EC key are a parameter error too.
  for (const o of a.list.filter((x) => x.name === 'sigopt')) {
    if ((key?.type === 'ec' && o.value.startsWith('rsa_')) || !parseSigOpt(o.value, sigOpts))
      return (io.stderr(`Signature parameter error "${o.value}"\n`), 1);
  }
  if (sigOpts.mgf1 && sigOpts.mgf1 !== md) {
    io.stderr(
      `dgst: rsa_mgf1_md:${sigOpts.mgf1} differs from the signature digest; this terminal runs PSS with MGF1 over that digest\n`,
    );
    return 1;
  }
  let sig: Uint8Array | undefined;
  if (mode === 'verify' || mode === 'prverify') {
    if (!a.has('signature')) return (io.stderr('No signature to verify: use the -signature option\n'), 1);
    try {
      sig = await io.readFile(a.get('signature')!);
    } catch (e) {
      if (!(e instanceof TerminalFileError)) throw e;
      return (io.stderr(`Error opening signature file ${a.get('signature')}\n`), 1);
    }
    if (sig.length === 0) return (io.stderr(`Error reading signature file ${a.get('signature')}\n`), 1);
    // dgst.c reads at most EVP_PKEY_get_size bytes of the signature file.
    sig = sig.subarray(0, maxSignatureBytes(key!));
  }
  // Signatures are written raw unless -hex is asked for; digests as hex unless -binary.
  const format = a.lastOf('hex', 'binary');
  const binary = format === 'binary' || (mode === 'sign' && format !== 'hex');
  const prefix = mode === 'sign' && key ? `${key.type === 'rsa' ? 'RSA' : 'EC'}-` : a.has('hmac') ? 'HMAC-' : '';
  const out: (Uint8Array | string)[] = [];
  let status = 0;
  const files = a.rest.length ? a.rest : [undefined];
  for (const f of files) {
    let data: Uint8Array;
    if (f === undefined) data = io.stdin;
    else {
      try {
        data = await io.readFile(f);
      } catch (e) {
        if (!(e instanceof TerminalFileError)) throw e;
        io.stderr(`${f}: No such file or directory\n`);
        status = 1;
        continue;
      }
    }
    if (sig && key) {
      // ECDSA signatures that are not canonical DER are an error in OpenSSL, not a failed check.
      if (key.type === 'ec' && !derToRaw(sig, CURVE_BYTES[key.curve])) {
        io.stderr('Error verifying data\n');
        status = 1;
        continue;
      }
      const ok = await verifyMessage(key, md, data, sig, sigOpts);
      out.push(ok ? 'Verified OK\n' : 'Verification failure\n');
      if (!ok) status = 1;
      continue;
    }
    let value: Uint8Array;
    if (key) {
      try {
        value = await signMessage(key, md, data, sigOpts);
      } catch {
        // A salt too long for the key, a message too long for raw RSA: what OpenSSL's sign step refuses.
        io.stderr('Error signing data\n');
        return 1;
      }
    } else value = a.has('hmac') ? hmac(DIGESTS[md].fn, utf8Encode(a.get('hmac')!), data) : DIGESTS[md].fn(data);
    if (binary) out.push(value);
    else if (a.has('r')) out.push(`${toHex(value)} *${f ?? 'stdin'}\n`);
    else {
      const hex = a.has('c') ? toHex(value).replace(/..(?!$)/g, '$&:') : toHex(value);
      out.push(`${prefix}${label ?? DIGESTS[md].label}(${f ?? 'stdin'})= ${hex}\n`);
    }
  }
  const bytes = out.map((p) => (typeof p === 'string' ? utf8Encode(p) : p));
  const joined = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  bytes.reduce((at, b) => (joined.set(b, at), at + b.length), 0);
  if (!(await writeOutput(io, a.get('out'), joined))) return 1;
  return status;
}

/** EVP_PKEY_get_size: the RSA modulus, or ECDSA_size (DER of two order-sized INTEGERs with a sign byte). */
function maxSignatureBytes(k: Key): number {
  if (k.type === 'rsa') return modulusBytes(k);
  const int = 2 + CURVE_BYTES[k.curve] + 1;
  const body = 2 * int;
  return 1 + (body < 128 ? 1 : 2) + body;
}
