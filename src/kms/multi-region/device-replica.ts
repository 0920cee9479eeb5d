// A multi-Region key's replica on another device or browser (ADR 0015, docs/FORMAT.md "Replica requests and
// packages"): the destination makes a request (an RSA-OAEP key whose private half is stored only sealed under
// its root key), the source answers with a signed package of the key's material versions wrapped for it
// inside WebCrypto, and the destination imports it once. Both sides record each step.

import type { Audit } from '../audit';
import { OpContext, type KmsEnv } from '../context';
import { toKmsError, AlreadyExistsException, DisabledException, ValidationException } from '../errors';
import { keyArn, type Caller } from '../ids';
import { checkSecret, CUSTODY_META, openWithSecret, rewrapAll, withDeviceForms, type SecretCustody } from '../material';
import { defaultKeyPolicy } from '../authz';
import {
  ReplicaPackageMismatchException,
  ReplicaPackageSignatureException,
  UnsupportedOperationException,
} from '../errors';
import type { KeyRecord, MaterialRecord } from '../records';
import { layout, requirePrimary } from './config';
import {
  b64,
  fromBase64,
  PACKAGE_FORMAT,
  parsePackage,
  parseRequest,
  REQUEST_FORMAT,
  requestFingerprint,
  signedBytes,
  type ReplicaPackage,
  type ReplicaRequest,
} from './replica-files';

/** Pocket KMS's own events (no AWS operation), under their own eventSource as custody's are. */
export const REPLICATION_EVENT_SOURCE = 'replication.pocket-kms.local';
const REQUEST_VALID_MS = 7 * 86_400_000;
const RSA: RsaHashedImportParams = { name: 'RSA-OAEP', hash: 'SHA-256' };
const utf8 = new TextEncoder();
const requestMeta = (id: string) => `replica-request:${id}`;
const sealAad = (id: string) => utf8.encode(`pocket-kms:replica-request-key:v1:${id}`);
const buf = (u: Uint8Array) => u as Uint8Array<ArrayBuffer>;

interface StoredRequest {
  id: string;
  createdAt: number;
  expiresAt: number;
  spki: Uint8Array;
  /** The RSA-OAEP private key, PKCS#8 AES-GCM sealed under the wrapping root key: never stored usable. */
  sealed: ArrayBuffer;
  iv: Uint8Array;
}

async function audited<T>(env: KmsEnv, caller: Caller, op: string, req: object, fn: (c: OpContext) => Promise<T>) {
  const c = new OpContext(env, caller, op, req);
  c.eventSource = REPLICATION_EVENT_SOURCE;
  try {
    const r = await fn(c);
    if (!c.audited) await env.store.write((tx) => tx.appendAudit(c.entry(null)));
    return r;
  } catch (e) {
    const err = toKmsError(e);
    await env.store.write((tx) => tx.appendAudit(c.entry(undefined, err)));
    throw err;
  }
}

/** Both ends must be locked at rest: the material is then never stored where a profile reader could use it. */
function requireSecretKeystore(env: KmsEnv): void {
  env.custodian.roots();
  if (env.custodian.mode !== 'secret')
    throw new ValidationException(
      'Replicas to or from another device need a keystore protected by a passphrase or passkey: set one first.',
    );
}

/**
 * Destination: a replica request for this keystore's Region. Its private key is made inside WebCrypto and
 * stored only sealed under the wrapping root key.
 * @throws ValidationException (no secret set), KMSInvalidStateException (locked)
 */
