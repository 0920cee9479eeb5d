// The AWS Encryption SDK's published decrypt vectors whose keys Pocket KMS can hold (raw AES and
// raw RSA keys from the vectors' keys.json, or the data key a vector publishes), decrypted by
// src/format's createDecryptStream and compared byte for byte. Sources and selection:
// tests/vectors/esdk-raw-keys/README.md. The keyrings are test-only (./esdk-vector-keyrings).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CommitmentMismatchError,
  createDecryptStream,
  decodeHeader,
  MalformedMessageError,
  NonCommittingSuiteError,
  suiteHex,
  type EncryptionContext,
  type FormatError,
  type Keyring,
  type MessageHeader,
} from '../../../src/format';
import { chunksOf, pipe, type Feed } from '../format/helpers';
import { pemToDer, rawKeyring, rsaHash, staticKeyring, type RawKey } from './esdk-vector-keyrings';

const ROOT = join(__dirname, '../../vectors/esdk-raw-keys');
type ErrorClass = new (m: string) => FormatError;

interface Vector {
  group: string;
  id: string;
  message: Uint8Array;
  header: MessageHeader;
  keys: string;
  keyring: () => Keyring & { tried?: number };
  plaintext?: Uint8Array;
  fails?: ErrorClass;
  context?: EncryptionContext;
  /** Why src/format refuses a vector the SDKs' own runner reads (or refuses for another reason). */
  divergence?: string | undefined;
}

