// What the crash test demands of the keystore afterwards, checked against the database itself (read
// straight from IndexedDB, so the check adds no records): every answered call has exactly one audit
// record (and an unanswered one at most one), and the stored keys, material versions, grants and aliases
// are exactly what the successful records say, so no call without a record changed anything.
import type { Page } from 'playwright-core';
import { answered, markerOf, type Entry } from './crash-plan';

export interface Dump {
  keys: { keyId: string; currentVersion: number; currentMaterialId: string }[];
  materials: { keyId: string; version: number; materialId: string }[];
  grants: { grantId: string; keyId: string; name?: string }[];
  aliases: { name: string; keyId: string }[];
  audit: { seq: number; eventName: string; errorCode?: string; requestId: string; rp: any; re: any }[];
}

/** Reads the region's keystore database in `page`, without a version (no upgrade, no write). */
export function dumpDatabase(page: Page): Promise<Dump> {
  return page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open('pocket-kms-us-east-1');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const tx = db.transaction(['keys', 'materials', 'grants', 'aliases', 'audit']);
    const all = (n: string) =>
      new Promise<any[]>((res, rej) => {
        const r = tx.objectStore(n).getAll();
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
    const [keys, materials, grants, aliases, audit] = await Promise.all(
      ['keys', 'materials', 'grants', 'aliases', 'audit'].map(all),
    );
    db.close();
    return {
      keys: keys!.map((k) => ({
        keyId: k.keyId,
        currentVersion: k.currentVersion,
        currentMaterialId: k.currentMaterialId,
      })),
      materials: materials!.map((m) => ({ keyId: m.keyId, version: m.version, materialId: m.materialId })),
      grants: grants!.map((g) => ({ grantId: g.grantId, keyId: g.keyId, name: g.name })),
      aliases: aliases!.map((a) => ({ name: a.name, keyId: a.keyId })),
      audit: audit!.map((e) => ({
        seq: e.seq,
        eventName: e.eventName,
        errorCode: e.errorCode,
        requestId: e.record.requestID,
        rp: e.record.requestParameters,
        re: e.record.responseElements,
      })),
    };
  });
}

const MARKED = new Set(['CreateKey', 'Encrypt', 'CreateGrant', 'UpdateAlias', 'CreateAlias']);

/** Calls at /kms the browser sent again after restarting the service worker, which the endpoint refused
 * to run twice: answered KMSInternalException with the request ID of this same call's one record (a
 * call's answer and its record otherwise agree). Each counts as its record says it ended. */
export function refusedReplays(entries: Entry[], d: Dump): Map<number, Entry> {
  const out = new Map<number, Entry>();
  for (const e of entries) {
    const o = e.outcome;
    if (e.call.via !== 'endpoint' || o?.status !== 'error' || o.name !== 'KMSInternalException' || !o.requestId)
      continue;
    const recs = d.audit.filter((a) => a.requestId === o.requestId);
    const r = recs[0];
    const same =
      r?.eventName === e.call.op &&
      (markerOf(e.call.op, e.call.req) ?? e.call.req.KeyId) === (markerOf(r.eventName, r.rp) ?? r.rp?.keyId);
    if (recs.length !== 1 || !same || r.errorCode === 'KMSInternalException') continue;
    const outcome =
      r.errorCode === undefined
        ? { id: e.call.id, status: 'ok' as const, data: { requestId: o.requestId } }
        : { id: e.call.id, status: 'error' as const, name: r.errorCode, message: o.message, requestId: o.requestId };
    out.set(e.call.id, { ...e, outcome });
  }
  return out;
}

