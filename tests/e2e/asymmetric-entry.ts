// Bundled for the browser by asymmetric.test.ts: the unmodified @aws-sdk/client-kms drives asymmetric,
// HMAC, ECDH and ML-KEM keys through the service worker's /kms endpoint; the page's own WebCrypto
// checks what it can independently (RSA signatures, RSA-OAEP, ECDH).
import {
  CreateKeyCommand,
  DecapsulateCommand,
  DecryptCommand,
  DeriveSharedSecretCommand,
  EncapsulateCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';

const errName = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.name,
  );
const enc = (s: string) => new TextEncoder().encode(s);
/** The SDK types blobs as Uint8Array<ArrayBufferLike>; WebCrypto wants an ArrayBuffer-backed view. */
const buf = (b: Uint8Array | undefined) => b as Uint8Array<ArrayBuffer>;

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

async function walk(origin: string, credentials: Credentials) {
  const client = new KMSClient({ region: 'us-east-1', endpoint: `${origin}/kms`, credentials });
  const out: Record<string, unknown> = {};
  const message = enc('release 1.2.3');

  // Sign / Verify for several specs, and a tampered signature.
  const signing: Record<string, unknown> = {};
  for (const [spec, alg] of [
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['RSA_2048', 'RSASSA_PSS_SHA_256'],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
    ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'],
    ['ML_DSA_44', 'ML_DSA_SHAKE_256'],
  ] as const) {
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }));
    const s = await client.send(
      new SignCommand({ KeyId: KeyMetadata!.KeyId, Message: message, SigningAlgorithm: alg }),
    );
    const v = await client.send(
      new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: message, Signature: s.Signature, SigningAlgorithm: alg }),
    );
    const bad = s.Signature!.slice();
    bad[bad.length >> 1]! ^= 1;
    signing[spec] = {
      algorithms: KeyMetadata!.SigningAlgorithms,
      valid: v.SignatureValid,
      tampered: await errName(
        client.send(
          new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: message, Signature: bad, SigningAlgorithm: alg }),
        ),
      ),
    };
  }
  out.signing = signing;

  // RSA PKCS#1 v1.5 over a DIGEST, checked by the page's WebCrypto with the public key from GetPublicKey.
  const rsa = (await client.send(new CreateKeyCommand({ KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
  const pub = await client.send(new GetPublicKeyCommand({ KeyId: rsa.KeyId }));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', message));
  const sig = await client.send(
    new SignCommand({
      KeyId: rsa.KeyId,
      Message: digest,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    }),
  );
  const key = await crypto.subtle.importKey(
    'spki',
    buf(pub.PublicKey),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  out.publicKey = {
    spec: pub.KeySpec,
    usage: pub.KeyUsage,
    algorithms: pub.SigningAlgorithms?.length,
    webCryptoVerifies: await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, buf(sig.Signature), message),
  };

  // HMAC.
  const hmac = (await client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })))
    .KeyMetadata!;
  const mac = await client.send(
    new GenerateMacCommand({ KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
  );
  const vm = await client.send(
    new VerifyMacCommand({ KeyId: hmac.KeyId, Message: message, Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_256' }),
  );
  out.mac = {
    length: mac.Mac!.length,
    valid: vm.MacValid,
    wrongMessage: await errName(
      client.send(
        new VerifyMacCommand({ KeyId: hmac.KeyId, Message: enc('other'), Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_256' }),
      ),
    ),
    wrongUsage: await errName(
      client.send(new SignCommand({ KeyId: hmac.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })),
    ),
  };

  // RSA encryption: through KMS both ways, and the page's WebCrypto encrypting with the public key.
  const rsaEnc = (await client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })))
    .KeyMetadata!;
  const e = await client.send(
    new EncryptCommand({
      KeyId: rsaEnc.KeyId,
      Plaintext: enc('oaep secret'),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    }),
  );
  const d = await client.send(
    new DecryptCommand({
      KeyId: rsaEnc.KeyId,
      CiphertextBlob: e.CiphertextBlob,
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    }),
  );
  const encPub = await client.send(new GetPublicKeyCommand({ KeyId: rsaEnc.KeyId }));
  const oaep = await crypto.subtle.importKey(
    'spki',
    buf(encPub.PublicKey),
    { name: 'RSA-OAEP', hash: 'SHA-1' },
    false,
    ['encrypt'],
  );
  const pageCt = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, oaep, enc('from the page')));
  const d2 = await client.send(
    new DecryptCommand({ KeyId: rsaEnc.KeyId, CiphertextBlob: pageCt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
  );
  out.rsa = {
    ciphertextLength: e.CiphertextBlob!.length,
    roundTrip: new TextDecoder().decode(d.Plaintext),
    fromPage: new TextDecoder().decode(d2.Plaintext),
    encryptionAlgorithms: encPub.EncryptionAlgorithms,
    noKeyId: await errName(
      client.send(new DecryptCommand({ CiphertextBlob: pageCt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })),
    ),
  };

  // ECDH with a peer key made in the page, and ML-KEM.
  const ecdh = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' })))
    .KeyMetadata!;
  const peer = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, false, [
    'deriveBits',
  ])) as CryptoKeyPair;
  const peerSpki = new Uint8Array(await crypto.subtle.exportKey('spki', peer.publicKey));
  const derived = await client.send(
    new DeriveSharedSecretCommand({ KeyId: ecdh.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki }),
  );
  const kmsEcdhPub = await client.send(new GetPublicKeyCommand({ KeyId: ecdh.KeyId }));
  const theirs = new Uint8Array(
    await crypto.subtle.deriveBits(
      {
        name: 'ECDH',
        public: await crypto.subtle.importKey(
          'spki',
          buf(kmsEcdhPub.PublicKey),
          { name: 'ECDH', namedCurve: 'P-384' },
          false,
          [],
        ),
      },
      peer.privateKey,
      384,
    ),
  );
  const kem = (await client.send(new CreateKeyCommand({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })))
    .KeyMetadata!;
  const encap = await client.send(new EncapsulateCommand({ KeyId: kem.KeyId, EncapsulationAlgorithm: 'ML_KEM' }));
  const decap = await client.send(
    new DecapsulateCommand({
      KeyId: kem.KeyId,
      EncapsulationAlgorithm: 'ML_KEM',
      SharedSecretCiphertextBlob: encap.SharedSecretCiphertextBlob,
    }),
  );
  out.agreement = {
    ecdhEqual: derived.SharedSecret!.length === 48 && derived.SharedSecret!.every((b, i) => b === theirs[i]),
    kemCiphertext: encap.SharedSecretCiphertextBlob!.length,
    kemEqual: decap.SharedSecret!.length === 32 && decap.SharedSecret!.every((b, i) => b === encap.SharedSecret![i]),
  };
  return out;
}

const SIGNING: [string, string[]][] = [
  [
    'RSA_2048',
    [
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
    ],
  ],
  ['RSA_3072', ['RSASSA_PSS_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512']],
  ['RSA_4096', ['RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256']],
  ['ECC_NIST_P256', ['ECDSA_SHA_256']],
  ['ECC_NIST_P384', ['ECDSA_SHA_384']],
  ['ECC_NIST_P521', ['ECDSA_SHA_512']],
  ['ECC_SECG_P256K1', ['ECDSA_SHA_256']],
  ['ECC_NIST_EDWARDS25519', ['ED25519_SHA_512', 'ED25519_PH_SHA_512']],
  ['ML_DSA_44', ['ML_DSA_SHAKE_256']],
  ['ML_DSA_65', ['ML_DSA_SHAKE_256']],
  ['ML_DSA_87', ['ML_DSA_SHAKE_256']],
];

/** Every key spec and algorithm through the SDK: round trips, and tampering refused. Returns what went wrong. */
async function everySpec(origin: string, credentials: Credentials) {
  const client = new KMSClient({ region: 'us-east-1', endpoint: `${origin}/kms`, credentials });
  const problems: string[] = [];
  const checked: string[] = [];
  const message = enc('every spec, every algorithm');
  const flip = (b: Uint8Array) => {
    const c = b.slice();
    c[c.length >> 1]! ^= 1;
    return c;
  };
  for (const [spec, algs] of SIGNING) {
    const key = (await client.send(new CreateKeyCommand({ KeySpec: spec as 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!.KeyId!;
    for (const alg of algs) {
      const hash = /SHA_(256|384|512)$/.exec(alg)?.[1];
      const types: ('RAW' | 'DIGEST')[] =
        alg === 'ED25519_PH_SHA_512'
          ? ['DIGEST']
          : alg === 'ED25519_SHA_512' || alg === 'ML_DSA_SHAKE_256'
            ? ['RAW']
            : ['RAW', 'DIGEST'];
      for (const MessageType of types) {
        const Message =
          MessageType === 'DIGEST' ? new Uint8Array(await crypto.subtle.digest(`SHA-${hash}`, message)) : message;
        const req = { KeyId: key, Message, MessageType, SigningAlgorithm: alg as 'ECDSA_SHA_256' };
        const { Signature } = await client.send(new SignCommand(req));
        const ok = (await client.send(new VerifyCommand({ ...req, Signature }))).SignatureValid;
        const tampered = await errName(client.send(new VerifyCommand({ ...req, Signature: flip(Signature!) })));
        if (!ok || tampered !== 'KMSInvalidSignatureException')
          problems.push(`${spec} ${alg} ${MessageType}: valid=${ok}, tampered=${tampered}`);
        checked.push(`${spec}/${alg}/${MessageType}`);
      }
    }
  }
  for (const [spec, alg, len] of [
    ['HMAC_224', 'HMAC_SHA_224', 28],
    ['HMAC_256', 'HMAC_SHA_256', 32],
    ['HMAC_384', 'HMAC_SHA_384', 48],
    ['HMAC_512', 'HMAC_SHA_512', 64],
  ] as const) {
    const key = (await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!.KeyId!;
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: key, Message: message, MacAlgorithm: alg }));
    const tampered = await errName(
      client.send(new VerifyMacCommand({ KeyId: key, Message: message, MacAlgorithm: alg, Mac: flip(Mac!) })),
    );
    const ok = (await client.send(new VerifyMacCommand({ KeyId: key, Message: message, MacAlgorithm: alg, Mac })))
      .MacValid;
    if (!ok || Mac!.length !== len || tampered !== 'KMSInvalidMacException')
      problems.push(`${spec}: valid=${ok}, length=${Mac!.length}, tampered=${tampered}`);
    checked.push(spec);
  }
  for (const spec of ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const) {
    const key = (await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!
      .KeyId!;
    for (const alg of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const) {
      const e = await client.send(new EncryptCommand({ KeyId: key, Plaintext: message, EncryptionAlgorithm: alg }));
      const d = await client.send(
        new DecryptCommand({ KeyId: key, CiphertextBlob: e.CiphertextBlob, EncryptionAlgorithm: alg }),
      );
      const tampered = await errName(
        client.send(
          new DecryptCommand({ KeyId: key, CiphertextBlob: flip(e.CiphertextBlob!), EncryptionAlgorithm: alg }),
        ),
      );
      if (
        new TextDecoder().decode(d.Plaintext) !== 'every spec, every algorithm' ||
        tampered !== 'InvalidCiphertextException'
      )
        problems.push(`${spec} ${alg}: tampered=${tampered}`);
      checked.push(`${spec}/${alg}`);
    }
  }
  for (const [spec, curve, bits] of [
    ['ECC_NIST_P256', 'P-256', 256],
    ['ECC_NIST_P384', 'P-384', 384],
    ['ECC_NIST_P521', 'P-521', 528],
  ] as const) {
    const key = (await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' }))).KeyMetadata!
      .KeyId!;
    const peer = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: curve }, false, [
      'deriveBits',
    ])) as CryptoKeyPair;
    const d = await client.send(
      new DeriveSharedSecretCommand({
        KeyId: key,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: new Uint8Array(await crypto.subtle.exportKey('spki', peer.publicKey)),
      }),
    );
    const kmsPub = await crypto.subtle.importKey(
      'spki',
      buf((await client.send(new GetPublicKeyCommand({ KeyId: key }))).PublicKey),
      { name: 'ECDH', namedCurve: curve },
      false,
      [],
    );
    const theirs = new Uint8Array(
      await crypto.subtle.deriveBits({ name: 'ECDH', public: kmsPub }, peer.privateKey, bits),
    );
    if (d.SharedSecret!.length !== theirs.length || !d.SharedSecret!.every((b, i) => b === theirs[i]))
      problems.push(`${spec} ECDH differs`);
    checked.push(`${spec}/ECDH`);
  }
  for (const spec of ['ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'] as const) {
    const key = (await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' })))
      .KeyMetadata!.KeyId!;
    const e = await client.send(new EncapsulateCommand({ KeyId: key, EncapsulationAlgorithm: 'ML_KEM' }));
    const d = await client.send(
      new DecapsulateCommand({
        KeyId: key,
        EncapsulationAlgorithm: 'ML_KEM',
        SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob,
      }),
    );
    const wrongLength = await errName(
      client.send(
        new DecapsulateCommand({
          KeyId: key,
          EncapsulationAlgorithm: 'ML_KEM',
          SharedSecretCiphertextBlob: e.SharedSecretCiphertextBlob!.subarray(1),
        }),
      ),
    );
    if (!d.SharedSecret!.every((b, i) => b === e.SharedSecret![i]) || wrongLength !== 'InvalidCiphertextException')
      problems.push(`${spec}: wrongLength=${wrongLength}`);
    checked.push(`${spec}/ML_KEM`);
  }
  return { problems, checked };
}

(globalThis as unknown as { asymmetricWalk: typeof walk }).asymmetricWalk = walk;
(globalThis as unknown as { everySpec: typeof everySpec }).everySpec = everySpec;
