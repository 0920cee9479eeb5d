// Ciphertext blob format v1 (src/kms/material/blob.ts, docs/FORMAT.md): codec, sealing, and tamper
// resistance through Decrypt.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blobAad,
  decodeBlobHeader,
  encodeBlobHeader,
  HEADER_LEN,
  MIN_BLOB_LEN,
  openBlob,
  sealBlob,
  TAG_LEN,
} from '../../../../src/kms/material/blob';
import { encodeEncryptionContext } from '../../../../src/format/encryption-context';
import { uuidV4 } from '../../../../src/kms/ids';
import { freshKms, rejectsWith, text, utf8 } from '../../helpers/kms';

const ID = '1234abcd-12ab-44cd-96ef-1234567890ab';
const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const iv = new Uint8Array(12).fill(7);

const aesKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

describe('blob header codec', () => {
  it('lays out version, kind, key ID, material version and IV as documented', () => {
    const h = encodeBlobHeader({ keyId: ID, version: 0x01020304, iv });
    expect(h.length).toBe(HEADER_LEN);
    expect(h[0]).toBe(1);
    expect(h[1]).toBe(0);
    expect(Buffer.from(h.subarray(2, 18)).toString('hex')).toBe(ID.replaceAll('-', ''));
    expect([...h.subarray(18, 22)]).toEqual([1, 2, 3, 4]);
    expect([...h.subarray(22, 34)]).toEqual([...iv]);
  });

  it('round-trips UUID and multi-Region key IDs', () => {
    for (const keyId of [ID, MRK]) {
      const bytes = new Uint8Array(MIN_BLOB_LEN);
      bytes.set(encodeBlobHeader({ keyId, version: 9, iv }));
      const d = decodeBlobHeader(bytes);
      expect(d).toEqual({ ok: true, header: { keyId, version: 9, iv } });
    }
    expect(encodeBlobHeader({ keyId: MRK, version: 1, iv })[1]).toBe(1);
  });

  it('round-trips any UUID v4, any version ≥ 1 and any IV (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        (r, version, iv12) => {
          const keyId = uuidV4(r);
          const blob = new Uint8Array(MIN_BLOB_LEN + 3);
          blob.set(encodeBlobHeader({ keyId, version, iv: iv12 }));
          expect(decodeBlobHeader(blob)).toEqual({ ok: true, header: { keyId, version, iv: iv12 } });
        },
      ),
    );
  });

  it('Precondition: the IV is 12 bytes', () => {
    expect(() => encodeBlobHeader({ keyId: ID, version: 1, iv: new Uint8Array(11) })).toThrow(RangeError);
  });

  it.each([
    ['too short', (b: Uint8Array) => b.subarray(0, MIN_BLOB_LEN - 1)],
    ['unknown format version', (b: Uint8Array) => ((b[0] = 2), b)],
    ['unknown key ID kind', (b: Uint8Array) => ((b[1] = 2), b)],
    ['UUID without version 4', (b: Uint8Array) => ((b[8] = 0x34), b)],
    ['UUID with a wrong variant', (b: Uint8Array) => ((b[10] = 0x16), b)],
    ['material version 0', (b: Uint8Array) => (b.fill(0, 18, 22), b)],
  ])('decode fails without throwing: %s', (_why, mutate) => {
    const b = new Uint8Array(MIN_BLOB_LEN);
    b.set(encodeBlobHeader({ keyId: ID, version: 1, iv }));
    expect(decodeBlobHeader(mutate(b)).ok).toBe(false);
  });

  it('decode never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const r = decodeBlobHeader(b);
        if (r.ok) expect(r.header.version).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('reads a header from a view into a larger buffer', () => {
    const big = new Uint8Array(200);
    big.set(encodeBlobHeader({ keyId: ID, version: 5, iv }), 100);
    const d = decodeBlobHeader(big.subarray(100, 160));
    expect(d).toMatchObject({ ok: true, header: { keyId: ID, version: 5 } });
  });

  it('binds the header and the canonical encryption context in the AAD', () => {
    const h = encodeBlobHeader({ keyId: ID, version: 1, iv });
    const aad = blobAad(h, { b: '2', a: '1' });
    expect([...aad]).toEqual([...h, ...encodeEncryptionContext({ a: '1', b: '2' })]);
    expect(blobAad(h, {}).length).toBe(HEADER_LEN);
  });
});

