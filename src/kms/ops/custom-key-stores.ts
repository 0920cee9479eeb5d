// CreateCustomKeyStore, DescribeCustomKeyStores, ConnectCustomKeyStore, DisconnectCustomKeyStore,
// UpdateCustomKeyStore, DeleteCustomKeyStore over passkey key stores (ADR 0016), with the request and response
// shapes and exceptions of the AWS KMS API Reference; CustomKeyStoreType AWS_CLOUDHSM is the mapping.

import { toHex } from '../../format/bytes';
import type { OpContext } from '../context';
import {
  CustomKeyStoreHasCMKsException,
  CustomKeyStoreNameInUseException,
  LimitExceededException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors';
import {
  allKeyStores,
  checkProof,
  deleteKeyStore,
  invalidState,
  keyStoreById,
  newStoreKey,
  notFound,
  openWithPasskey,
  putKeyStore,
  sameId,
  slotFor,
  unwrapStoreKey,
  DEFAULT_IDLE_MINUTES,
  MAX_IDLE_MINUTES,
  MAX_KEY_STORES,
  type KeyStoreRecord,
  type StoreSlot,
} from '../keystores';
import type { Tx } from '../ports';
import { optEnum, optString, reqString, type Req } from '../validate';
import { page, readPaging } from './paging';

/** Members of CloudHSM and external key stores that have no meaning for a passkey key store. */
const NOT_HERE = [
  'CloudHsmClusterId',
  'TrustAnchorCertificate',
  'KeyStorePassword',
  'XksProxyUriEndpoint',
  'XksProxyUriPath',
  'XksProxyVpcEndpointServiceName',
  'XksProxyVpcEndpointServiceOwner',
  'XksProxyAuthenticationCredential',
  'XksProxyConnectivity',
];

function refuseNotHere(req: Req): void {
  const given = NOT_HERE.filter((f) => req[f] !== undefined);
  if (given.length)
    throw new ValidationException(
      `A passkey key store has no CloudHSM cluster, trust anchor, kmsuser password or external key store proxy: ${given.join(', ')} cannot be used (its credential is the passkey).`,
    );
}

function checkIdle(m: unknown): number {
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > MAX_IDLE_MINUTES)
    throw new ValidationException(
      `"idleMinutes" expected a whole number of minutes from 0 (never) to ${MAX_IDLE_MINUTES}, got ${String(m)}`,
    );
  return m;
}

async function requireFreeName(tx: Tx, name: string, except?: string): Promise<void> {
  if ((await allKeyStores(tx)).some((s) => s.name === name && s.id !== except))
    throw new CustomKeyStoreNameInUseException(`A custom key store named '${name}' already exists in this keystore.`);
}

/** A store key opened with the passkey the console presented, or with the keystore's secret (recovery). */
async function openStoreKey(c: OpContext, rec: KeyStoreRecord, extractable: boolean) {
  const { passkey, recovery } = c.keyStore;
  if (passkey) {
    const p = checkProof(passkey);
    const known = rec.slots.some((s) => sameId(s.credentialId, p.credentialId));
    return { key: known ? await openWithPasskey(rec.slots, p, extractable) : undefined, known };
  }
  if (recovery) {
    if (!rec.recovery)
      throw invalidState(
        `Custom key store ${rec.id} opens only with its passkeys: recovery through the keystore's secret was not allowed when it was created.`,
      );
    return { key: await unwrapStoreKey(rec.recovery, c.env.custodian.roots().domainKey, extractable), known: true };
  }
  return undefined;
}

