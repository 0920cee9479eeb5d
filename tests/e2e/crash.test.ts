// Crash and fault test (hardening issue, item 15): two tabs, each with its own KMS worker, and the /kms
// endpoint (the unmodified AWS SDK) loop CreateKey / RotateKeyOnDemand / Encrypt / CreateGrant /
// UpdateAlias while the test terminates a KMS worker (Worker.terminate), stops the service worker (CDP)
// or closes a tab at seeded random points. Afterwards the keystore must be whole (crash-check.ts).
import { readdirSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CrashCall } from './crash-entry';
import { checkKeystore, dumpDatabase, refusedReplays } from './crash-check';
import { ACTORS, ALIASES, answered, Plan, type Actor, type Fault } from './crash-plan';
import { createAccessKey, loadApp, useApp, type Credentials } from './harness';

const BUNDLE = '/__e2e_crash__/crash.js';
const env = useApp({ bundle: { entry: 'tests/e2e/crash-entry.ts', dir: '__e2e_crash__', name: 'crash' } });
/** The production KMS worker, as the console starts it (the built asset's URL). */
const WORKER_URL = () => `/assets/${readdirSync('dist/assets').find((f) => /^kms\.worker-.*\.js$/.test(f))}`;

const FAULTS = Number(process.env.CRASH_FAULTS ?? 200);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
/** A call still unanswered this long after its fault is a hang (a lock or transaction never let go). */
const SETTLE_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tab {
  page: Page;
  cdp: CDPSession;
}

