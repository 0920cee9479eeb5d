// Interop with the official AWS Encryption SDK (@aws-crypto/client-node) through the /kms wire
// protocol: a Node http server serves handleKms over a Pocket KMS core on fake-indexeddb, and the
// ESDK's KMS keyring talks to it with the unmodified @aws-sdk/client-kms. Both directions, both
// committing suites, several frame lengths, with and without encryption context; legacy
// (format 1) messages from the ESDK are read when allowed.
import { KMS } from '@aws-sdk/client-kms';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootCaller } from '../../../src/kms/ids';
import {
  createDecryptStream,
  createEncryptStream,
  NonCommittingSuiteError,
  NoUsableKeyError,
  type MessageHeader,
} from '../../../src/format';
import { handleKms } from '../../../src/endpoint/wire';
import { coreKeyring } from '../../../src/worker/files-keyring';
import { freshKms, type Fresh } from '../helpers/kms';
import { chunksOf, pipe, random } from '../format/helpers';
import { esdkNode } from './esdk-loader';

const { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, KmsKeyringNode } = esdkNode;

let f: Fresh;
let server: Server;
let endpoint: string;
let arn1: string;
let arn2: string;
let credentials: { accessKeyId: string; secretAccessKey: string };

beforeAll(async () => {
  f = await freshKms();
  arn1 = (await f.createKey()).Arn;
  arn2 = (await f.createKey()).Arn;
  // The endpoint verifies SigV4: the SDK signs with a real access key of the keystore's root.
  const key = await f.kms.iam.createAccessKey(caller(), `arn:aws:iam::${f.kms.keystore.accountId}:root`);
  credentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      // The URL carries the Host the SDK signed (with the port).
      const r = await handleKms(
        f.kms,
        new Request(`http://${req.headers.host}${req.url}`, {
          method: req.method!,
          headers,
          body: Buffer.concat(body),
        }),
      );
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kms`;
});

afterAll(async () => {
  await new Promise((ok) => server.close(ok));
});

const kmsClient = () => new KMS({ endpoint, region: 'us-east-1', credentials });
const esdkKeyring = (generatorKeyId: string, keyIds: string[] = []) =>
  new KmsKeyringNode({ generatorKeyId, keyIds, clientProvider: () => kmsClient() as never });
const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const legacyEsdk = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
const caller = () => rootCaller(f.kms.keystore, { userAgent: 'vitest-interop' });

async function pocketEncrypt(
  pt: Uint8Array,
  suiteId: 0x0478 | 0x0578,
  frameLength: number,
  ctx: Record<string, string>,
  keys = [arn1],
) {
  const { stream } = await createEncryptStream({
    keyring: coreKeyring(f.kms, caller(), { keyIds: keys }),
    suiteId,
    frameLength,
    encryptionContext: ctx,
  });
  const { out, error } = await pipe(stream, chunksOf(pt, 'random'));
  expect(error).toBeUndefined();
  return out;
}

async function pocketDecrypt(msg: Uint8Array, allowNonCommitting = false) {
  let header: MessageHeader | undefined;
  const r = await pipe(
    createDecryptStream({
      keyring: coreKeyring(f.kms, caller()),
      allowNonCommitting,
      onHeader: (h) => void (header = h),
    }),
    chunksOf(msg, 'random', 7),
  );
  return { ...r, header };
}

const CONTEXTS: Record<string, Record<string, string>> = {
  'no context': {},
  'a context': { purpose: 'interop', dept: 'fïnance' },
};
const SUITES = [
  ['0x0478', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, 0x0478],
  ['0x0578', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384, 0x0578],
] as const;
const FRAMES = [1, 4096, 65536, 1 << 20];

describe('Pocket KMS → AWS Encryption SDK (client-node)', () => {
  for (const [name, , suiteId] of SUITES)
    for (const frameLength of FRAMES)
      for (const [cname, ctx] of Object.entries(CONTEXTS))
        it(`${name}, frame ${frameLength}, ${cname}`, async () => {
          const pt = random(frameLength === 1 ? 257 : frameLength * 2 + 3);
          const msg = await pocketEncrypt(pt, suiteId, frameLength, ctx);
          const { plaintext, messageHeader } = await esdk.decrypt(esdkKeyring(arn1), Buffer.from(msg));
          expect(Buffer.compare(plaintext, pt)).toBe(0);
          expect(messageHeader.suiteId).toBe(suiteId);
          expect(messageHeader.frameLength).toBe(frameLength);
          for (const [k, v] of Object.entries(ctx)) expect(messageHeader.encryptionContext[k]).toBe(v);
        });

  it('a two-key message decrypts with the ESDK keyring of either key', async () => {
    const pt = random(10_000);
    const msg = await pocketEncrypt(pt, 0x0578, 4096, { a: 'b' }, [arn1, arn2]);
    for (const k of [arn1, arn2])
      expect(Buffer.compare((await esdk.decrypt(esdkKeyring(k), Buffer.from(msg))).plaintext, pt)).toBe(0);
  });

  it('an empty plaintext', async () => {
    const msg = await pocketEncrypt(new Uint8Array(0), 0x0478, 4096, {});
    expect((await esdk.decrypt(esdkKeyring(arn1), Buffer.from(msg))).plaintext.length).toBe(0);
  });
});

describe('AWS Encryption SDK (client-node) → Pocket KMS', () => {
  for (const [name, esdkSuite, suiteId] of SUITES)
    for (const frameLength of FRAMES)
      for (const [cname, ctx] of Object.entries(CONTEXTS))
        it(`${name}, frame ${frameLength}, ${cname}`, async () => {
          const pt = random(frameLength === 1 ? 257 : frameLength * 2 + 3);
          const { result } = await esdk.encrypt(esdkKeyring(arn1), Buffer.from(pt), {
            suiteId: esdkSuite,
            frameLength,
            encryptionContext: ctx,
          });
          const { out, error, header } = await pocketDecrypt(result);
          expect(error).toBeUndefined();
          expect(Buffer.compare(out, pt)).toBe(0);
          expect(header!.suite.id).toBe(suiteId);
          expect(header!.encryptedDataKeys[0]!.providerId).toBe('aws-kms');
        });

  for (const size of [0, 8192])
    it(`an ESDK message of ${size} bytes (frames of 4096: ${size ? 'an exact multiple' : 'empty'})`, async () => {
      const pt = random(size);
      const { result } = await esdk.encrypt(esdkKeyring(arn1), Buffer.from(pt), { frameLength: 4096 });
      const { out, error } = await pocketDecrypt(result);
      expect(error).toBeUndefined();
      expect(Buffer.compare(out, pt)).toBe(0);
    });

  it('a two-key ESDK message decrypts when only the second key is usable', async () => {
    const pt = random(5000);
    const { result } = await esdk.encrypt(esdkKeyring(arn1, [arn2]), Buffer.from(pt), {
      encryptionContext: { x: 'y' },
    });
    await f.call('DisableKey', { KeyId: arn1 });
    try {
      const { out, error } = await pocketDecrypt(result);
      expect(error).toBeUndefined();
      expect(Buffer.compare(out, pt)).toBe(0);
      await f.call('DisableKey', { KeyId: arn2 });
      const none = await pocketDecrypt(result);
      expect(none.error).toBeInstanceOf(NoUsableKeyError);
      expect((none.error as Error).message).toContain(arn1);
      expect((none.error as Error).message).toContain('DisabledException');
    } finally {
      await f.call('EnableKey', { KeyId: arn1 });
      await f.call('EnableKey', { KeyId: arn2 });
    }
  });

  const LEGACY = [
    ['0x0014', AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16],
    ['0x0078', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16],
    ['0x0114', AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256],
    ['0x0178', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256],
    ['0x0214', AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256],
    ['0x0378', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384],
  ] as const;
  for (const [name, esdkSuite] of LEGACY)
    it(`reads a format 1 message with legacy suite ${name} only when allowed`, async () => {
      const pt = random(9000);
      const { result } = await legacyEsdk.encrypt(esdkKeyring(arn1), Buffer.from(pt), {
        suiteId: esdkSuite,
        frameLength: 4096,
        encryptionContext: { v: '1' },
      });
      expect((await pocketDecrypt(result)).error).toBeInstanceOf(NonCommittingSuiteError);
      const { out, error, header } = await pocketDecrypt(result, true);
      expect(error).toBeUndefined();
      expect(header!.version).toBe(1);
      expect(Buffer.compare(out, pt)).toBe(0);
    });
});
