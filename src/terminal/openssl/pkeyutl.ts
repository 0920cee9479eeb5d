// `openssl pkeyutl` (OpenSSL 3 apps/pkeyutl.c) and the deprecated `openssl rsautl`: RSA encryption
// (OAEP through WebCrypto; PKCS#1 v1.5 and raw in software, see rsa.ts), signatures over a digest the
// caller computed, and ECDH (-derive) through WebCrypto (secp256k1 through @noble/curves).

import type { CommandIo } from '../io';
import { own } from '../../format/bytes';
import { formatOf, parseArgs, type CommandSpec, type Parsed } from './args';
import { digestByName, type DigestName } from './cipher';
import { CURVE_BYTES, NOBLE, modulusBytes, type Key, type RsaKey } from './keys';
import { loadKey, parseSigOpt } from './load-key';
import { pkcs1Decrypt, pkcs1Encrypt, pkcs1Recover, rsaPrivate, rsaPublic } from './rsa';
import { jwkOf, signDigest, verifyDigest, type SigOpts } from './sign';
import { readInput, writeOutput } from './stdio';

const flag = (help: string) => ({ type: '-' as const, help });

export const PKEYUTL_SPEC: CommandSpec = {
  prog: 'pkeyutl',
  usage: '[options]',
  sections: [
    {
      title: 'General options',
      opts: {
        help: flag('Display this summary'),
        sign: flag('Sign input data with private key'),
        verify: flag('Verify with public key'),
        encrypt: flag('Encrypt input data with public key'),
        decrypt: flag('Decrypt input data with private key'),
        derive: flag('Derive shared secret'),
      },
    },
    {
      title: 'Input options',
      opts: {
        in: { type: '<', help: 'Input file - default stdin' },
        inkey: { type: 's', help: 'Input key' },
        pubin: flag('Input is a public key'),
        keyform: { type: 'f', help: 'Private key format (PEM or DER)' },
        peerkey: { type: 's', help: 'Peer key file used in key derivation' },
        peerform: { type: 'f', help: 'Peer key format (PEM or DER)' },
        sigfile: { type: '<', help: 'Signature file (verify operation only)' },
      },
    },
    {
      title: 'Output options',
      opts: {
        out: { type: '>', help: 'Output file - default stdout' },
        pkeyopt: { type: 's', help: 'Public key options as opt:value' },
      },
    },
  ],
};

type Op = 'sign' | 'verify' | 'encrypt' | 'decrypt' | 'derive';

interface EncOpts extends SigOpts {
  oaepMd: DigestName;
  label?: Uint8Array;
  digest?: DigestName;
}

/** Which -pkeyopt names each operation's context takes in OpenSSL 3 (others: "Can't set parameter"). */
const SETTABLE: Record<'cipher' | 'signature' | 'derive', readonly string[]> = {
  cipher: ['rsa_padding_mode', 'rsa_oaep_md', 'rsa_mgf1_md', 'rsa_oaep_label', 'digest'],
  signature: ['rsa_padding_mode', 'rsa_pss_saltlen', 'rsa_mgf1_md', 'digest'],
  derive: [],
};

/** -pkeyopt name:value for operation `op` on a key of `type`; false for what OpenSSL would not set. */
function pkeyopt(opt: string, o: EncOpts, op: Op, type: Key['type']): boolean {
  const name = opt.slice(0, opt.indexOf(':'));
  const value = opt.slice(opt.indexOf(':') + 1);
  const ctx = op === 'encrypt' || op === 'decrypt' ? 'cipher' : op === 'derive' ? 'derive' : 'signature';
  if (!SETTABLE[ctx].includes(name) || (type === 'ec' && name !== 'digest')) return false;
  if (name === 'rsa_padding_mode' && value === 'oaep') {
    // OpenSSL 3.0 takes "oaep" in a signature context and still signs with PKCS#1 v1.5.
    if (ctx === 'cipher') o.padding = 'oaep';
    return true;
  }
  if (name === 'rsa_oaep_md' || name === 'digest') {
    const d = digestByName(value);
    if (!d) return false;
    if (name === 'rsa_oaep_md') o.oaepMd = d;
    else o.digest = d;
    return true;
  }
  if (name === 'rsa_oaep_label') {
    const h = value.match(/^(?:[0-9a-fA-F]{2})*$/) ? (value.match(/../g) ?? []) : undefined;
    if (!h) return false;
    o.label = Uint8Array.from(h, (x) => parseInt(x, 16));
    return true;
  }
  return parseSigOpt(opt, o);
}

const WEB_HASH: Partial<Record<DigestName, string>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

