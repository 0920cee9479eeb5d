// The message inspector (src/format/inspect.ts): every field of the ESDK's published vectors (format 1
// from python 1.3.5, format 2 from .NET 4.0.1) and of Pocket KMS's own, at the offsets the bytes hold,
// and each fault of Pocket KMS's vectors named with its offset. Scale and hostile input: inspect-scale.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeHeader, frameIv, SUITES, suiteHex } from '../../../src/format';
import { toHex, utf8Decode } from '../../../src/format/bytes';
import { blobSource, bytesSource, inspectMessage, type MessageInspection } from '../../../src/format/inspect';
import { ARN } from './helpers';

const VECTORS = join(__dirname, '../../vectors');
const read = (...p: string[]) => new Uint8Array(readFileSync(join(VECTORS, ...p)));
const pocket = (name: string) => {
  const text = readFileSync(join(VECTORS, 'pocket', name), 'utf8');
  return new Uint8Array(Buffer.from(text.split('\n\n')[1]!.replace(/\s+/g, ''), 'base64'));
};
const field = (r: MessageInspection, id: string) => {
  const f = r.fields.find((x) => x.id === id);
  if (!f) throw new Error(`no field ${id} in ${r.fields.map((x) => x.id).join(',')}`);
  return f;
};
const bytesOf = (msg: Uint8Array, r: MessageInspection, id: string) => {
  const f = field(r, id);
  return msg.subarray(f.offset, f.offset + f.length);
};

const python = JSON.parse(readFileSync(join(VECTORS, 'esdk-python-1.3.5/manifest.json'), 'utf8')) as {
  tests: { ciphertext: string; suite: string; contentType: string; frameLength: number }[];
};
const NET = 'esdk-raw-keys/net-4.0.1/ciphertexts';
const net = readdirSync(join(VECTORS, NET)).sort();
const netManifest = JSON.parse(readFileSync(join(VECTORS, 'esdk-raw-keys/net-4.0.1/manifest.json'), 'utf8')) as {
  tests: Record<string, { 'master-keys': { key: string }[] }>;
};
const plaintextSmall = read('esdk-python-1.3.5/plaintext-small').length;

/** What the header decoder says, checked against each inspected field's own bytes. */
function expectEveryHeaderField(msg: Uint8Array, r: MessageInspection) {
  const d = decodeHeader(msg, { maxEncryptedDataKeys: 0xffff })!;
  const h = d.header;
  expect(r.problem).toBeUndefined();
  expect(r.version).toBe(h.version);
  expect(field(r, 'version')).toMatchObject({ offset: 0, length: 1, value: `${h.version}` });
  expect(r.suite).toEqual({
    id: suiteHex(h.suite.id),
    name: h.suite.name,
    signed: h.suite.signature !== null,
    committing: h.suite.commitment,
  });
  expect(field(r, 'suiteId')).toMatchObject({ offset: h.version === 1 ? 2 : 1, length: 2, note: h.suite.name });
  expect(bytesOf(msg, r, 'messageId')).toEqual(h.messageId);
  expect(r.messageId).toBe(toHex(h.messageId));
  expect(Object.fromEntries(r.encryptionContext.map((p) => [p.key, p.value]))).toEqual({ ...h.encryptionContext });
  r.encryptionContext.forEach((p, i) => {
    // Each pair's field is its 2-byte length and its UTF-8 bytes.
    expect(utf8Decode(bytesOf(msg, r, `ec.${i}.key`).subarray(2))).toBe(p.key);
    expect(utf8Decode(bytesOf(msg, r, `ec.${i}.value`).subarray(2))).toBe(p.value);
  });
  expect(r.encryptedDataKeys).toHaveLength(h.encryptedDataKeys.length);
  h.encryptedDataKeys.forEach((k, i) => {
    const got = r.encryptedDataKeys[i]!;
    expect(got.providerId).toBe(k.providerId);
    expect(bytesOf(msg, r, `edk.${i}.providerInfo`)).toEqual(k.providerInfo);
    expect(bytesOf(msg, r, `edk.${i}.encryptedDataKey`)).toEqual(k.ciphertext);
    expect(got.ciphertextLength).toBe(k.ciphertext.length);
    expect(got.length).toBe(6 + utf8Encode(k.providerId).length + k.providerInfo.length + k.ciphertext.length);
    if (k.providerId === 'aws-kms') expect(got.keyArn).toBe(utf8Decode(k.providerInfo));
  });
  expect(r.contentType).toBe(h.contentType);
  expect(field(r, 'contentType').note).toBe(h.contentType);
  expect(r.frameLength).toBe(h.frameLength);
  expect(r.headerLength).toBe(d.read);
  expect(bytesOf(msg, r, 'headerTag')).toEqual(d.auth.tag);
  if (h.version === 1) expect(bytesOf(msg, r, 'headerIv')).toEqual(d.auth.iv);
  else expect(bytesOf(msg, r, 'commitment')).toEqual(h.commitment);
  // The top-level header fields tile the header: each starts where the one before ended.
  const top = r.fields.filter((f) => !f.id.includes('.') && f.offset < d.read);
  let o = 0;
  for (const f of top) {
    if (f.id === 'encryptionContext' || /^edk\./.test(f.id)) continue;
    expect(f.offset, f.id).toBe(o);
    o = f.offset + f.length;
    if (f.id === 'encryptionContextLength') o += Number(f.value);
    if (f.id === 'encryptedDataKeyCount') o += r.encryptedDataKeys.reduce((n, k) => n + k.length, 0);
  }
  expect(o).toBe(d.read);
}
const utf8Encode = (s: string) => new TextEncoder().encode(s);