export async function createReplicaRequest(env: KmsEnv, caller: Caller) {
  return audited(env, caller, 'CreateReplicaRequest', {}, async (c) => {
    requireSecretKeystore(env);
    const pair = (await crypto.subtle.generateKey(
      { ...RSA, modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ['wrapKey', 'unwrapKey'],
    )) as CryptoKeyPair;
    const id = Array.from(env.random.bytes(16), (b) => b.toString(16).padStart(2, '0')).join('');
    const iv = env.random.bytes(12);
    // Extractable only for this wrapKey, which seals it; the usable private key is unwrapped on import.
    const sealed = await crypto.subtle.wrapKey('pkcs8', pair.privateKey, env.custodian.roots().wrappingKey, {
      name: 'AES-GCM',
      iv: buf(iv),
      additionalData: sealAad(id),
    });
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    const fingerprint = await requestFingerprint(id, spki);
    const stored: StoredRequest = { id, createdAt: c.now, expiresAt: c.now + REQUEST_VALID_MS, spki, sealed, iv };
    const request: ReplicaRequest = {
      format: REQUEST_FORMAT,
      version: 1,
      requestId: id,
      region: env.keystore.region,
      accountId: env.keystore.accountId,
      createdAt: new Date(stored.createdAt).toISOString(),
      expiresAt: new Date(stored.expiresAt).toISOString(),
      publicKey: b64(spki),
    };
    Object.assign(c.request as object, { requestId: id, fingerprint });
    await env.store.write(async (tx) => {
      await env.custodian.requireCurrent(tx);
      await tx.putMeta(requestMeta(id), stored);
      await tx.appendAudit(c.entry(null));
    });
    c.audited = true;
    return { text: JSON.stringify(request, null, 2), requestId: id, fingerprint };
  });
}

/**
 * Source: a package answering `requestText` with `keyId`'s material versions, after the secret is presented
 * again (the recovery secret: a package is a copy of the key).
 * @throws IncorrectSecretException, ReplicaFormatException, UnsupportedOperationException (not a multi-Region
 * primary; imported material), DisabledException, KMSInvalidStateException, AccessDeniedException
 */
export async function answerReplicaRequest(
  env: KmsEnv,
  audit: Audit,
  caller: Caller,
  keyIdIn: string,
  requestText: string,
  secretIn: unknown,
) {
  return audited(env, caller, 'ExportReplicaPackage', { keyId: keyIdIn }, async (c) => {
    requireSecretKeystore(env);
    const request = parseRequest(requestText);
    const custody = await env.store.read((tx) => tx.getMeta<SecretCustody>(CUSTODY_META));
    await openWithSecret(custody!, checkSecret(secretIn));
    const spki = fromBase64(request.publicKey);
    const fingerprint = await requestFingerprint(request.requestId, spki);
    Object.assign(c.request as object, { requestId: request.requestId, fingerprint, replicaRegion: request.region });
    const { key, materials } = await env.store.read(async (tx) => {
      const key = await c.resolve(tx, keyIdIn, { aliases: false, action: 'kms:ReplicateKey' });
      return { key, materials: await tx.listMaterials(key.keyId) };
    });
    requirePrimary(key, 'A replica package');
    if (key.origin === 'EXTERNAL')
      throw new UnsupportedOperationException(
        `${key.arn} has imported key material; Pocket KMS does not replicate such keys yet.`,
      );
    if (key.state === 'Disabled') throw new DisabledException(`${key.arn} is disabled.`);
    c.requireUsable(key);
    const pub = await crypto.subtle.importKey('spki', buf(spki), RSA, false, ['wrapKey']).catch(() => {
      throw new ValidationException('The replica request holds no usable RSA-OAEP public key.');
    });
    if ((pub.algorithm as unknown as { modulusLength: number }).modulusLength < 3072)
      throw new ValidationException('The replica request\u2019s key is shorter than 3072 bits.');
    // Fresh transport keys, extractable only to be wrapped for the request's key; the material moves
    // from the root keys to them inside WebCrypto (material/rewrap.ts).
    const kw = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, true, ['wrapKey', 'unwrapKey']);
    const gcm = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'wrapKey']);
    const wrap = async (k: CryptoKey) =>
      b64(new Uint8Array(await crypto.subtle.wrapKey('raw', k, pub, { name: 'RSA-OAEP' })));
    const moved = await rewrapAll(
      materials,
      new Map([[key.keyId, key]]),
      env.custodian.roots(),
      { domainKey: kw, wrappingKey: gcm },
      (n) => env.random.bytes(n),
    );
    const body: Omit<ReplicaPackage, 'signature'> = {
      format: PACKAGE_FORMAT,
      version: 1,
      requestId: request.requestId,
      requestFingerprint: fingerprint,
      createdAt: new Date(c.now).toISOString(),
      source: {
        keyArn: key.arn,
        region: env.keystore.region,
        accountId: env.keystore.accountId,
        signerPublicKey: '',
        signerFingerprint: '',
      },
      key: {
        keyId: key.keyId,
        keySpec: key.keySpec,
        keyUsage: key.keyUsage,
        description: key.description,
        currentVersion: key.currentVersion,
        currentMaterialId: key.currentMaterialId,
        rotationEnabled: key.rotationEnabled,
        ...(key.rotationPeriodDays !== undefined ? { rotationPeriodDays: key.rotationPeriodDays } : {}),
      },
      transport: { kw: await wrap(kw), gcm: await wrap(gcm) },
      materials: moved.map((m) =>
        m.kind
          ? {
              version: m.version,
              materialId: m.materialId,
              createdAt: m.createdAt,
              kind: m.kind,
              sealed: b64(new Uint8Array(m.sealed)),
              iv: b64(m.iv),
              ...(m.publicKey ? { publicKey: b64(m.publicKey) } : {}),
            }
          : {
              version: m.version,
              materialId: m.materialId,
              createdAt: m.createdAt,
              ...(m.rotationType ? { rotationType: m.rotationType } : {}),
              wrapped: b64(new Uint8Array(m.wrapped)),
            },
      ),
    };
    const signer = await audit.publicKey();
    body.source.signerPublicKey = b64(signer.der);
    body.source.signerFingerprint = signer.fingerprint;
    const { signature } = await audit.signBytes(signedBytes(body));
    c.keyIds.add(key.keyId);
    return { text: JSON.stringify({ ...body, signature: b64(signature) }, null, 2), fingerprint, keyArn: key.arn };
  });
}

