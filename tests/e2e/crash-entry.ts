// Bundled by crash.test.ts: in a page of the app, starts the production KMS worker (the built asset, as
// src/ui/kms-client.svelte.ts starts it) so the test can Worker.terminate it in mid-call, and runs calls
// through it or through the unmodified AWS SDK against /kms. Every outcome is reported as it settles.
import * as Comlink from 'comlink';
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  EncryptCommand,
  KMSClient,
  RotateKeyOnDemandCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { registerErrorTransfer } from '../../src/worker/error-transfer';
import type { KmsWorkerApi } from '../../src/worker/api';

/** One call of the schedule: `req` is JSON, with Encrypt's Plaintext as text. */
export interface CrashCall {
  id: number;
  via: 'worker' | 'endpoint';
  op: 'CreateKey' | 'RotateKeyOnDemand' | 'Encrypt' | 'CreateGrant' | 'UpdateAlias' | 'CreateAlias';
  req: Record<string, unknown>;
}

/** ok / an answered error (with the AWS name) / lost: the worker was terminated before it answered. */
export type CrashOutcome =
  | { id: number; status: 'ok'; data: Record<string, string | undefined> }
  | { id: number; status: 'error'; name: string; message: string; requestId?: string }
  | { id: number; status: 'lost' };

class Rebuilt extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
registerErrorTransfer((w) => new Rebuilt(w.name, w.message));

const report = (o: CrashOutcome) => (globalThis as any).__crashReport(o) as Promise<void>;
const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));

let worker: Worker | undefined;
let api: Comlink.Remote<KmsWorkerApi> | undefined;
let killed: () => void = () => undefined;
let killedP: Promise<'killed'> = new Promise(() => undefined);
let sdk: KMSClient | undefined;

/** Starts the KMS worker from its built URL and waits until its keystore is open. */
async function spawn(url: string): Promise<void> {
  worker = new Worker(url, { type: 'module', name: 'pocket-kms-crash' });
  api = Comlink.wrap<KmsWorkerApi>(worker);
  killedP = new Promise((r) => (killed = () => r('killed')));
  await api.keystore();
}

/** Worker.terminate: the worker stops wherever it is; its calls in flight are reported lost. */
function terminate(): void {
  worker?.terminate();
  worker = undefined;
  killed();
}

function endpoint(credentials: { accessKeyId: string; secretAccessKey: string }): void {
  // One attempt per call: a retried CreateKey would be a second call with the same marker.
  sdk = new KMSClient({ region: 'us-east-1', endpoint: `${location.origin}/kms`, credentials, maxAttempts: 1 });
}

async function viaWorker(c: CrashCall): Promise<Record<string, string | undefined>> {
  const req = c.op === 'Encrypt' ? { ...c.req, Plaintext: new TextEncoder().encode(String(c.req.Plaintext)) } : c.req;
  const r = (await api!.call(c.op, req)) as any;
  return pick(c.op, r, r.CiphertextBlob);
}

async function viaEndpoint(c: CrashCall): Promise<Record<string, string | undefined>> {
  const r = c.req as any;
  const s = sdk!;
  const out: any =
    c.op === 'CreateKey'
      ? await s.send(new CreateKeyCommand(r))
      : c.op === 'RotateKeyOnDemand'
        ? await s.send(new RotateKeyOnDemandCommand(r))
        : c.op === 'Encrypt'
          ? await s.send(new EncryptCommand({ ...r, Plaintext: new TextEncoder().encode(r.Plaintext) }))
          : c.op === 'CreateGrant'
            ? await s.send(new CreateGrantCommand(r))
            : c.op === 'UpdateAlias'
              ? await s.send(new UpdateAliasCommand(r))
              : await s.send(new CreateAliasCommand(r));
  return { ...pick(c.op, out, out.CiphertextBlob), requestId: out.$metadata?.requestId };
}

function pick(op: CrashCall['op'], r: any, blob?: Uint8Array): Record<string, string | undefined> {
  if (op === 'CreateKey') return { keyId: r.KeyMetadata.KeyId };
  if (op === 'CreateGrant') return { grantId: r.GrantId };
  if (op === 'Encrypt') return { ciphertext: b64(blob!), keyArn: r.KeyId };
  return {};
}

/** Starts the calls and returns at once; outcomes arrive through __crashReport. */
function run(calls: CrashCall[]): void {
  for (const c of calls) {
    const call = c.via === 'worker' ? viaWorker(c) : viaEndpoint(c);
    const lost = c.via === 'worker' ? killedP : new Promise<never>(() => undefined);
    void Promise.race([call, lost]).then(
      (data) => report(data === 'killed' ? { id: c.id, status: 'lost' } : { id: c.id, status: 'ok', data }),
      (e: any) =>
        report({
          id: c.id,
          status: 'error',
          name: String(e?.name),
          message: String(e?.message),
          requestId: e?.$metadata?.requestId,
        }),
    );
  }
}

/** Decrypts each ciphertext (base64) through the current worker: the plaintext, or the error's name. */
async function decryptAll(items: { ciphertext: string; context: Record<string, string> }[]): Promise<string[]> {
  return Promise.all(
    items.map(async ({ ciphertext, context }) => {
      try {
        const blob = Uint8Array.from(atob(ciphertext), (ch) => ch.charCodeAt(0));
        const r = (await api!.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: context })) as {
          Plaintext: Uint8Array;
        };
        return new TextDecoder().decode(r.Plaintext);
      } catch (e) {
        return `! ${(e as Error).name}`;
      }
    }),
  );
}

Object.assign(globalThis, {
  crash: { spawn, terminate, endpoint, run, decryptAll, api: () => api },
});
