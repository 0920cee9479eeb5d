// Backup files end to end: round trips (a realistic keystore, and any JSON-with-bytes snapshot),
// the hostile-input table, single-byte flips, truncation, dropped/swapped/foreign frames and
// headers, a wrong key. Every failure is all or nothing: the promise rejects, nothing is returned.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBackup, decodeBackupHeader, encodeBackup, type BackupSnapshot } from '../../../../src/kms/backup';
import {
  BackupFormatException,
  BackupValueException,
  UnsupportedBackupVersionException,
  ValidationException,
} from '../../../../src/kms/errors';
import { newFile, options, pbkdf2, rand, realisticSnapshot, withoutUndefinedMembers } from './helpers';

const FRAME = 4096;

/** Offsets of each frame (its 5-byte prefix) and the end of the file. */
function frameOffsets(file: Uint8Array): number[] {
  const { bytes: header } = decodeBackupHeader(file);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: number[] = [];
  for (let p = header.length; p < file.length; p += 5 + dv.getUint32(p + 1) + 16) out.push(p);
  return [...out, file.length];
}
const join = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));
const flip = (b: Uint8Array, at: number, mask = 0x01) => {
  const c = b.slice();
  c[at]! ^= mask;
  return c;
};

async function multiFrame() {
  const o = await options(realisticSnapshot(60), FRAME);
  const file = await encodeBackup(o);
  const offsets = frameOffsets(file);
  const frames = offsets.slice(0, -1).map((p, i) => file.subarray(p, offsets[i + 1]));
  return { o, file, offsets, frames, header: file.subarray(0, offsets[0]) };
}