export async function createCustomKeyStore(c: OpContext, req: Req) {
  const name = reqString(req, 'CustomKeyStoreName', 1, 256);
  const type = optEnum(req, 'CustomKeyStoreType', ['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const) ?? 'AWS_CLOUDHSM';
  if (type === 'EXTERNAL_KEY_STORE')
    throw new UnsupportedOperationException(
      'Pocket KMS has no external key store proxy; its custom key stores are passkey key stores (CustomKeyStoreType AWS_CLOUDHSM).',
    );
  refuseNotHere(req);
  const { passkey, recovery, idleMinutes } = c.keyStore;
  if (!passkey)
    throw new UnsupportedOperationException(
      'A passkey key store is created in the Pocket KMS console (Key stores), where its passkey is registered; it cannot be created over the API.',
    );
  const first = checkProof(passkey);
  const idle = idleMinutes === undefined ? DEFAULT_IDLE_MINUTES : checkIdle(idleMinutes);
  await c.env.store.read(async (tx) => {
    await c.authorizeAccount(tx);
    await requireFreeName(tx, name);
    if ((await allKeyStores(tx)).length >= MAX_KEY_STORES)
      throw new LimitExceededException(`A keystore has at most ${MAX_KEY_STORES} custom key stores.`);
  });
  // Recovery wraps the store key under the keystore's domain key: only a keystore locked at rest keeps that
  // key away from the origin, so only such a keystore can offer it without undoing the store's point.
  if (recovery && c.env.custodian.mode !== 'secret')
    throw new ValidationException(
      "Recovery through the keystore's secret needs a keystore with a secret (Settings, Keystore protection): without one, its domain key is usable by any script of this site.",
    );
  const made = await newStoreKey(first, c.now, recovery ? c.env.custodian.roots().domainKey : undefined);
  const rec: KeyStoreRecord = {
    id: 'cks-' + toHex(c.env.random.bytes(9)).slice(0, 17),
    name,
    createdAt: c.now,
    slots: [made.slot],
    ...(made.recovery ? { recovery: made.recovery } : {}),
    idleMinutes: idle,
  };
  return c.writeDurable(async (tx) => {
    await requireFreeName(tx, name);
    if ((await allKeyStores(tx)).length >= MAX_KEY_STORES)
      throw new LimitExceededException(`A keystore has at most ${MAX_KEY_STORES} custom key stores.`);
    if (recovery) await c.env.custodian.requireCurrent(tx);
    await putKeyStore(tx, rec);
    // As in AWS, a new store is DISCONNECTED until ConnectCustomKeyStore.
    return { CustomKeyStoreId: rec.id };
  });
}

export async function describeCustomKeyStores(c: OpContext, req: Req) {
  const id = optString(req, 'CustomKeyStoreId', 1, 64);
  const name = optString(req, 'CustomKeyStoreName', 1, 256);
  const { limit, after } = readPaging(req, 1000, 1000);
  const all = await c.write(async (tx) => {
    await c.authorizeAccount(tx);
    const stores = await allKeyStores(tx);
    const hit = stores.filter((s) => (id === undefined || s.id === id) && (name === undefined || s.name === name));
    if ((id !== undefined || name !== undefined) && hit.length === 0) throw notFound(id ?? name!);
    return hit;
  });
  const p = page(
    [...all].sort((a, b) => (a.id < b.id ? -1 : 1)),
    (s) => s.id,
    limit,
    after,
  );
  return {
    CustomKeyStores: p.items.map((s) => {
      const { state, error } = c.env.keyStores.state(s.id);
      return {
        CustomKeyStoreId: s.id,
        CustomKeyStoreName: s.name,
        CustomKeyStoreType: 'AWS_CLOUDHSM' as const,
        ConnectionState: state,
        ...(error ? { ConnectionErrorCode: error } : {}),
        CreationDate: new Date(s.createdAt),
      };
    }),
    ...(p.next ? { NextMarker: p.next } : {}),
    Truncated: p.next !== undefined,
  };
}

export async function connectCustomKeyStore(c: OpContext, req: Req) {
  const id = reqString(req, 'CustomKeyStoreId', 1, 64);
  const rec = await c.env.store.read(async (tx) => {
    await c.authorizeAccount(tx);
    return keyStoreById(tx, id);
  });
  const conns = c.env.keyStores;
  const { state } = conns.state(id);
  if (state === 'FAILED')
    throw invalidState(
      `Custom key store ${id} failed to connect: disconnect it (DisconnectCustomKeyStore), then connect it again.`,
    );
  if (state === 'CONNECTED') return c.write(async (tx) => (await keyStoreById(tx, id), {}));
  if (!c.keyStore.passkey && !c.keyStore.recovery)
    throw invalidState(
      `Custom key store ${id} connects only in the Pocket KMS console (Key stores), with one of its passkeys: it cannot be connected over the API.`,
    );
  // Refusals come before the attempt, so they leave the store's state as it was.
  if (c.keyStore.passkey) checkProof(c.keyStore.passkey);
  else if (!rec.recovery)
    throw invalidState(
      `Custom key store ${id} opens only with its passkeys: recovery through the keystore's secret was not allowed when it was created.`,
    );
  conns.beginConnect(id);
  try {
    const opened = (await openStoreKey(c, rec, false))!;
    // AWS answers at once and reports a failed connection in DescribeCustomKeyStores; so does this.
    if (opened.key) conns.connected(id, opened.key);
    else conns.fail(id, opened.known ? 'INVALID_CREDENTIALS' : 'USER_NOT_FOUND');
  } catch (e) {
    conns.fail(id, 'INTERNAL_ERROR');
    throw e;
  }
  return c.write(async (tx) => (await keyStoreById(tx, id), {}));
}

export async function disconnectCustomKeyStore(c: OpContext, req: Req) {
  const id = reqString(req, 'CustomKeyStoreId', 1, 64);
  await c.env.store.read(async (tx) => {
    await c.authorizeAccount(tx);
    await keyStoreById(tx, id);
  });
  if (c.env.keyStores.state(id).state === 'DISCONNECTED')
    throw invalidState(`Custom key store ${id} is already disconnected.`);
  c.env.keyStores.disconnect(id);
  return c.write(async () => ({}));
}

export async function updateCustomKeyStore(c: OpContext, req: Req) {
  const id = reqString(req, 'CustomKeyStoreId', 1, 64);
  const newName = optString(req, 'NewCustomKeyStoreName', 1, 256);
  refuseNotHere(req);
  const { addPasskey, idleMinutes } = c.keyStore;
  const idle = idleMinutes === undefined ? undefined : checkIdle(idleMinutes);
  const spare = addPasskey === undefined ? undefined : checkProof(addPasskey, 'new passkey');
  if (newName === undefined && idle === undefined && spare === undefined)
    throw new ValidationException(
      'Give NewCustomKeyStoreName (or, in the console, a passkey or idle timeout) to update.',
    );
  const rec = await c.env.store.read(async (tx) => {
    await c.authorizeAccount(tx);
    const r = await keyStoreById(tx, id);
    if (newName !== undefined) await requireFreeName(tx, newName, id);
    return r;
  });
  let slot: StoreSlot | undefined;
  if (spare) {
    // The store key is unwrapped extractable, inside WebCrypto, only to be wrapped for the new passkey.
    const opened = await openStoreKey(c, rec, true);
    if (!opened) throw new ValidationException('Adding a passkey needs one of the store\u2019s passkeys first.');
    if (!opened.key)
      throw invalidState(`That passkey does not open custom key store ${id}: use one of its registered passkeys.`);
    slot = await slotFor(opened.key, spare, c.now);
  }
  return c.writeDurable(async (tx) => {
    const cur = await keyStoreById(tx, id);
    if (newName !== undefined) await requireFreeName(tx, newName, id);
    const added = slot;
    const slots = added ? [...cur.slots.filter((s) => !sameId(s.credentialId, added.credentialId)), added] : cur.slots;
    await putKeyStore(tx, {
      ...cur,
      ...(newName !== undefined ? { name: newName } : {}),
      ...(idle !== undefined ? { idleMinutes: idle } : {}),
      slots,
    });
    return {};
  });
}

export async function deleteCustomKeyStore(c: OpContext, req: Req) {
  const id = reqString(req, 'CustomKeyStoreId', 1, 64);
  return c.writeDurable(async (tx) => {
    await c.authorizeAccount(tx);
    await keyStoreById(tx, id);
    if (c.env.keyStores.state(id).state !== 'DISCONNECTED')
      throw invalidState(
        `Custom key store ${id} must be disconnected (DisconnectCustomKeyStore) before it is deleted.`,
      );
    const keys = (await tx.allKeys()).filter((k) => k.customKeyStoreId === id);
    if (keys.length)
      throw new CustomKeyStoreHasCMKsException(
        `Custom key store ${id} still holds ${keys.length} KMS key(s), including keys pending deletion: delete them (ScheduleKeyDeletion) and wait until they are gone.`,
      );
    await deleteKeyStore(tx, id);
    return {};
  });
}

/** GenerateRandom with CustomKeyStoreId, CreateKey in a store: the store must exist and be connected here.
 * @throws CustomKeyStoreNotFoundException, CustomKeyStoreInvalidStateException */
export async function requireConnectedStore(c: OpContext, tx: Tx, id: string): Promise<KeyStoreRecord> {
  const rec = await keyStoreById(tx, id);
  if (!c.env.keyStores.isConnected(id))
    throw invalidState(
      `Custom key store ${id} is not connected: connect it with its passkey in the Pocket KMS console (Key stores) and try again.`,
    );
  return rec;
}