describe('crashes and faults while two tabs and the endpoint write', () => {
  it(`keeps every key, ciphertext and audit record through ${FAULTS} faults`, { timeout: 600_000 }, async () => {
    console.log(`crash test seed ${SEED} (replay with CRASH_SEED=${SEED})`);
    const started = Date.now();
    const { context } = env.browser;
    let plan: Plan | undefined;
    await context.exposeBinding('__crashReport', (_source, o) => plan?.report(o));
    const internalErrors: string[] = [];
    let credentials: Credentials;
    const workerUrl = WORKER_URL();

    const open = async (actor: Actor, page?: Page): Promise<Tab> => {
      const p = page ?? (await context.newPage());
      p.on('console', (m) => {
        if (m.type() === 'error' && /internal error/i.test(m.text())) internalErrors.push(`${actor}: ${m.text()}`);
      });
      // The About page: the Keys page would describe every key (hundreds by the end) at each load.
      await loadApp(p, `${env.app.url}/#/about`);
      await p.addScriptTag({ url: BUNDLE, type: 'module' });
      await p.waitForFunction(() => 'crash' in globalThis);
      if (actor === 'C') await p.evaluate((c) => (globalThis as any).crash.endpoint(c), credentials);
      else await p.evaluate((u) => (globalThis as any).crash.spawn(u), workerUrl);
      return { page: p, cdp: await context.newCDPSession(p) };
    };

    const first = env.browser.page;
    credentials = await createAccessKey(first);
    const accountId = await first.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    plan = new Plan(SEED, accountId);
    const tabs = new Map<Actor, Tab>();
    tabs.set('A', await open('A', first));
    tabs.set('B', await open('B'));
    tabs.set('C', await open('C'));

    /** Waits until each call is answered or lost; one that is neither is a hang. */
    const settle = async (ids: number[], what: string) => {
      const until = Date.now() + SETTLE_MS;
      while (plan!.unsettled(ids).length > 0) {
        if (Date.now() > until) throw new Error(`calls ${plan!.unsettled(ids).join(', ')} hung after ${what}`);
        await sleep(5);
      }
    };
    const run = (actor: Actor, calls: CrashCall[]) =>
      tabs.get(actor)!.page.evaluate((c) => (globalThis as any).crash.run(c), calls);

    // Setup, before any fault: six keys and the aliases UpdateAlias moves.
    const setup = Array.from({ length: 6 }, () => plan!.add('A', 'CreateKey', { Description: 'marker' }));
    await run('A', setup);
    await settle(
      setup.map((c) => c.id),
      'setup',
    );
    const aliases = ALIASES.map((a, i) => plan!.add('A', 'CreateAlias', { AliasName: a, TargetKeyId: plan!.keys[i] }));
    await run('A', aliases);
    await settle(
      aliases.map((c) => c.id),
      'setup',
    );
    expect(plan.keys).toHaveLength(6);

    const faults: Record<string, number> = {};
    /** The fault of each call's round, to read a violation by. */
    const faultOf = new Map<number, string>();
    const inject = async (f: Fault) => {
      const name = f.kind === 'stop-service-worker' ? f.kind : `${f.kind} ${f.actor}`;
      faults[name] = (faults[name] ?? 0) + 1;
      if (f.kind === 'terminate-worker')
        await tabs.get(f.actor)!.page.evaluate(() => (globalThis as any).crash.terminate());
      else if (f.kind === 'stop-service-worker') {
        const { cdp } = tabs.get('A')!;
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.stopAllWorkers');
      } else {
        await tabs.get(f.actor)!.page.close();
        plan!.lose(f.actor);
      }
    };
    const restore = async (f: Fault) => {
      if (f.kind === 'terminate-worker')
        await tabs.get(f.actor)!.page.evaluate((u) => (globalThis as any).crash.spawn(u), workerUrl);
      else if (f.kind === 'close-tab') tabs.set(f.actor, await open(f.actor));
    };

    for (let n = 0; n < FAULTS; n++) {
      const batch = ACTORS.map((a) => [a, plan!.calls(a, plan!.rng.int(2, 6))] as const);
      const delay = plan.rng.int(0, 40);
      const fault = plan.fault();
      await Promise.all(batch.map(([a, calls]) => run(a, calls)));
      await sleep(delay);
      for (const [, calls] of batch) for (const c of calls) faultOf.set(c.id, `fault ${n}: ${JSON.stringify(fault)}`);
      await inject(fault);
      await settle(
        batch.flatMap(([, calls]) => calls.map((c) => c.id)),
        `fault ${n} (${fault.kind})`,
      );
      await restore(fault);
    }

    // Afterwards: the database as stored, the chain, and every ciphertext that was handed out.
    const checker = tabs.get('A')!.page;
    const entries = [...plan.entries.values()];
    const encrypted = entries.flatMap((e) =>
      e.call.op === 'Encrypt' && e.outcome?.status === 'ok'
        ? [{ ciphertext: e.outcome.data.ciphertext!, context: { call: (e.call.req.EncryptionContext as any).call } }]
        : [],
    );
    const decrypted = await checker.evaluate((items) => (globalThis as any).crash.decryptAll(items), encrypted);
    const wrong = encrypted.filter((x, i) => decrypted[i] !== `plaintext of ${x.context.call}`);
    const chain = await checker.evaluate(() => (globalThis as any).crash.api().verifyAuditTrail());
    const dump = await dumpDatabase(checker);
    const violations = checkKeystore(entries, dump);

    const replays = refusedReplays(entries, dump);
    const tally: Record<string, number> = {};
    for (const e of entries) {
      const o = e.outcome!;
      const why = replays.has(e.call.id) ? ' (a replay refused)' : answered(e) ? '' : ' (unanswered)';
      const k = `${e.call.op} ${e.call.via} ${o.status === 'error' ? `error ${o.name}${why}` : o.status}`;
      tally[k] = (tally[k] ?? 0) + 1;
    }
    // The only errors a caller may see: a replay refused, or a key's 25 on-demand rotations used up.
    const unexpected = entries.filter(
      (e) =>
        e.outcome?.status === 'error' &&
        answered(e) &&
        !replays.has(e.call.id) &&
        !(e.call.op === 'RotateKeyOnDemand' && e.outcome.name === 'LimitExceededException'),
    );
    const materials = dump.materials.length;
    console.log(
      [
        `crash test seed ${SEED}: ${FAULTS} faults in ${Math.round((Date.now() - started) / 1000)} s`,
        `faults: ${JSON.stringify(faults)}`,
        `calls: ${entries.length}; ${JSON.stringify(tally, null, 1)}`,
        `stored: ${dump.keys.length} keys, ${materials} material versions, ${dump.grants.length} grants, ${dump.audit.length} audit records`,
        `ciphertexts decrypted: ${encrypted.length - wrong.length}/${encrypted.length}; chain: ${chain.intact ? 'intact' : 'BROKEN'} (${chain.checked} records)`,
        `replays the endpoint refused to run twice: ${replays.size}`,
        `violations: ${violations.length}`,
      ].join('\n'),
    );
    expect(violations.map((v) => `${v} (${faultOf.get(Number(/#(\d+)/.exec(v)?.[1])) ?? 'setup'})`)).toEqual([]);
    expect(wrong).toEqual([]);
    expect(unexpected.map((e) => `${e.call.op} #${e.call.id}: ${JSON.stringify(e.outcome)}`)).toEqual([]);
    expect(chain).toMatchObject({ intact: true, checked: dump.audit.length, findings: [] });
    expect(internalErrors).toEqual([]);

    // The check itself can fail: a trail missing one answered call's record, or a key without one, is caught.
    const created = dump.audit.find((a) => a.eventName === 'CreateKey' && !a.errorCode)!;
    expect(checkKeystore(entries, { ...dump, audit: dump.audit.filter((a) => a !== created) }).length).toBeGreaterThan(
      0,
    );
    expect(
      checkKeystore(entries, { ...dump, keys: [...dump.keys, { ...dump.keys[0]!, keyId: 'f'.repeat(36) }] }),
    ).toContain(`key ${'f'.repeat(36)} exists without a CreateKey record`);
  });
});
