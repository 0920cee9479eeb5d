// Pure helpers of the key page's public-key, Sign/Verify and MAC panels: PEM text, downloads, how a
// file is hashed for each signing algorithm, and the exact `openssl` command that verifies a signature.

import { download as saveBlob } from '../shared/download';

/** PEM (RFC 7468) of DER bytes. */
export function toPem(der: Uint8Array, label = 'PUBLIC KEY'): string {
  let bin = '';
  for (const b of der) bin += String.fromCharCode(b);
  const b64 = btoa(bin)
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Starts a browser download of `data` as `name`. */
export function download(data: Uint8Array | string, name: string, type = 'application/octet-stream'): void {
  saveBlob(new Blob([data as BlobPart], { type }), name);
}

export type FileDigestKind = 'SHA-256' | 'SHA-384' | 'SHA-512' | 'ML-DSA-MU';

/** How a file is signed with `alg`: hashed in the worker and sent as DIGEST or EXTERNAL_MU, or sent RAW
 * (ED25519_SHA_512 has no digest form, so only files of up to 4096 bytes). */
export function fileMode(
  alg: string,
): { kind: FileDigestKind; messageType: 'DIGEST' | 'EXTERNAL_MU' } | { messageType: 'RAW' } {
  if (alg === 'ED25519_SHA_512') return { messageType: 'RAW' };
  if (alg === 'ML_DSA_SHAKE_256') return { kind: 'ML-DSA-MU', messageType: 'EXTERNAL_MU' };
  const bits = /SHA_(256|384|512)$/.exec(alg)?.[1] ?? '256';
  return { kind: `SHA-${bits}` as FileDigestKind, messageType: 'DIGEST' };
}

const shellQuote = (s: string) => (/^[\w./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** The OpenSSL 3 command that verifies `sigFile` (raw signature bytes) over `messageFile` with `pemFile`,
 * or a sentence saying why OpenSSL 3.0 cannot. */
export function opensslVerify(
  alg: string,
  pemFile: string,
  messageFile: string,
  sigFile: string,
): { command?: string; note?: string } {
  const [pem, msg, sig] = [pemFile, messageFile, sigFile].map(shellQuote);
  const bits = /SHA_(256|384|512)$/.exec(alg)?.[1];
  if (alg.startsWith('RSASSA_PSS')) {
    return {
      command: `openssl dgst -sha${bits} -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:${Number(bits) / 8} -verify ${pem} -signature ${sig} ${msg}`,
    };
  }
  if (alg.startsWith('RSASSA_PKCS1') || alg.startsWith('ECDSA'))
    return { command: `openssl dgst -sha${bits} -verify ${pem} -signature ${sig} ${msg}` };
  if (alg === 'ED25519_SHA_512')
    return { command: `openssl pkeyutl -verify -pubin -inkey ${pem} -rawin -in ${msg} -sigfile ${sig}` };
  if (alg === 'ED25519_PH_SHA_512')
    return {
      note: 'OpenSSL 3.0 cannot verify Ed25519ph signatures (OpenSSL 3.2 added Ed25519ph to its API, not to the command line). Use Verify here.',
    };
  return { note: 'OpenSSL 3.0 has no ML-DSA (OpenSSL 3.5 adds it). Use Verify here.' };
}