describe('inspector: the ESDK published vectors, format 1 (python 1.3.5, AWS KMS keys)', () => {
  it('reads a non-framed unsigned message field by field', async () => {
    const msg = read('esdk-python-1.3.5', python.tests[0]!.ciphertext);
    const r = await inspectMessage(bytesSource(msg));
    expect(r.suite?.name).toBe('AES_128_GCM_IV12_TAG16_NO_KDF');
    expect(field(r, 'messageId')).toMatchObject({ offset: 4, length: 16, value: '531f1c4e28456e73fb9296b5e3ca2380' });
    expect(r.encryptedDataKeys[0]).toMatchObject({
      offset: 48,
      providerId: 'aws-kms',
      keyArn: 'arn:aws:kms:us-west-2:658956600833:key/b3537ef1-d8dc-4780-9f5a-55776cbb2f7f',
      ciphertextLength: 151,
    });
    expect(field(r, 'edk.0.providerInfo')).toMatchObject({ offset: 59, length: 75 });
    expect(field(r, 'contentType')).toMatchObject({ offset: 287, value: '0x01', note: 'non-framed' });
    expect(field(r, 'headerTag')).toMatchObject({ offset: 309, length: 16 });
    expect(field(r, 'body.contentLength')).toMatchObject({ offset: 337, length: 8, value: `${plaintextSmall}` });
    expect(field(r, 'body.tag')).toMatchObject({ offset: msg.length - 16, length: 16 });
    expect(r.frames).toBeUndefined();
    expect(r.footer).toBeUndefined();
  });

  for (const t of python.tests) {
    it(`${t.suite} ${t.contentType} ${t.frameLength}: every field, the frames and the footer`, async () => {
      const msg = read('esdk-python-1.3.5', t.ciphertext);
      const r = await inspectMessage(bytesSource(msg));
      expectEveryHeaderField(msg, r);
      expect(r.suite!.id).toBe(t.suite);
      expect(r.contentType).toBe(t.contentType);
      expect(r.frameLength).toBe(t.frameLength);
      const signed = SUITES.get(Number(t.suite))!.signature !== null;
      if (t.contentType === 'framed') {
        const want = Math.floor(plaintextSmall / t.frameLength) + 1;
        expect(r.frames!.count).toBe(want);
        expect(r.frames!.contentLength).toBe(plaintextSmall);
        const last = r.frames!.listed.at(-1)!;
        expect(last).toMatchObject({ final: true, seq: want, contentLength: plaintextSmall % t.frameLength });
        expect(r.frames!.listed.slice(0, -1).every((f, i) => f.seq === i + 1 && f.iv === toHex(frameIv(i + 1)))).toBe(
          true,
        );
      }
      if (signed) {
        expect(r.footer!.offset + r.footer!.length).toBe(msg.length);
        expect(r.footer!.signatureLength).toBe(msg.length - r.footer!.offset - 2);
        expect(bytesOf(msg, r, 'footer.signature')[0]).toBe(0x30); // a DER SEQUENCE
      } else expect(r.footer).toBeUndefined();
    });
  }
});

