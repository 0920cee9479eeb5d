// npm run bench, asymmetric part: Sign and Verify ops/s through page → Comlink → worker → KMS core,
// beside the same signature made directly with WebCrypto (or @noble for secp256k1) in that worker.
const SPECS = [
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', 'SIGN_VERIFY'],
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'SIGN_VERIFY'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'SIGN_VERIFY'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'SIGN_VERIFY'],
  ['HMAC_256', 'HMAC_SHA_256', 'GENERATE_VERIFY_MAC'],
];

/** Runs in the page; returns { spec: { sign, verify, rawSign, rawVerify } } in ops/s (medians of rounds). */
export async function benchAsymmetric(page, N, ROUNDS) {
  return page.evaluate(
    async ({ N, ROUNDS, SPECS }) => {
      const kms = globalThis.pocketKms;
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const rate = async (fn) => {
        const rounds = [];
        for (let r = 0; r < ROUNDS; r++) {
          for (let i = 0; i < 10; i++) await fn();
          const t0 = performance.now();
          for (let i = 0; i < N; i++) await fn();
          rounds.push(N / ((performance.now() - t0) / 1000));
        }
        return median(rounds);
      };
      const out = {};
      const Message = crypto.getRandomValues(new Uint8Array(100));
      for (const [spec, alg, usage] of SPECS) {
        const { KeyMetadata } = await kms.call('CreateKey', { KeySpec: spec, KeyUsage: usage, Description: 'bench' });
        const KeyId = KeyMetadata.KeyId;
        let sign, verify;
        if (usage === 'GENERATE_VERIFY_MAC') {
          const { Mac } = await kms.call('GenerateMac', { KeyId, Message, MacAlgorithm: alg });
          sign = () => kms.call('GenerateMac', { KeyId, Message, MacAlgorithm: alg });
          verify = () => kms.call('VerifyMac', { KeyId, Message, MacAlgorithm: alg, Mac });
        } else {
          const { Signature } = await kms.call('Sign', { KeyId, Message, SigningAlgorithm: alg });
          sign = () => kms.call('Sign', { KeyId, Message, SigningAlgorithm: alg });
          verify = () => kms.call('Verify', { KeyId, Message, SigningAlgorithm: alg, Signature });
        }
        const raw = [];
        // Ten times the calls: the raw operations are fast enough for the timer's resolution to matter.
        for (let r = 0; r < ROUNDS; r++) raw.push(await kms.api.rawSignVerify(spec, N * 10));
        const perSec = (ms) => 1000 / ms;
        out[spec] = {
          sign: await rate(sign),
          verify: await rate(verify),
          rawSign: median(raw.map((x) => perSec(x.sign))),
          rawVerify: median(raw.map((x) => perSec(x.verify))),
        };
      }
      return out;
    },
    { N, ROUNDS, SPECS },
  );
}

export function printAsymmetric(result, N, ROUNDS) {
  console.log(
    `\nSign / Verify (GenerateMac / VerifyMac for HMAC) — ${N} sequential calls x ${ROUNDS} rounds, 100-byte messages, ops/s (medians)`,
  );
  console.log(
    'key spec'.padEnd(24) +
      'Sign'.padStart(9) +
      'raw'.padStart(9) +
      'ratio'.padStart(8) +
      'Verify'.padStart(10) +
      'raw'.padStart(9) +
      'ratio'.padStart(8),
  );
  console.log('(raw: the same signature with WebCrypto — @noble for secp256k1 — on a fresh key inside the worker)');
  for (const [spec, r] of Object.entries(result)) {
    const f = (x) => x.toFixed(0).padStart(9);
    console.log(
      spec.padEnd(24) +
        f(r.sign) +
        f(r.rawSign) +
        `${(r.rawSign / r.sign).toFixed(1)}x`.padStart(8) +
        f(r.verify).padStart(10) +
        f(r.rawVerify) +
        `${(r.rawVerify / r.verify).toFixed(1)}x`.padStart(8),
    );
  }
  console.log(
    '(every KMS call commits its audit record in a read-write IndexedDB transaction before it answers; that floor dominates fast algorithms)',
  );
}