describe('sealBlob / openBlob', () => {
  it('seals to header + ciphertext + 16-byte tag and opens again', async () => {
    const key = await aesKey();
    const pt = utf8('seal me');
    const blob = await sealBlob(key, ID, 3, iv, pt, { purpose: 'test' });
    expect(blob.length).toBe(HEADER_LEN + pt.length + TAG_LEN);
    expect(text((await openBlob(key, blob, iv, { purpose: 'test' }))!)).toBe('seal me');
  });

  it('resolves undefined for another key, another context or an altered byte', async () => {
    const [key, other] = [await aesKey(), await aesKey()];
    const blob = await sealBlob(key, ID, 1, iv, utf8('x'), { a: '1' });
    expect(await openBlob(other, blob, iv, { a: '1' })).toBeUndefined();
    expect(await openBlob(key, blob, iv, { a: '2' })).toBeUndefined();
    expect(await openBlob(key, blob, iv, {})).toBeUndefined();
    const altered = blob.slice();
    altered[HEADER_LEN]! ^= 1;
    expect(await openBlob(key, altered, iv, { a: '1' })).toBeUndefined();
  });
});

describe('ciphertext blobs through Decrypt', () => {
  const setup = async () => {
    const f = await freshKms();
    const k = await f.createKey();
    const ctx = { purpose: 'tamper-test' };
    const { CiphertextBlob } = await f.call('Encrypt', {
      KeyId: k.KeyId,
      Plaintext: utf8('abc'),
      EncryptionContext: ctx,
    });
    return { ...f, k, ctx, blob: CiphertextBlob as Uint8Array };
  };

  // Decision: bytes 1..17 name the key (kind + key ID). When a flip there still spells a valid key ID,
  // the blob names a key this keystore does not have, and Decrypt answers NotFoundException, as AWS does
  // for ciphertext of a key that does not exist (or no longer exists); when it no longer spells a key ID
  // the blob is malformed: InvalidCiphertextException. Every other byte (format version, material
  // version, IV, ciphertext, tag) must give InvalidCiphertextException and nothing else.
  it('rejects every single-byte change (each byte, three masks)', async () => {
    const { call, ctx, blob } = await setup();
    expect(blob.length).toBe(HEADER_LEN + 3 + TAG_LEN);
    for (let i = 0; i < blob.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const t = blob.slice();
        t[i]! ^= mask;
        const e = await call('Decrypt', { CiphertextBlob: t, EncryptionContext: ctx }).then(
          () => undefined,
          (x: unknown) => x as Error,
        );
        expect(e, `byte ${i} mask ${mask} decrypted`).toBeDefined();
        const allowed =
          i >= 1 && i < 18 ? ['InvalidCiphertextException', 'NotFoundException'] : ['InvalidCiphertextException'];
        expect(allowed, `byte ${i} mask ${mask}: ${e!.name}`).toContain(e!.name);
      }
    }
  });

  it('rejects every truncation with InvalidCiphertextException (empty is a ValidationException)', async () => {
    const { call, ctx, blob } = await setup();
    for (let n = 1; n < blob.length; n++) {
      await rejectsWith(
        call('Decrypt', { CiphertextBlob: blob.subarray(0, n), EncryptionContext: ctx }),
        'InvalidCiphertextException',
      );
    }
    await rejectsWith(
      call('Decrypt', { CiphertextBlob: new Uint8Array(0), EncryptionContext: ctx }),
      'ValidationException',
    );
  });

  it('rejects appended bytes and blobs that are not ours', async () => {
    const { call, ctx, blob } = await setup();
    const longer = new Uint8Array(blob.length + 1);
    longer.set(blob);
    await rejectsWith(
      call('Decrypt', { CiphertextBlob: longer, EncryptionContext: ctx }),
      'InvalidCiphertextException',
    );
    await rejectsWith(call('Decrypt', { CiphertextBlob: new Uint8Array(64).fill(0x5a) }), 'InvalidCiphertextException');
    await rejectsWith(call('Decrypt', { CiphertextBlob: new Uint8Array(6145) }), 'ValidationException');
  });

  it('a blob pointing at a material version the key does not have is InvalidCiphertextException', async () => {
    const { call, ctx, blob } = await setup();
    const t = blob.slice();
    t[21] = 2; // version 2; the key has only version 1
    await rejectsWith(call('Decrypt', { CiphertextBlob: t, EncryptionContext: ctx }), 'InvalidCiphertextException');
  });

  it('records the key and material version in the blob header', async () => {
    const { call, k, blob } = await setup();
    const d = decodeBlobHeader(blob);
    expect(d).toMatchObject({ ok: true, header: { keyId: k.KeyId, version: 1 } });
    await call('RotateKeyOnDemand', { KeyId: k.KeyId });
    const again = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('abc') });
    expect(decodeBlobHeader(again.CiphertextBlob)).toMatchObject({ ok: true, header: { keyId: k.KeyId, version: 2 } });
  });

  it('uses a fresh IV per blob', async () => {
    const { call, k } = await setup();
    const ivs = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { CiphertextBlob } = await call('Encrypt', { KeyId: k.KeyId, Plaintext: utf8('same') });
      ivs.add(Buffer.from(CiphertextBlob.subarray(22, 34)).toString('hex'));
    }
    expect(ivs.size).toBe(20);
  });
});