// Compatibility vectors src/format used to refuse with MalformedMessageError where the JS ESDK's
// runner decrypts them (or, for 21, fails them on the commitment); src/format now reads them as the
// SDKs do. Keyed by the vector's number in its comment.
const IV = 'frame IV is unique but not the sequence number (message-body.md only asks for unique)';
const EC = 'header encryption context not sorted ("aws-crypto-public-key" written last)';
const NF = 'format 2 non-framed body (message-header.md allows content type 0x01 in both versions)';
const DIVERGENT: Record<string, string> = {
  '6.': IV,
  '7.': IV,
  '8.': IV,
  '9.': IV,
  '10.': IV,
  '11.': IV,
  '14.': IV,
  '16.': IV,
  '18.': IV,
  '15.': EC,
  '17.': EC,
  '19.': EC,
  '21.': EC,
  '28.': NF,
  '32.': NF,
  '38.': NF,
  '40.': NF,
  '42.': NF,
  '44.': NF,
  '46.': NF,
};

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const file = (dir: string, uri: string) => new Uint8Array(readFileSync(join(dir, uri.replace(/^file:\/\//, ''))));

interface MasterKey {
  type: string;
  key: string;
  'provider-id'?: string;
  'encryption-algorithm'?: string;
  'padding-algorithm'?: string;
  'padding-hash'?: string;
}
type KeysJson = {
  keys: Record<string, { type: string; decrypt: boolean; material: string | string[]; 'key-id'?: string }>;
};

/** The manifest's master keys that this test can use: raw AES, and raw RSA private keys with OAEP. */
function rawKeysOf(mks: readonly MasterKey[], keys: KeysJson): RawKey[] {
  const out: RawKey[] = [];
  for (const mk of mks) {
    const k = keys.keys[mk.key];
    if (mk.type !== 'raw' || !k || !k.decrypt || !mk['provider-id']) continue;
    const keyName = k['key-id'] ?? mk.key;
    if (mk['encryption-algorithm'] === 'aes')
      out.push({
        kind: 'aes',
        providerId: mk['provider-id'],
        keyName,
        material: new Uint8Array(Buffer.from(String(k.material), 'base64')),
      });
    else if (mk['encryption-algorithm'] === 'rsa' && mk['padding-algorithm'] === 'oaep-mgf1')
      out.push({
        kind: 'rsa',
        providerId: mk['provider-id'],
        keyName,
        pkcs8: pemToDer(k.material),
        hash: rsaHash(mk['padding-hash']),
      });
  }
  return out;
}

const describeKeys = (ks: readonly RawKey[]) =>
  ks.map((k) => (k.kind === 'aes' ? `aes-${k.material.length * 8}` : `rsa-oaep-${k.hash.toLowerCase()}`)).join('+');

function vector(group: string, id: string, message: Uint8Array, keys: RawKey[], rest: Partial<Vector>): Vector {
  const header = decodeHeader(message)!.header;
  return { group, id, message, header, keys: describeKeys(keys), keyring: () => rawKeyring(keys), ...rest };
}

/** An awses-decrypt manifest, version 3/4 (master-keys) or 5 (decryption-scenario). */
function loadManifest(group: string, fails?: ErrorClass): Vector[] {
  const dir = join(ROOT, group);
  const m = json(join(dir, 'manifest.json'));
  const keys = json(join(dir, 'keys.json')) as KeysJson;
  return Object.entries(m.tests as Record<string, any>).map(([id, t]) => {
    if (t['decryption-scenario']) {
      const s = t['decryption-scenario'];
      const ks = rawKeysOf([s.decryptKeyDescription], keys);
      const ok = s.type === 'positive-esdk';
      return vector(
        group,
        id,
        file(dir, s.ciphertext),
        ks,
        ok ? { plaintext: file(dir, s.result) } : { fails: AuthenticationError },
      );
    }
    const ks = rawKeysOf(t['master-keys'], keys);
    const out = t.result?.output?.plaintext;
    return vector(
      group,
      id,
      file(dir, t.ciphertext),
      ks,
      fails || !out ? { fails: fails ?? AuthenticationError } : { plaintext: file(dir, out) },
    );
  });
}

/** The Message Format V2 compatibility vectors: each publishes its plaintext data key. */
function loadCompatibility(): Vector[] {
  const c = json(join(ROOT, 'format-v2-compatibility.json'));
  return (c.tests as any[]).map((t) => {
    const dk = new Uint8Array(Buffer.from(t['decrypted-dek'], 'base64'));
    const message = new Uint8Array(Buffer.from(t.ciphertext, 'base64'));
    const ok = t.status === true;
    let header: MessageHeader | undefined;
    try {
      header = decodeHeader(message)!.header;
    } catch {
      // Refused already at the header (header stays undefined): see DIVERGENT above.
    }
    const n = /^\d+\./.exec(String(t.comment))?.[0] ?? '';
    return {
      group: 'format-v2-compatibility',
      id: String(t.comment).replace(/\s+/g, ' '),
      message,
      header: header!,
      divergence: DIVERGENT[n],
      keys: 'published data key',
      keyring: () => staticKeyring(dk),
      ...(ok
        ? {
            plaintext: new TextEncoder().encode((t['plaintext-frames'] as string[]).join('')),
            context: t['encryption-context'],
          }
        : { fails: CommitmentMismatchError }),
    };
  });
}

const net401 = loadManifest('net-4.0.1');
// ESDK-NET 4.0.0 wrote two extra bytes into the header AAD and left the message ID out of the
// HKDF info; its own runner expects every one of these to fail without the .NET retry flag.
const net400 = loadManifest('net-4.0.0-invalid', AuthenticationError);
const dafny = loadManifest('dafny-4.1.0');
const compatAll = loadCompatibility();
const divergent = compatAll.filter((v) => v.divergence);
const compat = compatAll;
const all = [...net401, ...net400, ...dafny, ...compat];

const shape = (h: MessageHeader | undefined) =>
  !h
    ? '(header refused)'
    : `${suiteHex(h.suite.id)} v${h.version} ${h.contentType === 'framed' ? `framed/${h.frameLength}` : 'non-framed'}`;
const suitesOf = (vs: readonly Vector[]) => [...new Set(vs.map((v) => suiteHex(v.header.suite.id)))].sort();

async function run(v: Vector, feed: Feed, allowNonCommitting = !v.header?.suite.commitment) {
  const keyring = v.keyring();
  let seen: MessageHeader | undefined;
  const r = await pipe(
    createDecryptStream({ keyring, allowNonCommitting, onHeader: (h) => void (seen = h) }),
    chunksOf(v.message, feed, v.message.length),
  );
  return { ...r, keyring, header: seen };
}

describe('ESDK published vectors: selection', () => {
  const positive = all.filter((v) => v.plaintext);
  const negative = all.filter((v) => v.fails);
  it(`${all.length} vectors: ${positive.length} decrypt, ${negative.length} must fail; suites ${suitesOf(all).join(' ')}`, () => {
    expect([net401.length, net400.length, dafny.length, compat.length, divergent.length]).toEqual([36, 22, 17, 46, 20]);
    expect([positive.length, negative.length]).toEqual([94, 27]);
    expect(suitesOf(positive)).toHaveLength(11);
    expect(new Set(positive.map((v) => v.header.version))).toEqual(new Set([1, 2]));
    // Format 2 non-framed messages written by the C, Python and Java SDKs.
    expect(positive.filter((v) => v.header.contentType === 'non-framed').length).toBeGreaterThanOrEqual(7);
  });
  const frames = [...new Set(all.filter((v) => v.plaintext).map((v) => v.header.frameLength))].sort((a, b) => a - b);
  it(`framed vectors with frame lengths ${frames.join(', ')}`, () => {
    expect(frames.length).toBeGreaterThanOrEqual(4);
  });
});

describe.each([
  ['ESDK-NET 4.0.1 (raw AES-256, raw RSA OAEP-SHA512)', net401],
  ['ESDK Dafny 4.1.0 (raw AES-128, raw RSA OAEP-SHA1/256/384)', dafny],
  [
    'Message Format V2 compatibility vectors (JS, C, Python, Java; published data keys)',
    compat.filter((v) => v.plaintext),
  ],
])('%s decrypt byte for byte', (_name, vectors) => {
  it.each(vectors.map((v) => [`${shape(v.header)} ${v.keys} ${v.id}`, v] as const))('%s', async (_n, v) => {
    for (const feed of ['whole', 'random'] as const) {
      const r = await run(v, feed);
      expect(r.error, `${feed}: ${String(r.error)}`).toBeUndefined();
      expect(Buffer.from(r.out).equals(Buffer.from(v.plaintext!))).toBe(true);
      if (v.context) expect(r.header!.encryptionContext).toEqual(v.context);
    }
  });
});

describe('byte by byte (one vector per suite and source)', () => {
  const picked = new Map<string, Vector>();
  for (const v of [...net401, ...dafny, ...compat])
    if (v.plaintext)
      picked.set(
        `${v.group} ${v.header.suite.id} ${v.header.contentType}`,
        picked.get(`${v.group} ${v.header.suite.id} ${v.header.contentType}`) ?? v,
      );
  it.each([...picked.values()].map((v) => [`${v.group} ${shape(v.header)} ${v.keys}`, v] as const))(
    '%s',
    async (_n, v) => {
      const r = await run(v, 'bytes');
      expect(r.error).toBeUndefined();
      expect(Buffer.from(r.out).equals(Buffer.from(v.plaintext!))).toBe(true);
    },
  );
});

describe('vectors the SDKs mark as failing are refused with the named error', () => {
  it.each(
    all.filter((v) => v.fails).map((v) => [`${v.group} ${shape(v.header)} ${v.id} → ${v.fails!.name}`, v] as const),
  )('%s', async (_n, v) => {
    const r = await run(v, 'whole');
    expect(r.error).toBeInstanceOf(v.fails!);
    expect(r.out.length).toBe(0);
  });
});

describe('non-committing suites are refused by policy before any key is used', () => {
  const legacy = new Map<number, Vector>();
  for (const v of [...net401, ...dafny])
    if (!v.header.suite.commitment && !legacy.has(v.header.suite.id)) legacy.set(v.header.suite.id, v);
  it(`covers the ${legacy.size} format 1 suites`, () => expect(legacy.size).toBe(9));
  it.each([...legacy.values()].map((v) => [shape(v.header), v] as const))(
    '%s → NonCommittingSuiteError',
    async (_n, v) => {
      const r = await run(v, 'whole', false);
      expect(r.error).toBeInstanceOf(NonCommittingSuiteError);
      expect(r.keyring.tried).toBe(0);
      expect(r.out.length).toBe(0);
    },
  );
});

describe('vectors src/format once refused are read as the SDKs read them', () => {
  it.each([IV, EC, NF])(`%s`, async (reason) => {
    const vs = divergent.filter((v) => v.divergence === reason);
    expect(vs.length).toBeGreaterThan(0);
    for (const v of vs) {
      const r = await run(v, 'whole');
      if (v.plaintext) {
        expect(r.error, `${v.id}: ${String(r.error)}`).toBeUndefined();
        expect(Buffer.from(r.out).equals(Buffer.from(v.plaintext))).toBe(true);
      } else {
        expect(r.error, v.id).toBeInstanceOf(v.fails!);
        expect(r.error, v.id).not.toBeInstanceOf(MalformedMessageError);
      }
    }
  });
});
