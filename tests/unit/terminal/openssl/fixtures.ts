// The files every table starts from: keys made by the real openssl (RSA 2048 as PKCS#8, PKCS#1 and
// DER; EC P-256/P-384/P-521/secp256k1 as PKCS#8, SEC1 and SPKI), messages, and AES material.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realOk, type Files } from './harness';

export function makeFixtures(): Files {
  const dir = mkdtempSync(join(tmpdir(), 'openssl-fixtures-'));
  try {
    const o = (...a: string[]) => realOk(a, dir);
    o('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem');
    o('pkey', '-in', 'rsa.pem', '-pubout', '-out', 'rsapub.pem');
    o('pkey', '-in', 'rsa.pem', '-pubout', '-outform', 'DER', '-out', 'public_key.der');
    o('pkey', '-in', 'rsa.pem', '-outform', 'DER', '-out', 'rsa.der');
    o('rsa', '-in', 'rsa.pem', '-traditional', '-out', 'rsa-pkcs1.pem');
    o('rsa', '-in', 'rsa.pem', '-RSAPublicKey_out', '-out', 'rsapub-pkcs1.pem');
    for (const [name, curve] of [
      ['ec', 'P-256'],
      ['ec384', 'P-384'],
      ['ec521', 'P-521'],
      ['k1', 'secp256k1'],
    ]) {
      o('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', `${name}.pem`);
      o('pkey', '-in', `${name}.pem`, '-pubout', '-out', `${name}pub.pem`);
      o('pkey', '-in', `${name}.pem`, '-pubout', '-outform', 'DER', '-out', `${name}pub.der`);
    }
    o('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'peer.pem');
    o('pkey', '-in', 'peer.pem', '-pubout', '-out', 'peerpub.pem');
    o('ec', '-in', 'ec.pem', '-out', 'ec-sec1.pem');
    o('ec', '-in', 'ec.pem', '-pubout', '-conv_form', 'compressed', '-out', 'ecpub-compressed.pem');
    writeFileSync(join(dir, 'msg'), 'The quick brown fox jumps over the lazy dog\n');
    writeFileSync(join(dir, 'plaintext'), 'attack at dawn');
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'block32'), Buffer.alloc(32, 0x41));
    writeFileSync(join(dir, 'long.txt'), 'x'.repeat(1000));
    writeFileSync(join(dir, 'pass.txt'), 'filepass\nsecond line\n');
    writeFileSync(join(dir, 'digest32'), o('dgst', '-sha256', '-binary', 'msg'));
    writeFileSync(join(dir, 'modsize'), Buffer.concat([Buffer.from([0]), Buffer.alloc(255, 7)]));
    const files: Files = new Map();
    for (const n of readdirSync(dir)) files.set(n, new Uint8Array(readFileSync(join(dir, n))));
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
