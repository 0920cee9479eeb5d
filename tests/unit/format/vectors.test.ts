// Pocket KMS message vectors (tests/vectors/pocket): one file per scenario with an `expect:` line,
// run whole, streamed in uneven chunks, and byte by byte. WRITE_VECTORS=1 regenerates them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createDecryptStream,
  createEncryptStream,
  NoUsableKeyError,
  PROVIDER_AWS_KMS,
  type Keyring,
} from '../../../src/format';
import { ARN, chunksOf, join as cat, pipe, split, type Feed } from './helpers';

const DIR = join(__dirname, '../../vectors/pocket');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Hands out one fixed data key for any aws-kms data key (the vectors carry it). */
function fixedKeyring(dataKey: Uint8Array, arns = [ARN(1)]): Keyring {
  return {
    async onEncrypt() {
      return {
        dataKey: dataKey.slice(),
        encryptedDataKeys: arns.map((a) => ({
          providerId: PROVIDER_AWS_KMS,
          providerInfo: new TextEncoder().encode(a),
          ciphertext: new Uint8Array([1, 2, 3]),
        })),
      };
    },
    async onDecrypt(_s, _c, edks) {
      if (!edks.some((e) => e.providerId === PROVIDER_AWS_KMS)) throw new NoUsableKeyError('no aws-kms key');
      return dataKey.slice();
    },
  };
}

interface Vector {
  name: string;
  expect: string;
  dataKey: Uint8Array;
  plaintextSha256?: string;
  maxEncryptedDataKeys?: number;
  payload: Uint8Array;
}