/** The RSA operation; throws an Error whose message says why OpenSSL would fail it. */
async function rsaCrypt(op: 'encrypt' | 'decrypt', k: RsaKey, data: Uint8Array, o: EncOpts): Promise<Uint8Array> {
  const padding = o.padding;
  if (padding === 'oaep') {
    const hash = WEB_HASH[o.oaepMd];
    if (!hash || (o.mgf1 && o.mgf1 !== o.oaepMd))
      throw new Error(
        'OAEP in this terminal needs rsa_oaep_md and rsa_mgf1_md to be one SHA-1 or SHA-2 digest (WebCrypto)',
      );
    const ck = await crypto.subtle.importKey('jwk', jwkOf(k, op === 'decrypt'), { name: 'RSA-OAEP', hash }, false, [
      op,
    ]);
    const params: RsaOaepParams = o.label ? { name: 'RSA-OAEP', label: own(o.label) } : { name: 'RSA-OAEP' };
    return new Uint8Array(
      op === 'encrypt'
        ? await crypto.subtle.encrypt(params, ck, own(data))
        : await crypto.subtle.decrypt(params, ck, own(data)),
    );
  }
  if (padding === 'none') {
    if (data.length !== modulusBytes(k)) throw new Error('data is not the size of the modulus');
    return op === 'encrypt' ? rsaPublic(k, data) : rsaPrivate(k, data);
  }
  if (padding !== 'pkcs1') throw new Error('unknown padding type');
  return op === 'encrypt' ? pkcs1Encrypt(k, data) : pkcs1Decrypt(k, data);
}

/** ECDH: the x coordinate of d·Q (SEC 1 §3.3.1), as OpenSSL's derive writes it. */
async function derive(priv: Key, peer: Key): Promise<Uint8Array> {
  if (priv.type !== 'ec' || peer.type !== 'ec' || priv.curve !== peer.curve) throw new Error('keys do not match');
  if (priv.curve === 'secp256k1') return NOBLE.secp256k1.getSharedSecret(priv.d!, peer.point).subarray(1);
  const alg = { name: 'ECDH', namedCurve: priv.curve };
  const mine = await crypto.subtle.importKey('jwk', jwkOf(priv, true), alg, false, ['deriveBits']);
  const theirs = await crypto.subtle.importKey('jwk', jwkOf(peer, false), alg, false, []);
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'ECDH', public: theirs }, mine, CURVE_BYTES[priv.curve] * 8),
  );
}

export async function pkeyutl(argv: readonly string[], io: CommandIo): Promise<number> {
  const a = parseArgs(PKEYUTL_SPEC, argv, io);
  if (a === 'help') return 0;
  if (!a) return 1;
  if (a.rest.length) return (io.stderr(`pkeyutl: Unknown option: ${a.rest[0]}\npkeyutl: Use -help for summary.\n`), 1);
  const op = (a.lastOf('sign', 'verify', 'encrypt', 'decrypt', 'derive') ?? 'sign') as Op;
  const initFail = () => (io.stderr('pkeyutl: Error initializing context\n'), 1);
  if (!a.has('inkey'))
    return (io.stderr('pkeyutl: no private key given (-inkey parameter)\npkeyutl: Use -help for summary.\n'), 1);
  const pub = a.has('pubin');
  const key = await loadKey(io, a.get('inkey')!, pub ? 'public' : 'private', keyForm(a, 'keyform'));
  if (!key) return initFail();
  if ((op === 'sign' || op === 'decrypt' || op === 'derive') && pub)
    return (io.stderr(`pkeyutl: -${op} needs a private key; -pubin was given\n`), initFail());
  if ((op === 'encrypt' || op === 'decrypt') && key.type !== 'rsa') return initFail();
  if (op === 'derive' && key.type !== 'ec') return initFail();
  const o: EncOpts = { padding: 'pkcs1', saltLen: -2, oaepMd: 'sha1' };
  for (const p of a.list.filter((x) => x.name === 'pkeyopt')) {
    if (!pkeyopt(p.value, o, op, key.type)) return (io.stderr(`pkeyutl: Can't set parameter "${p.value}":\n`), 1);
  }
  if ((op === 'sign' || op === 'verify') && o.mgf1 && o.mgf1 !== (o.digest ?? 'sha1')) {
    io.stderr(
      `pkeyutl: rsa_mgf1_md:${o.mgf1} differs from the signature digest; this terminal runs PSS with MGF1 over that digest\n`,
    );
    return 1;
  }
  // pkeyutl.c opens its output once the context is set up: a failure from here on leaves it empty.
  const openOut = async () => !a.has('out') || (await writeOutput(io, a.get('out'), new Uint8Array(0)));
  let result: Uint8Array;
  if (op === 'derive') {
    if (!(await openOut())) return 1;
    if (!a.has('peerkey')) return (io.stderr('pkeyutl: no peer key given (-peerkey parameter)\n'), 1);
    const peer = await loadKey(io, a.get('peerkey')!, 'public', keyForm(a, 'peerform'));
    if (!peer) return (io.stderr('pkeyutl: Error setting up peer key\n'), 1);
    try {
      result = await derive(key, peer);
    } catch {
      return (io.stderr('pkeyutl: Error setting up peer key\n'), 1);
    }
  } else {
    let sig: Uint8Array | undefined;
    if (op === 'verify') {
      if (!a.has('sigfile')) return (io.stderr('pkeyutl: No signature file specified for verify\n'), 1);
      sig = await readInput(io, a.get('sigfile'));
      if (!sig) return 1;
    }
    const input = await readInput(io, a.get('in'));
    if (!input || !(await openOut())) return 1;
    // pkeyutl.c: without -rawin the input of a signature is a digest, so no longer than the longest one.
    if ((op === 'sign' || op === 'verify') && input.length > 64) {
      io.stderr('Error: The input data looks too long to be a hash\n');
      return 1;
    }
    if (o.digest && (op === 'sign' || op === 'verify') && input.length !== DIGEST_LEN[o.digest]) {
      io.stderr('Public Key operation error\n');
      return 1;
    }
    try {
      if (op === 'verify') {
        const ok = verifyDigest(key, o.digest, input, sig!, o);
        io.stdout(ok ? 'Signature Verified Successfully\n' : 'Signature Verification Failure\n');
        return ok ? 0 : 1;
      }
      result = op === 'sign' ? signDigest(key, o.digest, input, o) : await rsaCrypt(op, key as RsaKey, input, o);
    } catch (e) {
      io.stderr(`Public Key operation error\n`);
      if (e instanceof Error && /terminal/.test(e.message)) io.stderr(`pkeyutl: ${e.message}\n`);
      return 1;
    }
  }
  return (await writeOutput(io, a.get('out'), result)) ? 0 : 1;
}

