// Bundled for the browser by asymmetric.test.ts: the unmodified @aws-sdk/client-kms drives asymmetric,
// HMAC, ECDH and ML-KEM keys through the service worker's /kms endpoint; the page's own WebCrypto
// checks what it can independently (RSA signatures, RSA-OAEP, ECDH).
import {
  CreateKeyCommand, DecapsulateCommand, DecryptCommand, DeriveSharedSecretCommand, EncapsulateCommand, EncryptCommand,
  GenerateMacCommand, GetPublicKeyCommand, KMSClient, SignCommand, VerifyCommand, VerifyMacCommand,
} from '@aws-sdk/client-kms';

const errName = async (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => e.name);
const enc = (s: string) => new TextEncoder().encode(s);
/** The SDK types blobs as Uint8Array<ArrayBufferLike>; WebCrypto wants an ArrayBuffer-backed view. */
const buf = (b: Uint8Array | undefined) => b as Uint8Array<ArrayBuffer>;

async function walk(origin: string) {
  const client = new KMSClient({
    region: 'us-east-1',
    endpoint: `${origin}/kms`,
    credentials: { accessKeyId: 'AKIAPOCKETKMSEXAMPLE', secretAccessKey: 'not-checked' },
  });
  const out: Record<string, unknown> = {};
  const message = enc('release 1.2.3');

  // Sign / Verify for several specs, and a tampered signature.
  const signing: Record<string, unknown> = {};
  for (const [spec, alg] of [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['RSA_2048', 'RSASSA_PSS_SHA_256'], ['ECC_SECG_P256K1', 'ECDSA_SHA_256'], ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'], ['ML_DSA_44', 'ML_DSA_SHAKE_256']] as const) {
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }));
    const s = await client.send(new SignCommand({ KeyId: KeyMetadata!.KeyId, Message: message, SigningAlgorithm: alg }));
    const v = await client.send(new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: message, Signature: s.Signature, SigningAlgorithm: alg }));
    const bad = s.Signature!.slice();
    bad[bad.length >> 1]! ^= 1;
    signing[spec] = {
      algorithms: KeyMetadata!.SigningAlgorithms,
      valid: v.SignatureValid,
      tampered: await errName(client.send(new VerifyCommand({ KeyId: KeyMetadata!.KeyId, Message: message, Signature: bad, SigningAlgorithm: alg }))),
    };
  }
  out.signing = signing;

  // RSA PKCS#1 v1.5 over a DIGEST, checked by the page's WebCrypto with the public key from GetPublicKey.
  const rsa = (await client.send(new CreateKeyCommand({ KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
  const pub = await client.send(new GetPublicKeyCommand({ KeyId: rsa.KeyId }));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', message));
  const sig = await client.send(new SignCommand({ KeyId: rsa.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));
  const key = await crypto.subtle.importKey('spki', buf(pub.PublicKey), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  out.publicKey = { spec: pub.KeySpec, usage: pub.KeyUsage, algorithms: pub.SigningAlgorithms?.length, webCryptoVerifies: await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, buf(sig.Signature), message) };

  // HMAC.
  const hmac = (await client.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
  const mac = await client.send(new GenerateMacCommand({ KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
  const vm = await client.send(new VerifyMacCommand({ KeyId: hmac.KeyId, Message: message, Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_256' }));
  out.mac = {
    length: mac.Mac!.length,
    valid: vm.MacValid,
    wrongMessage: await errName(client.send(new VerifyMacCommand({ KeyId: hmac.KeyId, Message: enc('other'), Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_256' }))),
    wrongUsage: await errName(client.send(new SignCommand({ KeyId: hmac.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))),
  };

  // RSA encryption: through KMS both ways, and the page's WebCrypto encrypting with the public key.
  const rsaEnc = (await client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
  const e = await client.send(new EncryptCommand({ KeyId: rsaEnc.KeyId, Plaintext: enc('oaep secret'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
  const d = await client.send(new DecryptCommand({ KeyId: rsaEnc.KeyId, CiphertextBlob: e.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
  const encPub = await client.send(new GetPublicKeyCommand({ KeyId: rsaEnc.KeyId }));
  const oaep = await crypto.subtle.importKey('spki', buf(encPub.PublicKey), { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['encrypt']);
  const pageCt = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, oaep, enc('from the page')));
  const d2 = await client.send(new DecryptCommand({ KeyId: rsaEnc.KeyId, CiphertextBlob: pageCt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));
  out.rsa = {
    ciphertextLength: e.CiphertextBlob!.length,
    roundTrip: new TextDecoder().decode(d.Plaintext),
    fromPage: new TextDecoder().decode(d2.Plaintext),
    encryptionAlgorithms: encPub.EncryptionAlgorithms,
    noKeyId: await errName(client.send(new DecryptCommand({ CiphertextBlob: pageCt, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }))),
  };

  // ECDH with a peer key made in the page, and ML-KEM.
  const ecdh = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' }))).KeyMetadata!;
  const peer = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, false, ['deriveBits'])) as CryptoKeyPair;
  const peerSpki = new Uint8Array(await crypto.subtle.exportKey('spki', peer.publicKey));
  const derived = await client.send(new DeriveSharedSecretCommand({ KeyId: ecdh.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki }));
  const kmsEcdhPub = await client.send(new GetPublicKeyCommand({ KeyId: ecdh.KeyId }));
  const theirs = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: await crypto.subtle.importKey('spki', buf(kmsEcdhPub.PublicKey), { name: 'ECDH', namedCurve: 'P-384' }, false, []) }, peer.privateKey, 384));
  const kem = (await client.send(new CreateKeyCommand({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }))).KeyMetadata!;
  const encap = await client.send(new EncapsulateCommand({ KeyId: kem.KeyId, EncapsulationAlgorithm: 'ML_KEM' }));
  const decap = await client.send(new DecapsulateCommand({ KeyId: kem.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: encap.SharedSecretCiphertextBlob }));
  out.agreement = {
    ecdhEqual: derived.SharedSecret!.length === 48 && derived.SharedSecret!.every((b, i) => b === theirs[i]),
    kemCiphertext: encap.SharedSecretCiphertextBlob!.length,
    kemEqual: decap.SharedSecret!.length === 32 && decap.SharedSecret!.every((b, i) => b === encap.SharedSecret![i]),
  };
  return out;
}

(globalThis as unknown as { asymmetricWalk: typeof walk }).asymmetricWalk = walk;
