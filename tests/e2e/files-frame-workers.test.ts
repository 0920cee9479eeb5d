// Issue 20: the Files jobs with their frames in frame workers, in Chromium. A file encrypted in the KMS worker,
// in a pool of one and of two frame workers (and by default) decrypts byte for byte in each of the others; a
// copy with one flipped byte in the middle fails with AuthenticationError in a pool too and leaves no output.
import { describe, expect, it } from 'vitest';
import { useApp } from './harness';

const env = useApp();

describe('frame workers', () => {
  it('encrypts and decrypts the same bytes in the KMS worker and in pools, and refuses a damaged copy', async () => {
    const r = await env.browser.page.evaluate(async () => {
      const k = (globalThis as any).pocketKms;
      const api = k.api;
      const { KeyMetadata } = await k.call('CreateKey', { Description: 'frame workers e2e' });
      // 24 MiB plus a bit: 49 frames of 512 KiB, the last one short.
      const size = 24 * 2 ** 20 + 12_345;
      const pt = new Uint8Array(size);
      for (let o = 0; o < size; o += 65536) crypto.getRandomValues(pt.subarray(o, Math.min(size, o + 65536)));
      const hex = async (b: Blob) =>
        Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', await b.arrayBuffer())), (x) =>
          x.toString(16).padStart(2, '0'),
        ).join('');
      const want = await hex(new Blob([pt]));
      const ways: (number | undefined)[] = [0, 1, 2, undefined];
      const encrypted: File[] = [];
      for (const [i, workers] of ways.entries()) {
        const e = await api.encryptFile(`fw-enc-${i}`, new Blob([pt]), {
          keyIds: [KeyMetadata.Arn],
          ...(workers === undefined ? {} : { workers }),
        });
        encrypted.push(e.file);
      }
      const got: string[] = [];
      for (const [i, file] of encrypted.entries()) {
        const workers = ways[(i + 1) % ways.length];
        const d = await api.decryptFile(`fw-dec-${i}`, file, workers === undefined ? {} : { workers });
        got.push(await hex(d.file));
        await api.releaseFile(`fw-dec-${i}`);
      }
      // One flipped byte in frame 30 of 49.
      const bytes = new Uint8Array(await encrypted[0]!.arrayBuffer());
      bytes[Math.floor(bytes.length * 0.6)]! ^= 0x40;
      let error = '';
      let partial = -1;
      try {
        await api.decryptFile('fw-bad', new Blob([bytes]), { workers: 1 });
      } catch (e) {
        error = (e as Error).name;
        const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('pocket-kms-output');
        partial = await dir.getFileHandle('fw-bad').then(
          () => 1,
          () => 0,
        );
      }
      for (let i = 0; i < ways.length; i++) await api.releaseFile(`fw-enc-${i}`);
      return { want, got, error, partial };
    });
    expect(r.got).toEqual([r.want, r.want, r.want, r.want]);
    expect(r.error).toBe('AuthenticationError');
    expect(r.partial).toBe(0);
  });
});