const DIGEST_LEN: Record<DigestName, number> = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

function keyForm(a: Parsed, opt: string): 'PEM' | 'DER' | undefined {
  const v = a.get(opt);
  return v === undefined ? undefined : formatOf(v);
}

export const RSAUTL_SPEC: CommandSpec = {
  prog: 'rsautl',
  usage: '[options]',
  sections: [
    {
      title: 'General options',
      opts: {
        help: flag('Display this summary'),
        sign: flag('Sign with private key'),
        verify: flag('Verify with public key'),
        encrypt: flag('Encrypt with public key'),
        decrypt: flag('Decrypt with private key'),
      },
    },
    {
      title: 'Input options',
      opts: {
        in: { type: '<', help: 'Input file' },
        inkey: { type: 's', help: 'Input key' },
        keyform: { type: 'f', help: 'Private key format (PEM or DER)' },
        pubin: flag('Input is an RSA public'),
        raw: flag('Use no padding'),
        pkcs: flag('Use PKCS#1 v1.5 padding (default)'),
        oaep: flag('Use PKCS#1 OAEP'),
      },
    },
    { title: 'Output options', opts: { out: { type: '>', help: 'Output file' } } },
  ],
};

/** rsautl: RSA only, the whole input in one operation, OAEP with SHA-1 (rsautl has no digest option). */
export async function rsautl(argv: readonly string[], io: CommandIo): Promise<number> {
  io.stderr("The command rsautl was deprecated in version 3.0. Use 'pkeyutl' instead.\n");
  const a = parseArgs(RSAUTL_SPEC, argv, io);
  if (a === 'help') return 0;
  if (!a) return 1;
  if (a.rest.length) return (io.stderr('rsautl: Use -help for summary.\n'), 1);
  const op = (a.lastOf('sign', 'verify', 'encrypt', 'decrypt') ?? 'verify') as Op;
  const pad = a.lastOf('raw', 'pkcs', 'oaep') ?? 'pkcs';
  const needPriv = op === 'sign' || op === 'decrypt';
  if (needPriv && a.has('pubin')) return (io.stderr('A private key is needed for this operation\n'), 1);
  if (!a.has('inkey')) return (io.stderr('rsautl: no key given (-inkey parameter)\n'), 1);
  const key = await loadKey(io, a.get('inkey')!, a.has('pubin') ? 'public' : 'private', keyForm(a, 'keyform'));
  if (!key) return 1;
  const input = await readInput(io, a.get('in'));
  if (!input) return 1;
  if (key.type !== 'rsa') return (io.stderr('RSA operation error\n'), 1);
  const o: EncOpts = {
    padding: pad === 'raw' ? 'none' : pad === 'oaep' ? 'oaep' : 'pkcs1',
    saltLen: -2,
    oaepMd: 'sha1',
  };
  let result: Uint8Array;
  try {
    if (op === 'sign') result = o.padding === 'none' ? rsaPrivate(key, input) : signDigest(key, undefined, input, o);
    else if (op === 'verify') result = o.padding === 'none' ? rsaPublic(key, input) : pkcs1Recover(key, input);
    else result = await rsaCrypt(op as 'encrypt' | 'decrypt', key, input, o);
  } catch {
    io.stderr('RSA operation error\n');
    return 1;
  }
  return (await writeOutput(io, a.get('out'), result)) ? 0 : 1;
}