describe('inspector: the ESDK published vectors, format 2 and raw keys (.NET 4.0.1)', () => {
  for (const name of net.filter((n) => /^(04|05)78|^0014|^0378/.test(n))) {
    it(`${name.slice(0, 40)}: every field`, async () => {
      const msg = read(NET, name);
      const r = await inspectMessage(bytesSource(msg));
      expectEveryHeaderField(msg, r);
      expect(r.suite!.id).toBe(`0x${name.slice(0, 4)}`);
      if (r.version === 2) {
        expect(field(r, 'messageId').length).toBe(32);
        expect(field(r, 'commitment')).toMatchObject({ length: 32, label: 'Algorithm suite data (key commitment)' });
      }
      // Raw AES and RSA keys: the provider ID is the keyring's namespace and there is no key ARN; the raw
      // AES keyring's provider info is its key name, tag length, IV length and IV.
      expect(r.encryptedDataKeys[0]!.providerId).toBe('aws-raw-vectors-persistant');
      expect(r.encryptedDataKeys[0]!.keyArn).toBeUndefined();
      const info = bytesOf(msg, r, 'edk.0.providerInfo');
      const keyName = netManifest.tests[name]!['master-keys'][0]!.key;
      expect(r.encryptedDataKeys[0]!.providerInfo).toBe(
        keyName.startsWith('aes')
          ? `key name "${keyName}", tag 128 bits, IV ${toHex(info.subarray(info.length - 12))}`
          : keyName, // the raw RSA keyring's provider info is its key name
      );
      const end = r.footer ? r.footer.offset + r.footer.length : r.frames!.offset + r.frames!.length;
      expect(end).toBe(msg.length);
    });
  }
});

describe("inspector: Pocket KMS's own messages and their faults", () => {
  it('ok-0578-signed: the aws-kms key ARN, the context, the commitment, the frames and the signature', async () => {
    const msg = pocket('ok-0578-signed');
    const r = await inspectMessage(bytesSource(msg));
    expectEveryHeaderField(msg, r);
    expect(r.encryptedDataKeys[0]!.keyArn).toBe(ARN(1));
    expect(r.encryptionContext.map((p) => p.key)).toEqual(['aws-crypto-public-key', 'purpose']);
    expect(r.footer!.signatureLength).toBeGreaterThan(90);
  });

  const faults: [string, string, (r: MessageInspection, size: number) => void][] = [
    ['truncated-in-header', 'TruncatedMessageError', (r, size) => expect(r.problem!.offset).toBe(size)],
    ['truncated-no-final-frame', 'TruncatedMessageError', (r) => expect(r.frames!.count).toBeGreaterThan(0)],
    ['frames-reordered', 'FrameSequenceError', (r) => expect(r.problem!.offset).toBe(r.headerLength)],
    ['frame-missing', 'FrameSequenceError', (r) => expect(r.frames!.count).toBe(1)],
    ['frame-duplicated', 'FrameSequenceError', () => undefined],
    ['trailing-bytes', 'MalformedMessageError', () => undefined],
    ['not-esdk', 'NotAnEsdkMessageError', (r) => expect(r.problem!.offset).toBe(0)],
    ['version-3', 'UnsupportedFormatError', (r) => expect(r.problem!.offset).toBe(0)],
    ['suite-unknown', 'UnsupportedFormatError', (r) => expect(r.problem!.offset).toBe(1)],
    ['signature-missing', 'TruncatedMessageError', () => undefined],
  ];
  for (const [name, error, more] of faults) {
    it(`${name}: ${error}, naming the offset`, async () => {
      const msg = pocket(name);
      const r = await inspectMessage(bytesSource(msg));
      expect(r.problem?.name).toBe(error);
      expect(r.problem!.message).toContain(`At byte ${r.problem!.offset}:`);
      more(r, msg.length);
    });
  }

  it('changed bytes the decoder would refuse only with the key still inspect cleanly (no key is asked for)', async () => {
    for (const name of ['frame-tag-flipped', 'header-tag-flipped', 'commitment-flipped', 'signature-flipped']) {
      const r = await inspectMessage(bytesSource(pocket(name)));
      expect(r.problem, name).toBeUndefined();
    }
  });

  it('too-many-keys: lists every key (the inspector allows 65,535; decrypting allows fewer)', async () => {
    const r = await inspectMessage(bytesSource(pocket('too-many-keys')));
    expect(r.problem).toBeUndefined();
    expect(r.encryptedDataKeys.map((k) => k.keyArn)).toEqual([ARN(1), ARN(2), ARN(3)]);
  });

  it('reads a Blob slice by slice and finds the same as in memory', async () => {
    const msg = pocket('ok-three-keys');
    expect(await inspectMessage(blobSource(new Blob([msg])))).toEqual(await inspectMessage(bytesSource(msg)));
  });
});