function parse(name: string, text: string): Vector {
  const [head, body = ''] = text.split('\n\n');
  const h = Object.fromEntries(
    head!.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return {
    name,
    expect: h.expect!,
    dataKey: new Uint8Array(Buffer.from(h['data key']!, 'hex')),
    ...(h['plaintext sha256'] ? { plaintextSha256: h['plaintext sha256'] } : {}),
    ...(h['max encrypted data keys'] ? { maxEncryptedDataKeys: Number(h['max encrypted data keys']) } : {}),
    payload: new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64')),
  };
}

function format(v: Omit<Vector, 'name'>, comment: string): string {
  const lines = [`expect: ${v.expect}`, `comment: ${comment}`, `data key: ${hex(v.dataKey)}`];
  if (v.plaintextSha256) lines.push(`plaintext sha256: ${v.plaintextSha256}`);
  if (v.maxEncryptedDataKeys !== undefined) lines.push(`max encrypted data keys: ${v.maxEncryptedDataKeys}`);
  return `${lines.join('\n')}\n\n${Buffer.from(v.payload)
    .toString('base64')
    .replace(/.{1,76}/g, '$&\n')}`;
}

async function generate() {
  const dataKey = new Uint8Array(32).map((_, i) => i);
  const pt = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
  const make = async (
    o: { suiteId?: 0x0478 | 0x0578; frameLength?: number; plaintext?: Uint8Array; arns?: string[] } = {},
  ) => {
    const { stream } = await createEncryptStream({
      keyring: fixedKeyring(dataKey, o.arns),
      suiteId: o.suiteId ?? 0x0478,
      frameLength: o.frameLength ?? 128,
      encryptionContext: { purpose: 'vector' },
    });
    return (await pipe(stream, [o.plaintext ?? pt])).out;
  };
  const ok = await make();
  const signed = await make({ suiteId: 0x0578 });
  const p = split(ok);
  const flip = (b: Uint8Array, at: number) => {
    const c = b.slice();
    c[at]! ^= 0x01;
    return c;
  };
  const hl = p.headerBytes.length;
  const vectors: [string, string, Omit<Vector, 'name' | 'dataKey' | 'payload'>, Uint8Array][] = [
    [
      'ok-0478',
      '300 bytes in frames of 128 (two regular frames and a final one of 44)',
      { expect: 'success', plaintextSha256: sha(pt) },
      ok,
    ],
    ['ok-0578-signed', 'the same, signed (ECDSA P-384)', { expect: 'success', plaintextSha256: sha(pt) }, signed],
    [
      'ok-empty',
      'an empty plaintext: one empty final frame',
      { expect: 'success', plaintextSha256: sha(new Uint8Array(0)) },
      await make({ plaintext: new Uint8Array(0) }),
    ],
    [
      'ok-exact-multiple',
      '256 bytes in frames of 128: a full final frame',
      { expect: 'success', plaintextSha256: sha(pt.subarray(0, 256)) },
      await make({ plaintext: pt.subarray(0, 256) }),
    ],
    [
      'ok-three-keys',
      'three encrypted data keys',
      { expect: 'success', plaintextSha256: sha(pt) },
      await make({ arns: [ARN(1), ARN(2), ARN(3)] }),
    ],
    [
      'too-many-keys',
      'three encrypted data keys, at most two allowed',
      { expect: 'TooManyEncryptedDataKeysError', maxEncryptedDataKeys: 2 },
      await make({ arns: [ARN(1), ARN(2), ARN(3)] }),
    ],
    [
      'truncated-no-final-frame',
      'the final frame removed',
      { expect: 'TruncatedMessageError' },
      cat(p.headerBytes, p.frames[0]!, p.frames[1]!),
    ],
    ['truncated-in-header', 'cut inside the header', { expect: 'TruncatedMessageError' }, ok.subarray(0, 40)],
    [
      'frame-missing',
      'frame 2 removed',
      { expect: 'FrameSequenceError' },
      cat(p.headerBytes, p.frames[0]!, p.frames[2]!),
    ],
    [
      'frame-duplicated',
      'frame 1 twice',
      { expect: 'FrameSequenceError' },
      cat(p.headerBytes, p.frames[0]!, p.frames[0]!, p.frames[1]!, p.frames[2]!),
    ],
    [
      'frames-reordered',
      'frames 2 and 1 swapped',
      { expect: 'FrameSequenceError' },
      cat(p.headerBytes, p.frames[1]!, p.frames[0]!, p.frames[2]!),
    ],
    [
      'frame-ciphertext-flipped',
      'one bit of frame 2 ciphertext',
      { expect: 'AuthenticationError' },
      flip(ok, hl + p.frames[0]!.length + 20),
    ],
    ['frame-tag-flipped', 'one bit of the final frame tag', { expect: 'AuthenticationError' }, flip(ok, ok.length - 1)],
    ['commitment-flipped', 'one bit of the key commitment', { expect: 'CommitmentMismatchError' }, flip(ok, hl - 17)],
    [
      'header-context-flipped',
      'one bit of an encryption context value',
      { expect: 'AuthenticationError' },
      flip(ok, ok.indexOf(0x76 /* "v" of "vector" */)),
    ],
    [
      'header-tag-flipped',
      'one bit of the header authentication tag',
      { expect: 'AuthenticationError' },
      flip(ok, hl - 1),
    ],
    [
      'signature-flipped',
      'one bit of the footer signature',
      { expect: 'SignatureError' },
      flip(signed, signed.length - 3),
    ],
    [
      'signature-missing',
      'the footer removed',
      { expect: 'TruncatedMessageError' },
      signed.subarray(0, split(signed).headerBytes.length + split(signed).frames.reduce((n, f) => n + f.length, 0)),
    ],
    ['trailing-bytes', 'one byte after the end', { expect: 'MalformedMessageError' }, cat(ok, new Uint8Array([0]))],
    [
      'not-esdk',
      'a text file',
      { expect: 'NotAnEsdkMessageError' },
      new TextEncoder().encode('Hello, this is not an encrypted file.\n'),
    ],
    [
      'version-3',
      'an unknown message format version',
      { expect: 'UnsupportedFormatError' },
      (() => {
        const b = ok.slice();
        b[0] = 3;
        return b;
      })(),
    ],
    [
      'suite-unknown',
      'an unknown algorithm suite',
      { expect: 'UnsupportedFormatError' },
      (() => {
        const b = ok.slice();
        b[2] = 0x79;
        return b;
      })(),
    ],
  ];
  for (const [name, comment, v, payload] of vectors)
    writeFileSync(join(DIR, name), format({ ...v, dataKey, payload }, comment));
}

const FEEDS: Feed[] = ['whole', 'random', 'bytes'];

describe('Pocket KMS message vectors', async () => {
  if (process.env.WRITE_VECTORS) await generate();
  const names = readdirSync(DIR)
    .filter((n) => !n.includes('.'))
    .sort();
  it('exist', () => expect(names.length).toBeGreaterThan(20));
  for (const name of names) {
    const v = parse(name, readFileSync(join(DIR, name), 'utf8'));
    it(`${name}: ${v.expect} (whole, streamed, byte by byte)`, async () => {
      for (const feed of FEEDS) {
        const opts = v.maxEncryptedDataKeys !== undefined ? { maxEncryptedDataKeys: v.maxEncryptedDataKeys } : {};
        const { out, error } = await pipe(
          createDecryptStream({ keyring: fixedKeyring(v.dataKey), ...opts }),
          chunksOf(v.payload, feed, 3),
        );
        if (v.expect === 'success') {
          expect(error, feed).toBeUndefined();
          expect(sha(out)).toBe(v.plaintextSha256);
        } else {
          expect((error as Error)?.name, feed).toBe(v.expect);
        }
      }
    });
  }
});
