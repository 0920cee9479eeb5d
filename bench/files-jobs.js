// The Files page's own jobs as the benches measure them (the one home of that measurement, used by
// bench/files.js and bench/s3.js): encrypt a disk-backed file chosen in the page, File → KMS worker →
// OPFS, then decrypt the result, OPFS → worker → OPFS, each timed in the worker and sampled for memory;
// and the plain copy of the same file through the jobs' reader and sink (their I/O ceiling).
import { sampled } from './lib.js';

/** Adds a hidden file input `#bench-file` to the page and chooses `path` in it (disk-backed, as a user's file). */
export async function chooseBenchFile(page, path) {
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), { type: 'file', id: 'bench-file', hidden: true });
    document.body.append(input);
  });
  await page.setInputFiles('#bench-file', path);
}

/**
 * Encrypts `#bench-file` under `keyArn` with `frame`-byte frames, then decrypts the result, each while
 * sampling the RSS of `profile`'s processes. The encrypted file stays in `globalThis.benchEncrypted` for
 * further reads until `releaseEncryptDecrypt(page)`.
 * @returns {Promise<{enc: {result: {ms: number, out: number}, peak: number}, dec: {result: {ms: number, out: number}, peak: number}}>}
 */
export async function encryptDecrypt(page, profile, keyArn, frame, bytes) {
  const enc = await sampled(profile, () =>
    page.evaluate(
      ({ keyArn, frame }) =>
        globalThis.pocketKms.api
          .encryptFile('bench-enc', document.getElementById('bench-file').files[0], {
            keyIds: [keyArn],
            frameLength: frame,
          })
          .then((r) => {
            globalThis.benchEncrypted = r.file;
            return { ms: r.ms, out: r.bytesOut };
          }),
      { keyArn, frame },
    ),
  );
  // Decrypt right after encrypt: measurements that read with default reads leave garbage (~200 MiB,
  // collected late) that would otherwise be counted in the decrypt's peak.
  const dec = await sampled(profile, () =>
    page.evaluate(() =>
      globalThis.pocketKms.api
        .decryptFile('bench-dec', globalThis.benchEncrypted, {})
        .then((r) => ({ ms: r.ms, out: r.bytesOut })),
    ),
  );
  if (dec.result.out !== bytes) throw new Error(`decrypt wrote ${dec.result.out} bytes, expected ${bytes}`);
  return { enc, dec };
}

/** Deletes the outputs of `encryptDecrypt`. */
export async function releaseEncryptDecrypt(page) {
  await page.evaluate(async () => {
    globalThis.benchEncrypted = undefined;
    await globalThis.pocketKms.api.releaseFile('bench-enc');
    await globalThis.pocketKms.api.releaseFile('bench-dec');
  });
}

/** Milliseconds to copy `#bench-file` to OPFS with no encryption, through the jobs' reader and sink. */
export function copyBenchFile(page, frame) {
  return page.evaluate(
    (frame) => globalThis.pocketKms.api.copyRate(document.getElementById('bench-file').files[0], frame),
    frame,
  );
}