/** Every broken promise, as a sentence naming the call or the record. */
export function checkKeystore(given: Entry[], d: Dump): string[] {
  const bad: string[] = [];
  const replays = refusedReplays(given, d);
  const entries = given.map((e) => replays.get(e.call.id) ?? e);
  const byMarker = new Map<string, Dump['audit']>();
  for (const r of d.audit) {
    if (!MARKED.has(r.eventName)) continue;
    const m = `${r.eventName} ${markerOf(r.eventName, r.rp)}`;
    byMarker.set(m, [...(byMarker.get(m) ?? []), r]);
  }
  const byRequestId = new Map<string, Dump['audit']>();
  for (const r of d.audit) byRequestId.set(r.requestId, [...(byRequestId.get(r.requestId) ?? []), r]);
  const outcomeOk = (r: Dump['audit'][number], e: Entry) =>
    e.outcome!.status === 'ok' ? r.errorCode === undefined : r.errorCode === (e.outcome as { name: string }).name;

  const called = new Set<string>();
  for (const e of entries) {
    const { op, req, via, id } = e.call;
    const sure = answered(e);
    const o = e.outcome!;
    if (via === 'endpoint' && sure) {
      // The service worker's x-amzn-RequestId names the record of this very call.
      const requestId = o.status === 'error' ? o.requestId : o.status === 'ok' ? o.data.requestId : undefined;
      const recs = byRequestId.get(requestId ?? '') ?? [];
      if (recs.length !== 1 || !outcomeOk(recs[0]!, e))
        bad.push(`${op} #${id} via /kms answered ${o.status} but has ${recs.length} matching records`);
    }
    const marker = markerOf(op, req);
    if (marker === undefined) continue;
    called.add(`${op} ${marker}`);
    const recs = byMarker.get(`${op} ${marker}`) ?? [];
    if (sure && (recs.length !== 1 || !outcomeOk(recs[0]!, e)))
      bad.push(`${op} #${id} (${via}) answered ${o.status} but has ${recs.length} audit records with its marker`);
    if (!sure && recs.length > 1) bad.push(`${op} #${id} (${via}, ${o.status}) has ${recs.length} audit records`);
  }
  for (const m of byMarker.keys()) if (!called.has(m)) bad.push(`audit record of a call never made: ${m}`);

  // Rotation has no free field: per key, what the records say must lie between what was answered and
  // what was answered plus what was cut off.
  const rotations = new Map<string, { ok: number; err: Map<string, number>; unsure: number; recs: Dump['audit'] }>();
  const rot = (k: string) => {
    if (!rotations.has(k)) rotations.set(k, { ok: 0, err: new Map(), unsure: 0, recs: [] });
    return rotations.get(k)!;
  };
  for (const e of entries) {
    if (e.call.op !== 'RotateKeyOnDemand') continue;
    const r = rot(String(e.call.req.KeyId));
    const o = e.outcome!;
    if (!answered(e)) r.unsure++;
    else if (o.status === 'ok') r.ok++;
    else if (o.status === 'error') r.err.set(o.name, (r.err.get(o.name) ?? 0) + 1);
  }
  for (const a of d.audit) if (a.eventName === 'RotateKeyOnDemand') rot(String(a.rp?.keyId)).recs.push(a);
  for (const [k, r] of rotations) {
    const okRecs = r.recs.filter((a) => a.errorCode === undefined).length;
    const answeredCount = r.ok + [...r.err.values()].reduce((x, y) => x + y, 0);
    if (okRecs < r.ok) bad.push(`key ${k}: ${r.ok} rotations answered ok, ${okRecs} recorded`);
    for (const [name, n] of r.err) {
      const recs = r.recs.filter((a) => a.errorCode === name).length;
      if (recs < n) bad.push(`key ${k}: ${n} rotations answered ${name}, ${recs} recorded`);
    }
    if (r.recs.length > answeredCount + r.unsure)
      bad.push(`key ${k}: ${r.recs.length} rotation records for ${answeredCount + r.unsure} calls`);
  }

  // The stored state is exactly the successful records' doing.
  const okRecs = (name: string) => d.audit.filter((a) => a.eventName === name && a.errorCode === undefined);
  const created = new Set(okRecs('CreateKey').map((a) => a.re?.keyMetadata?.keyId as string));
  const stored = new Set(d.keys.map((k) => k.keyId));
  for (const k of stored) if (!created.has(k)) bad.push(`key ${k} exists without a CreateKey record`);
  for (const k of created) if (!stored.has(k)) bad.push(`key ${k} was recorded as created but is missing`);
  const rotated = new Map<string, number>();
  for (const a of okRecs('RotateKeyOnDemand')) rotated.set(a.rp.keyId, (rotated.get(a.rp.keyId) ?? 0) + 1);
  for (const k of d.keys) {
    const versions = d.materials.filter((m) => m.keyId === k.keyId).sort((x, y) => x.version - y.version);
    const want = 1 + (rotated.get(k.keyId) ?? 0);
    const got = versions.map((m) => m.version).join(',');
    const expected = Array.from({ length: want }, (_, i) => i + 1).join(',');
    if (got !== expected) bad.push(`key ${k.keyId} has material versions [${got}], its records say [${expected}]`);
    if (k.currentVersion !== want)
      bad.push(`key ${k.keyId} is at version ${k.currentVersion}, its records say ${want}`);
    if (versions.at(-1)?.materialId !== k.currentMaterialId)
      bad.push(`key ${k.keyId}: its current material is not its newest version`);
  }
  for (const m of d.materials) if (!stored.has(m.keyId)) bad.push(`material of a missing key ${m.keyId}`);
  const granted = new Set(okRecs('CreateGrant').map((a) => a.re?.grantId as string));
  for (const g of d.grants)
    if (!granted.has(g.grantId)) bad.push(`grant ${g.name} exists without a CreateGrant record`);
  const grants = new Set(d.grants.map((g) => g.grantId));
  for (const g of granted) if (!grants.has(g)) bad.push(`grant ${g} was recorded as created but is missing`);
  const aliasRecs = d.audit
    .filter((a) => (a.eventName === 'UpdateAlias' || a.eventName === 'CreateAlias') && a.errorCode === undefined)
    .sort((x, y) => x.seq - y.seq);
  for (const al of d.aliases) {
    const last = aliasRecs.filter((a) => a.rp.aliasName === al.name).at(-1);
    if (last?.rp.targetKeyId !== al.keyId)
      bad.push(`${al.name} points at ${al.keyId}, its last record at ${last?.rp.targetKeyId}`);
  }
  return bad;
}
