// The pieces of `openssl enc`: AES-CBC through WebCrypto with OpenSSL's padding rules (PKCS#7, or
// none with -nopad, and a wrong pad is "bad decrypt"), EVP_BytesToKey (OpenSSL's legacy KDF, one
// iteration) and PBKDF2-HMAC (RFC 8018 §5.2) that stops when the person presses Ctrl-C.

import { md5, sha1 } from '@noble/hashes/legacy.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { concat, own } from '../../format/bytes';

/** Digests -md (and dgst) know, by OpenSSL's names in lower case, with the name OpenSSL 3 prints. */
export const DIGESTS = {
  md5: { fn: md5, label: 'MD5' },
  sha1: { fn: sha1, label: 'SHA1' },
  sha224: { fn: sha224, label: 'SHA2-224' },
  sha256: { fn: sha256, label: 'SHA2-256' },
  sha384: { fn: sha384, label: 'SHA2-384' },
  sha512: { fn: sha512, label: 'SHA2-512' },
} as const;
export type DigestName = keyof typeof DIGESTS;

/** A digest name as OpenSSL 3 accepts it: case-blind, "sha256", "SHA2-256", "sha-256". */
export function digestByName(name: string): DigestName | undefined {
  const n = name
    .toLowerCase()
    .replace(/^sha2-/, 'sha')
    .replace(/^sha-/, 'sha');
  return n in DIGESTS ? (n as DigestName) : undefined;
}

/** EVP_BytesToKey with count 1: D_i = md(D_{i-1} || pass || salt) until key and IV are filled. */
export function bytesToKey(md: DigestName, pass: Uint8Array, salt: Uint8Array | undefined, len: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let have = 0;
  let prev = new Uint8Array(0);
  while (have < len) {
    prev = DIGESTS[md].fn(concat([prev, pass, salt ?? new Uint8Array(0)]));
    parts.push(prev);
    have += prev.length;
  }
  return concat(parts).slice(0, len);
}

/** Ctrl-C during a long derivation. */
export class AbortedError extends Error {
  override name = 'AbortedError';
}

/** Up to this many iterations PBKDF2 runs natively in WebCrypto (~1 s): an abort then returns at once
 * and the little work left finishes unseen. Beyond it, a loop that Ctrl-C really stops. */
const NATIVE_ITERATIONS = 1_000_000;
const WEB_HASH: Partial<Record<DigestName, string>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new AbortedError('aborted'));
    signal.addEventListener('abort', () => reject(new AbortedError('aborted')), { once: true });
  });
}

/**
 * PBKDF2-HMAC (RFC 8018 §5.2) that stops when the person presses Ctrl-C. WebCrypto's deriveBits is
 * fast but cannot be cancelled, and `-iter 2147483647` runs for hours: large counts (and MD5/SHA-224,
 * which WebCrypto lacks) run over noble's HMAC in a loop that yields and checks `signal`.
 * @throws AbortedError when `signal` is aborted
 */
export async function pbkdf2(
  md: DigestName,
  pass: Uint8Array,
  salt: Uint8Array,
  iter: number,
  len: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const webHash = WEB_HASH[md];
  if (webHash && iter <= NATIVE_ITERATIONS) {
    const k = await crypto.subtle.importKey('raw', own(pass), 'PBKDF2', false, ['deriveBits']);
    const bits = crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: webHash, salt: own(salt), iterations: iter },
      k,
      len * 8,
    );
    return new Uint8Array(await Promise.race([bits, aborted(signal)]));
  }
  const hash = DIGESTS[md].fn;
  const prf = hmac.create(hash, pass);
  const out = new Uint8Array(len);
  const hLen = hash.outputLen;
  for (let block = 1, at = 0; at < len; block++, at += hLen) {
    const u = prf
      .clone()
      .update(salt)
      .update(new Uint8Array([block >>> 24, (block >>> 16) & 255, (block >>> 8) & 255, block & 255]))
      .digest();
    const t = u.slice();
    // noble's own pbkdf2 reuses one HMAC state the same way (no allocation per iteration).
    let w = prf._cloneInto();
    for (let i = 1; i < iter; i++) {
      if ((i & 0x3fff) === 0) {
        // Let the Ctrl-C event in.
        await new Promise((r) => setTimeout(r, 0));
        if (signal.aborted) throw new AbortedError('aborted');
      }
      w = prf._cloneInto(w);
      w.update(u).digestInto(u);
      for (let j = 0; j < hLen; j++) t[j]! ^= u[j]!;
    }
    out.set(t.subarray(0, Math.min(hLen, len - at)), at);
  }
  return out;
}

const aes = (key: Uint8Array, use: KeyUsage) => crypto.subtle.importKey('raw', own(key), 'AES-CBC', false, [use]);

/** AES-CBC encryption; `pad` false (-nopad) needs whole blocks. Returns the ciphertext and, when
 * the input is not whole blocks under -nopad, the error OpenSSL's final step reports. */
export async function cbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, pad: boolean) {
  const k = await aes(key, 'encrypt');
  const whole = data.length - (data.length % 16);
  const input = pad ? data : data.subarray(0, whole);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: own(iv) }, k, own(input)));
  // WebCrypto always pads; without padding the last (all-padding) block is dropped.
  return { out: pad ? ct : ct.subarray(0, whole), ok: pad || whole === data.length };
}

/** AES-CBC decryption as EVP_DecryptUpdate + Final: on a bad pad (or a partial block) `ok` is false
 * and `out` holds what OpenSSL writes before saying "bad decrypt". */
export async function cbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, pad: boolean) {
  const whole = data.length - (data.length % 16);
  let plain = new Uint8Array(0);
  if (whole > 0) {
    // WebCrypto only decrypts padded data: append the block that encrypts a full block of padding
    // after the last one (E(0x10.. XOR C_last), the first block of encrypting it with IV C_last).
    const last = data.subarray(whole - 16, whole);
    const ek = await aes(key, 'encrypt');
    const extra = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-CBC', iv: own(last) }, ek, new Uint8Array(16).fill(16)),
    ).subarray(0, 16);
    const dk = await aes(key, 'decrypt');
    plain = new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-CBC', iv: own(iv) }, dk, own(concat([data.subarray(0, whole), extra]))),
    );
  }
  if (whole !== data.length || (pad && whole === 0)) return { out: plain, ok: false };
  if (!pad) return { out: plain, ok: true };
  const n = plain[plain.length - 1]!;
  const good = n >= 1 && n <= 16 && plain.subarray(plain.length - n).every((b) => b === n);
  return good
    ? { out: plain.subarray(0, plain.length - n), ok: true }
    : { out: plain.subarray(0, plain.length - 16), ok: false };
}