describe('backup file', () => {
  it('round-trips a realistic keystore snapshot in one frame and in many', async () => {
    const s = realisticSnapshot();
    for (const frameLength of [undefined, FRAME]) {
      const o = await options(s, frameLength);
      const file = await encodeBackup(o);
      expect(await decodeBackup(file, o.fileKey)).toStrictEqual(withoutUndefinedMembers(s));
    }
    const { frames } = await multiFrame();
    expect(frames.length).toBeGreaterThan(3);
  });

  it('opens the way a restore will: header without a key, unwrap the file key with the KEK, then decode', async () => {
    const o = await options(realisticSnapshot(3));
    const file = await encodeBackup(o);
    const { header } = decodeBackupHeader(file);
    expect(header.kdf).toEqual(pbkdf2);
    const fileKey = await crypto.subtle.unwrapKey('raw', header.wrappedFileKey, o.kek, 'AES-KW', 'AES-GCM', false, [
      'decrypt',
    ]);
    expect((await decodeBackup(file, fileKey)).app).toBe('pocket-kms/0.1.0');
    // A wrong secret means a wrong KEK: the unwrap itself fails (AES-KW's integrity check).
    const other = await newFile();
    await expect(
      crypto.subtle.unwrapKey('raw', header.wrappedFileKey, other.kek, 'AES-KW', 'AES-GCM', false, ['decrypt']),
    ).rejects.toThrow();
  });

  it('round-trips any snapshot of JSON-with-bytes (property)', async () => {
    const f = await newFile();
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.string(),
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ maxLength: 64 }).map((b) => b.slice().buffer),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(
        fc.string().filter((k) => k !== 'constructor'),
        fc.oneof(tie('value'), fc.constant(undefined)),
        { maxKeys: 4 },
      ),
    }));
    const snapshot: fc.Arbitrary<BackupSnapshot> = fc.record({
      createdAt: fc.integer({ min: 0, max: 2 ** 45 }),
      app: fc.string(),
      schemaVersion: fc.nat(),
      stores: fc.dictionary(
        fc.string().filter((k) => k !== 'constructor'),
        fc.array(value, { maxLength: 30 }),
        { maxKeys: 4 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(snapshot, fc.constantFrom(4096, 5000, 1 << 20), async (s, frameLength) => {
        const file = await encodeBackup({ ...f, kdf: pbkdf2, snapshot: s, frameLength, fileId: rand(32) });
        expect(await decodeBackup(file, f.fileKey)).toStrictEqual(withoutUndefinedMembers(s));
      }),
      { numRuns: 60 },
    );
  });

  it('encrypts each frame as docs/FORMAT.md says: IV = fileId[0..8) ‖ index, AAD = SHA-256(header) ‖ index ‖ final flag', async () => {
    const { o, file, frames, header } = await multiFrame();
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', header.slice()));
    const last = frames.length - 1;
    const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    for (const i of [0, last]) {
      const f = frames[i]!;
      expect(f[0]).toBe(i === last ? 1 : 0);
      const plain = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: new Uint8Array([...o.fileId.subarray(0, 8), ...u32(i)]),
          additionalData: new Uint8Array([...hash, ...u32(i), i === last ? 1 : 0]),
        },
        o.fileKey,
        f.slice(5),
      );
      expect(plain.byteLength).toBe(i === last ? new DataView(f.buffer, f.byteOffset).getUint32(1) : FRAME);
    }
    expect(file.length).toBe(header.length + frames.reduce((n, f) => n + f.length, 0));
  });

  it('refuses a CryptoKey in the snapshot with BackupValueException, writing nothing', async () => {
    const s = realisticSnapshot(1);
    (s.stores.accessKeys![0] as Record<string, unknown>).secret = await crypto.subtle.generateKey(
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    await expect(encodeBackup(await options(s))).rejects.toBeInstanceOf(BackupValueException);
  });

  it('Precondition: the file key is an AES-256-GCM CryptoKey allowed to `usage`.', async () => {
    const o = await options(realisticSnapshot(1));
    const kw = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey']);
    const aes128 = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']);
    const decryptOnly = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['decrypt']);
    for (const fileKey of [kw, aes128, decryptOnly, rand(32), null])
      await expect(encodeBackup({ ...o, fileKey: fileKey as never })).rejects.toBeInstanceOf(ValidationException);
    const file = await encodeBackup(o);
    await expect(decodeBackup(file, kw)).rejects.toBeInstanceOf(ValidationException);
    await expect(decodeBackup(file, 'secret' as never)).rejects.toBeInstanceOf(ValidationException);
  });

  it('refuses a wrong file key with BackupFormatException', async () => {
    const { file } = await multiFrame();
    const other = await newFile();
    await expect(decodeBackup(file, other.fileKey)).rejects.toBeInstanceOf(BackupFormatException);
    await expect(decodeBackup(file, other.fileKey)).rejects.toThrow(/Frame 0 .* not this file's/);
  });

  describe('hostile input', async () => {
    const { o, file, offsets, frames, header } = await multiFrame();
    const key = o.fileKey;
    const headerLen = offsets[0]!;
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['1 byte', new Uint8Array([0x50])],
      ['a wrong magic', join(new TextEncoder().encode('PKMSBKUQ'), file.subarray(8))],
      [
        'header length past the end',
        join(file.subarray(0, 10), new Uint8Array([0, 0, 0x7f, 0xff]), file.subarray(14, 200)),
      ],
      ['header length over the limit', join(file.subarray(0, 10), new Uint8Array([0, 1, 0, 1]), file.subarray(14))],
      ['the header alone', header],
      ['a frame with an unknown flag', join(header, flip(frames[0]!, 0, 0x02), ...frames.slice(1))],
      ['a non-final frame claiming fewer bytes', join(header, flip(frames[0]!, 4), ...frames.slice(1))],
      [
        'a final frame claiming 0 bytes',
        join(header, ...frames.slice(0, -1), join(new Uint8Array([1, 0, 0, 0, 0]), frames.at(-1)!.subarray(5))),
      ],
      ['a non-final frame marked final', join(header, flip(frames[0]!, 0), ...frames.slice(1))],
      [
        'a final frame marked non-final, followed by nothing',
        join(header, ...frames.slice(0, -1), flip(frames.at(-1)!, 0)),
      ],
      ['a byte after the final frame', join(file, new Uint8Array([0]))],
      ['a frame after the final frame', join(file, frames[0]!)],
      ['the file twice', join(file, file)],
      ['a frame dropped (the first)', join(header, ...frames.slice(1))],
      ['a frame dropped (the second)', join(header, frames[0]!, ...frames.slice(2))],
      ['the final frame dropped', join(header, ...frames.slice(0, -1))],
      ['two frames swapped (0 and 1)', join(header, frames[1]!, frames[0]!, ...frames.slice(2))],
      ['a frame repeated', join(header, frames[0]!, frames[0]!, ...frames.slice(2))],
    ];
    for (let i = 1; i + 1 < frames.length; i++)
      cases.push([
        `frames ${i} and ${i + 1} swapped`,
        join(header, ...frames.slice(0, i), frames[i + 1]!, frames[i]!, ...frames.slice(i + 2)),
      ]);
    for (const [i, f] of frames.entries())
      for (const at of [1, 4, 5, 6, Math.floor(f.length / 2), f.length - 17, f.length - 16, f.length - 1])
        cases.push([
          `frame ${i} with byte ${at} flipped`,
          join(file.subarray(0, offsets[i]!), flip(f, at), file.subarray(offsets[i + 1]!)),
        ]);
    for (const p of offsets.slice(1, -1)) cases.push([`truncated at the frame boundary ${p}`, file.subarray(0, p)]);
    for (const [i, p] of offsets.slice(0, -1).entries())
      for (const d of [1, 4, 5, 6, 100, frames[i]!.length - 16, frames[i]!.length - 1])
        cases.push([`truncated in frame ${i} at +${d}`, file.subarray(0, p + d)]);

    it.each(cases)('refuses %s with BackupFormatException', async (_, bad) => {
      await expect(decodeBackup(bad, key)).rejects.toBeInstanceOf(BackupFormatException);
    });

    it('Precondition: every frame but the final one holds exactly frameLength bytes; the final one 1..frameLength.', async () => {
      const setLen = (f: Uint8Array, n: number) => {
        const c = f.slice();
        new DataView(c.buffer).setUint32(1, n);
        return c;
      };
      for (const n of [0, FRAME - 1, FRAME + 1, 0xffffffff])
        await expect(decodeBackup(join(header, setLen(frames[0]!, n), ...frames.slice(1)), key)).rejects.toBeInstanceOf(
          BackupFormatException,
        );
      for (const n of [0, FRAME + 1, 0xffffffff])
        await expect(
          decodeBackup(join(header, ...frames.slice(0, -1), setLen(frames.at(-1)!, n)), key),
        ).rejects.toBeInstanceOf(BackupFormatException);
      await expect(
        decodeBackup(join(header, ...frames.slice(0, -1), setLen(frames.at(-1)!, 0xffffffff)), key),
      ).rejects.toThrow(/claims 4294967295 bytes/);
    });

    it('refuses a newer format version with UnsupportedBackupVersionException', async () => {
      await expect(decodeBackup(flip(file, 9, 0x03), key)).rejects.toBeInstanceOf(UnsupportedBackupVersionException);
    });

    it('refuses every single-byte change across the header (BackupFormatException; UnsupportedBackupVersionException where the version grows)', async () => {
      for (let at = 0; at < headerLen; at++)
        for (const mask of [0x01, 0x80]) {
          const bad = flip(file, at, mask);
          const version = (bad[8]! << 8) | bad[9]!;
          const expected =
            (at === 8 || at === 9) && version > 1 ? UnsupportedBackupVersionException : BackupFormatException;
          await expect(decodeBackup(bad, key), `byte ${at} ^ ${mask}`).rejects.toBeInstanceOf(expected);
        }
    });

    it('refuses a frame from another file under the same file key', async () => {
      const other = await encodeBackup({ ...o, fileId: rand(32) });
      const otherFrames = frameOffsets(other);
      const theirFirst = other.subarray(otherFrames[0]!, otherFrames[1]!);
      await expect(decodeBackup(join(header, theirFirst, ...frames.slice(1)), key)).rejects.toBeInstanceOf(
        BackupFormatException,
      );
    });

    it('refuses the header of another file (same key, same wrapped key, same KDF)', async () => {
      const other = await encodeBackup({ ...o, fileId: rand(32) });
      const otherHeader = other.subarray(0, frameOffsets(other)[0]!);
      expect(otherHeader.length).toBe(header.length);
      await expect(decodeBackup(join(otherHeader, ...frames), key)).rejects.toBeInstanceOf(BackupFormatException);
    });

    it('returns nothing when only the last frame is altered (all or nothing)', async () => {
      const last = frames.length - 1;
      const bad = join(file.subarray(0, offsets[last]!), flip(frames[last]!, frames[last]!.length - 1));
      let result: unknown = 'unset';
      await decodeBackup(bad, key).then(
        (r) => (result = r),
        (e: unknown) => expect(e).toBeInstanceOf(BackupFormatException),
      );
      expect(result).toBe('unset');
    });

    it('says which frame did not authenticate, and never quotes bytes', async () => {
      const bad = join(file.subarray(0, offsets[2]!), flip(frames[2]!, 7), file.subarray(offsets[3]!));
      const e = (await decodeBackup(bad, key).catch((x: unknown) => x)) as Error;
      expect(e.message).toMatch(/^Frame 2 of the backup does not authenticate/);
      expect(e.message).not.toMatch(/[0-9a-f]{16}/);
    });
  });
});
