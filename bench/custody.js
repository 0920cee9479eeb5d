// npm run bench (custody part, ADR 0009): what a stolen wrapped store costs an attacker (PBKDF2-SHA-256
// guesses per second at the chosen 600,000 iterations, on this machine, in Chromium's WebCrypto), unlock
// time, CreateKey and Encrypt under device custody beside the same under a passphrase (two consoles, one of
// each, in alternating rounds: bench/lib.js alternate), and backup / restore of a keystore of
// BENCH_CUSTODY_KEYS keys (default 1,000) with 10 material versions each. BENCH_CUSTODY=0 skips it.
import { alternate, fmtSpread, openConsole, QUICK } from './lib.js';

const KEYS = Number(process.env.BENCH_CUSTODY_KEYS ?? (QUICK ? 50 : 1000));
const N = Number(process.env.BENCH_N ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const passphrase = 'bench passphrase that is long';

/** Encrypt and CreateKey calls/s through page → Comlink → worker of `page`'s keystore. */
const rates = (page) =>
  page.evaluate(
    async ({ N }) => {
      const p = globalThis.pocketKms;
      const timed = async (fn) => {
        const t = performance.now();
        await fn();
        return performance.now() - t;
      };
      const { KeyMetadata } = await p.call('CreateKey', {});
      const req = { KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(100) };
      for (let i = 0; i < 20; i++) await p.call('Encrypt', req);
      const enc = await timed(async () => {
        for (let i = 0; i < N; i++) await p.call('Encrypt', req);
      });
      const create = await timed(async () => {
        for (let i = 0; i < 50; i++) await p.call('CreateKey', {});
      });
      return { encrypt: (N * 1000) / enc, createKey: (50 * 1000) / create };
    },
    { N },
  );

const device = await openConsole('custody-device');
const secret = await openConsole('custody');
try {
  const { page } = secret;
  const setUpMs = await page.evaluate(async (passphrase) => {
    const t = performance.now();
    await globalThis.pocketKms.api.setUpRecovery({ passphrase });
    return performance.now() - t;
  }, passphrase);
  const r = await alternate({ device: () => rates(device.page), passphrase: () => rates(page) }, { rounds: ROUNDS });
  await device.close();
  const x = await page.evaluate(
    async ({ KEYS, passphrase }) => {
      const p = globalThis.pocketKms;
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const timed = async (fn) => {
        const t = performance.now();
        await fn();
        return performance.now() - t;
      };
      // An attacker's guess is one PBKDF2 derivation with the stored salt and iteration count.
      const kdf = [];
      for (let i = 0; i < 5; i++) {
        kdf.push(
          await timed(async () => {
            const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(`guess ${i}`), 'PBKDF2', false, [
              'deriveBits',
            ]);
            await crypto.subtle.deriveBits(
              { name: 'PBKDF2', hash: 'SHA-256', iterations: 600_000, salt: new Uint8Array(16) },
              base,
              256,
            );
          }),
        );
      }
      const unlock = [];
      for (let i = 0; i < 3; i++) {
        await p.api.lock();
        unlock.push(await timed(() => p.api.unlock({ passphrase })));
      }
      // A keystore of KEYS keys with 10 material versions each, then a backup and a restore of it.
      for (let i = 0; i < KEYS; i++) {
        const { KeyMetadata } = await p.call('CreateKey', {});
        for (let v = 0; v < 9; v++) await p.call('RotateKeyOnDemand', { KeyId: KeyMetadata.KeyId });
      }
      let file;
      const backupMs = await timed(async () => (file = await p.api.backup()));
      const restoreMs = await timed(() => p.api.restore(file, { passphrase, mode: 'merge' }));
      return { kdf: median(kdf), unlock: median(unlock), backupMs, restoreMs, bytes: file.size };
    },
    { KEYS, passphrase },
  );
  const mb = (ms) => (x.bytes / 1e6 / (ms / 1000)).toFixed(1);
  console.log(`\nCustody (ADR 0009), Chromium ${secret.version}`);
  console.log(
    `PBKDF2-SHA-256, 600,000 iterations: ${x.kdf.toFixed(0)} ms per guess = ${(1000 / x.kdf).toFixed(2)} guesses/s per core here`,
  );
  console.log(
    `setting the passphrase (re-wraps every key): ${setUpMs.toFixed(0)} ms; unlock (median of 3): ${x.unlock.toFixed(0)} ms`,
  );
  console.log(
    `calls/s, two consoles in ${ROUNDS} alternating rounds after a warm-up round, median (range); ratio per round`,
  );
  console.log('                        device              passphrase          ratio');
  for (const k of ['encrypt', 'createKey']) {
    console.log(
      `${k.padEnd(22)}${fmtSpread(r.variants.device[k], 0).padStart(18)} ${fmtSpread(r.variants.passphrase[k], 0).padStart(18)}   ${fmtSpread(r.ratio('device', 'passphrase', k))}x`,
    );
  }
  console.log(
    `backup of ${KEYS} keys x 10 versions: ${(x.bytes / 1e6).toFixed(1)} MB in ${x.backupMs.toFixed(0)} ms (${mb(x.backupMs)} MB/s)`,
  );
  console.log(
    `restore (merge; every key already there, so checked and skipped): ${x.restoreMs.toFixed(0)} ms (${mb(x.restoreMs)} MB/s)`,
  );
} finally {
  await device.close().catch(() => undefined);
  await secret.close();
}