/**
 * Destination: imports a package answering one of this keystore's requests, as a replica in its Region. The
 * request is used up in the same transaction; nothing changes when any check fails.
 * @throws ReplicaFormatException, ReplicaPackageSignatureException (altered), ReplicaPackageMismatchException
 * (another request's package, replayed, expired), AlreadyExistsException (a key of that ID that is not a replica
 * of the package's primary), KMSInvalidStateException (locked)
 */
export async function importReplicaPackage(env: KmsEnv, caller: Caller, text: string) {
  return audited(env, caller, 'ImportReplicaPackage', {}, async (c) => {
    requireSecretKeystore(env);
    const p = parsePackage(text);
    Object.assign(c.request as object, { requestId: p.requestId, sourceKeyArn: p.source?.keyArn });
    const signerSpki = fromBase64(p.source.signerPublicKey);
    const signer = await crypto.subtle
      .importKey('spki', buf(signerSpki), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
      .catch(() => undefined);
    const ok =
      signer &&
      (await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        signer,
        buf(fromBase64(p.signature)),
        buf(signedBytes(p)),
      ));
    const fp = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', buf(signerSpki))), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    if (!ok || fp !== p.source.signerFingerprint)
      throw new ReplicaPackageSignatureException(
        'The replica package\u2019s signature does not verify: it was altered after it was made.',
      );
    const stored = await env.store.read((tx) => tx.getMeta<StoredRequest>(requestMeta(p.requestId)));
    if (!stored || stored.expiresAt <= c.now)
      throw new ReplicaPackageMismatchException(
        'This replica package answers no open request of this keystore: it was made for another one, used already, or its request expired.',
      );
    if ((await requestFingerprint(stored.id, stored.spki)) !== p.requestFingerprint)
      throw new ReplicaPackageMismatchException('This replica package was made for another request\u2019s key.');
    const roots = env.custodian.roots();
    const priv = await crypto.subtle.unwrapKey(
      'pkcs8',
      stored.sealed,
      roots.wrappingKey,
      { name: 'AES-GCM', iv: buf(stored.iv), additionalData: sealAad(stored.id) },
      RSA,
      false,
      ['unwrapKey'],
    );
    const transport = await Promise.all([
      crypto.subtle.unwrapKey('raw', buf(fromBase64(p.transport.kw)), priv, { name: 'RSA-OAEP' }, 'AES-KW', false, [
        'unwrapKey',
      ]),
      crypto.subtle.unwrapKey('raw', buf(fromBase64(p.transport.gcm)), priv, { name: 'RSA-OAEP' }, 'AES-GCM', false, [
        'decrypt',
        'unwrapKey',
      ]),
    ]).catch(() => {
      throw new ReplicaPackageMismatchException(
        'This replica package was not wrapped for this keystore\u2019s request.',
      );
    });
    const k = p.key;
    const replica: KeyRecord = {
      keyId: k.keyId,
      arn: keyArn(env.keystore, k.keyId),
      createdAt: c.now,
      description: k.description,
      keyUsage: k.keyUsage as KeyRecord['keyUsage'],
      keySpec: k.keySpec as KeyRecord['keySpec'],
      origin: 'AWS_KMS',
      state: 'Enabled',
      tags: [],
      policy: defaultKeyPolicy(env.keystore),
      rotationEnabled: false,
      currentVersion: k.currentVersion,
      currentMaterialId: k.currentMaterialId,
      multiRegion: { ...layout('REPLICA', p.source.region, [env.keystore.region]), primaryArn: p.source.keyArn },
    };
    const packaged: MaterialRecord[] = p.materials.map((m) =>
      m.kind
        ? {
            kind: m.kind,
            keyId: k.keyId,
            version: m.version,
            materialId: m.materialId,
            createdAt: m.createdAt,
            cryptoKeys: {},
            sealed: buf(fromBase64(m.sealed!)).buffer,
            iv: fromBase64(m.iv!),
            ...(m.publicKey ? { publicKey: fromBase64(m.publicKey) } : {}),
          }
        : {
            keyId: k.keyId,
            version: m.version,
            materialId: m.materialId,
            createdAt: m.createdAt,
            ...(m.rotationType ? { rotationType: m.rotationType } : {}),
            wrapped: buf(fromBase64(m.wrapped!)).buffer,
          },
    );
    let mine: MaterialRecord[];
    try {
      mine = await rewrapAll(
        packaged,
        new Map([[k.keyId, replica]]),
        { domainKey: transport[0], wrappingKey: transport[1] },
        roots,
        (n) => env.random.bytes(n),
      );
    } catch {
      throw new ReplicaPackageSignatureException('The replica package\u2019s material does not open: it was altered.');
    }
    if (env.custodian.mode === 'device') mine = await Promise.all(mine.map((m) => withDeviceForms(m, replica, roots)));
    c.keyIds.add(k.keyId);
    await env.store.write(
      async (tx) => {
        // Read again inside the transaction: a replay racing this import finds the request gone.
        if (!(await tx.getMeta(requestMeta(p.requestId))))
          throw new ReplicaPackageMismatchException('This replica package\u2019s request was used already.');
        const existing = await tx.getKey(k.keyId);
        // A newer package for a replica made from the same primary brings the versions rotation added since;
        // any other key of that ID stays as it is.
        const refresh =
          existing?.multiRegion?.type === 'REPLICA' && existing.multiRegion.primaryArn === p.source.keyArn;
        if (existing && !refresh) throw new AlreadyExistsException(`${replica.arn} already exists.`);
        await env.custodian.requireCurrent(tx);
        await tx.deleteMeta(requestMeta(p.requestId));
        for (const m of mine)
          if (!(await tx.getMaterial(m.keyId, m.version))) await tx.putMaterial(env.custodian.forStorage(m));
        if (existing && existing.currentVersion < k.currentVersion)
          await tx.putKey({ ...existing, currentVersion: k.currentVersion, currentMaterialId: k.currentMaterialId });
        else if (!existing) await tx.putKey(replica);
        await tx.appendAudit(c.entry(null));
      },
      { durable: true },
    );
    c.audited = true;
    return { keyArn: replica.arn, keyId: k.keyId, source: p.source, requestFingerprint: p.requestFingerprint };
  });
}

/** The core's door to device replicas (Kms.deviceReplicas). */
export interface DeviceReplicas {
  /** Destination: a replica request for this Region. */
  request(caller: Caller): ReturnType<typeof createReplicaRequest>;
  /** Source: the package answering `requestText` with `keyId`, after the secret is presented again. */
  answer(caller: Caller, keyId: string, requestText: string, secret: unknown): ReturnType<typeof answerReplicaRequest>;
  /** Destination: imports a package answering one of this keystore's requests. */
  import(caller: Caller, packageText: string): ReturnType<typeof importReplicaPackage>;
}

export function deviceReplicas(env: KmsEnv, audit: Audit): DeviceReplicas {
  return {
    request: (caller) => createReplicaRequest(env, caller),
    answer: (caller, keyId, text, secret) => answerReplicaRequest(env, audit, caller, keyId, text, secret),
    import: (caller, text) => importReplicaPackage(env, caller, text),
  };
}
