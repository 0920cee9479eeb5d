// The files part's ratios in alternating rounds (issue 20, item 3; bench/lib.js alternate): encrypt File → worker →
// OPFS beside its plain copy, decrypt OPFS → worker → OPFS beside its plain copy, and each path's stages alone
// (read, AES-GCM at the frame size, OPFS write), one warm-up round discarded, medians with their spread. Each
// path is named with its slowest stage and its ratio to it; each ratio is taken round by round.
import { alternate, fmtSpread, MB, settle } from './lib.js';

/** Runs the rounds in the console `page` with `#bench-file` chosen (files-jobs.js); prints the table and ratios. */
export async function filesRounds(page, { keyArn, frame, bytes, rounds }) {
  // One encrypted copy, made once, is what every decrypt and OPFS copy round reads.
  const encBytes = await page.evaluate(
    async ({ keyArn, frame }) => {
      const r = await globalThis.pocketKms.api.encryptFile(
        'bench-ab-src',
        document.getElementById('bench-file').files[0],
        {
          keyIds: [keyArn],
          frameLength: frame,
        },
      );
      globalThis.benchAbSource = r.file;
      return r.bytesOut;
    },
    { keyArn, frame },
  );
  const timed = (fn, n) => async () => {
    settle();
    return { mbs: MB(n, await fn()) };
  };
  const run = (body, arg) => page.evaluate(body, arg);
  const variants = {
    encrypt: timed(
      () =>
        run(
          async ({ keyArn, frame }) => {
            const api = globalThis.pocketKms.api;
            const file = document.getElementById('bench-file').files[0];
            const r = await api.encryptFile('bench-ab-enc', file, { keyIds: [keyArn], frameLength: frame });
            await api.releaseFile('bench-ab-enc');
            return r.ms;
          },
          { keyArn, frame },
        ),
      bytes,
    ),
    'copy File → OPFS': timed(
      () =>
        run((frame) => {
          const file = document.getElementById('bench-file').files[0];
          return globalThis.pocketKms.api.copyRate(file, frame);
        }, frame),
      bytes,
    ),
    decrypt: timed(
      () =>
        run(async () => {
          const api = globalThis.pocketKms.api;
          const r = await api.decryptFile('bench-ab-dec', globalThis.benchAbSource, {});
          await api.releaseFile('bench-ab-dec');
          return r.ms;
        }),
      bytes,
    ),
    'copy OPFS → OPFS': timed(
      () => run((frame) => globalThis.pocketKms.api.copyRate(globalThis.benchAbSource, frame), frame),
      encBytes,
    ),
    'read File (BYOB, as the jobs read)': timed(
      () => run(() => globalThis.pocketKms.api.readRate(document.getElementById('bench-file').files[0], 'jobs')),
      bytes,
    ),
    'read OPFS (BYOB, as the jobs read)': timed(
      () => run(() => globalThis.pocketKms.api.readRate(globalThis.benchAbSource, 'jobs')),
      encBytes,
    ),
    [`AES-GCM, ${frame / 1024} KiB calls`]: async () => {
      const times = await run((frame) => globalThis.pocketKms.api.rawAesGcm(200, frame), frame);
      return { mbs: MB(frame, [...times].sort((a, b) => a - b)[times.length >> 1]) };
    },
    'OPFS write': timed(
      () => run(({ bytes, frame }) => globalThis.pocketKms.api.writeRate(bytes, frame), { bytes, frame }),
      bytes,
    ),
  };
  const r = await alternate(variants, { rounds });
  await page.evaluate(async () => {
    globalThis.benchAbSource = undefined;
    await globalThis.pocketKms.api.releaseFile('bench-ab-src');
  });

  console.log(
    `\nFiles in alternating rounds — ${rounds} rounds, one warm-up round discarded; MB/s medians (min–max over rounds)`,
  );
  for (const [name, x] of Object.entries(r.variants)) console.log(name.padEnd(60) + fmtSpread(x.mbs, 0).padStart(24));
  const aes = `AES-GCM, ${frame / 1024} KiB calls`;
  for (const [path, copy, read] of [
    ['encrypt', 'copy File → OPFS', 'read File (BYOB, as the jobs read)'],
    ['decrypt', 'copy OPFS → OPFS', 'read OPFS (BYOB, as the jobs read)'],
  ]) {
    const stages = { read, AES: aes, write: 'OPFS write' };
    const slowest = Object.entries(stages).sort((a, b) => r.variants[a[1]].mbs.median - r.variants[b[1]].mbs.median)[0];
    console.log(
      `${path} / its copy: ${fmtSpread(r.ratio(copy, path, 'mbs'))}x (target ≥ 0.9x); slowest stage: ${slowest[0]}, ${slowest[1]}; ${path} / it: ${fmtSpread(r.ratio(slowest[1], path, 'mbs'))}x`,
    );
  }
  return r;
}
