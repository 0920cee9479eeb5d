// Composition root of the KMS worker: opens the region's keystore, exposes the API over Comlink,
// and runs maintenance (deletion and automatic rotation) at start-up and every minute.
import * as Comlink from 'comlink';
import { digestStream } from '../kms/asymmetric';
import { rawSignVerify } from '../kms/asymmetric/raw-probe';
import { rootCaller } from '../kms/ids';
import { rebuildError } from '../kms/errors';
import type { Kms } from '../kms/kms';
import { measureAuditCost, measureIdb, seedAuditRecords } from '../store/diagnostics';
import { openBrowserKeystore } from '../store/open';
import type { AuditRow, KmsWorkerApi } from './api';
import { applyRetention, cancelExport, nextChunk, publicKey, retentionPlan, setRetention, startExport, validateArchive } from './audit-exports';
import { registerErrorTransfer } from './error-transfer';
import { catalogueApi } from './catalogue-api';
import { filesApi } from './files-api';
import { removeStaleOutputs } from './files-sinks';
import { ActingAs, identitiesApi, keystoreInfo } from './identities-api';

registerErrorTransfer((w) => rebuildError(w.name, w.message));

const USER_AGENT = `pocket-kms-console/${import.meta.env.VITE_APP_VERSION ?? '0'}`;
const MAINTENANCE_MS = 60_000;

const ready: Promise<Kms> = openBrowserKeystore().then((kms) => {
  // Retention runs with maintenance and trims only exported records (confirmation is the console's).
  const tick = () => kms.maintain().then(() => applyRetention(kms, 'service', false)).catch(() => undefined);
  void tick();
  setInterval(tick, MAINTENANCE_MS);
  return kms;
});

void removeStaleOutputs().catch(() => undefined);

const acting = new ActingAs(USER_AGENT);

const api: KmsWorkerApi = {
  ...filesApi(ready, (kms) => acting.current(kms)),
  ...identitiesApi(ready, acting),
  ...catalogueApi(),
  async call(operation, request) {
    const kms = await ready;
    return (await kms.call(operation, request, acting.current(kms))) as never;
  },
  async keystore() {
    const kms = await ready;
    return keystoreInfo(kms, acting.current(kms));
  },
  async auditEvents(f) {
    const kms = await ready;
    const entries = await kms.audit.query({
      limit: Math.min(f.limit ?? 100, 500),
      ...(f.beforeSeq !== undefined ? { beforeSeq: f.beforeSeq } : {}),
      // Served from the store's indexes (no scan of the whole trail for a rare event or key).
      ...(f.keyId ? { keyId: f.keyId } : f.eventName ? { eventName: f.eventName } : {}),
      match: (e) =>
        (!f.eventName || e.eventName === f.eventName) &&
        (!f.keyId || e.keyIds.includes(f.keyId)) &&
        (!f.errorsOnly || e.errorCode !== undefined) &&
        !(f.hideReads && /^(Describe|Get|List)/.test(e.eventName)),
    });
    return entries.map(
      (e): AuditRow => ({
        seq: e.seq!,
        eventTime: e.eventTime,
        eventName: e.eventName,
        ...(e.errorCode ? { errorCode: e.errorCode } : {}),
        keyIds: e.keyIds,
        username: e.username,
        record: e.record,
      }),
    );
  },
  async lookupEvents(request) {
    return (await ready).audit.lookupEvents(request);
  },
  async verifyAuditTrail() {
    return (await ready).audit.verifyChain();
  },
  async exportAudit(request) {
    return startExport(await ready, request);
  },
  async exportNext(id) {
    const chunk = await nextChunk(id);
    return chunk ? Comlink.transfer(chunk, [chunk.buffer]) : null;
  },
  exportCancel: (id) => cancelExport(id),
  async auditPublicKey() {
    return publicKey(await ready);
  },
  async validateAuditExport(archive, publicKeyPem) {
    return validateArchive(await ready, archive, publicKeyPem);
  },
  async auditRetention() {
    return retentionPlan(await ready);
  },
  async setAuditRetention(policy) {
    return setRetention(await ready, policy);
  },
  async trimAuditTrail(confirmUnexported) {
    const kms = await ready;
    return applyRetention(kms, rootCaller(kms.keystore, { userAgent: USER_AGENT }), confirmUnexported === true);
  },
  async rawAesGcm(iterations, bytes) {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const data = new Uint8Array(bytes);
    // getRandomValues fills at most 65,536 bytes per call.
    for (let o = 0; o < bytes; o += 65536) crypto.getRandomValues(data.subarray(o, Math.min(bytes, o + 65536)));
    // Timers are coarse (0.1 ms) without cross-origin isolation: time batches of 20 calls.
    const times: number[] = [];
    for (let i = 0; i < iterations; i += 20) {
      const t = performance.now();
      for (let j = 0; j < 20; j++) await crypto.subtle.encrypt({ name: 'AES-GCM', iv: crypto.getRandomValues(new Uint8Array(12)) }, key, data);
      times.push((performance.now() - t) / 20);
    }
    return times;
  },
  rawIdb: (iterations) => measureIdb(iterations),
  auditCost: (iterations) => measureAuditCost(iterations),
  async seedAuditRecords(n) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 10_000_000) throw new TypeError(`"n" expected 1..10^7, got ${n}`);
    return seedAuditRecords(await ready, n);
  },
  rawSignVerify: (spec, iterations) => rawSignVerify(spec, iterations),
  async fileDigest(file, kind, publicKey) {
    return digestStream(file.stream(), kind, publicKey);
  },
  async ping() {
    return performance.now();
  },
  async maintain() {
    return (await ready).maintain();
  },
};

Comlink.expose(api);
