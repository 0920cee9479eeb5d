// State of the policy simulator: the request a principal would make, and the decision the worker's
// simulate() gives for it (the same code path that enforces real calls).
import type { PrincipalSummary, SimulationResult } from '../../worker/api';
import { kms } from '../kms-client.svelte';
import { newRow, rowsProblem, rowsToMap, type KvRow } from '../shared/format';
import { Loader } from '../shared/loader.svelte';
import { actionName, isAccountAction, takesContext } from './actions';

/** What a result answered, so its explanation does not change while the inputs are edited. */
export interface Asked {
  principalArn: string;
  context: Record<string, string>;
  /** The key policy text (to show each statement), when the console's caller may read it. */
  keyPolicy?: string;
}

export class SimulatorForm {
  principals = $state<PrincipalSummary[]>([]);
  principalArn = $state('');
  action = $state('Decrypt');
  keyId = $state('');
  context = $state<KvRow[]>([newRow()]);
  /** Other request members as a JSON object (SigningAlgorithm, GranteePrincipal, …). */
  extra = $state('');
  result = $state<SimulationResult | undefined>(undefined);
  asked = $state<Asked | undefined>(undefined);
  /** After the first Simulate, edits re-simulate on their own. */
  started = $state(false);
  readonly #simulation = new Loader();
  #policies = new Map<string, string | undefined>();
  #cacheRevision = -1;

  readonly name = $derived(actionName(this.action));
  readonly accountLevel = $derived(this.name !== undefined && isAccountAction(kms.catalogue, this.name));
  readonly takesContext = $derived(this.name !== undefined && takesContext(kms.catalogue, this.name));

  /** A simulation is in flight. */
  get busy(): boolean {
    return this.#simulation.loading;
  }

  /** The newest simulation's error, a check of the inputs, or a failure to list the principals. */
  get error(): unknown {
    return this.#simulation.error;
  }

  set error(e: unknown) {
    this.#simulation.error = e;
  }

  async loadPrincipals(): Promise<void> {
    try {
      this.principals = await kms.api.listPrincipals();
      if (!this.principals.some((p) => p.arn === this.principalArn))
        this.principalArn = kms.info?.caller.principalArn ?? this.principals[0]?.arn ?? '';
    } catch (e) {
      this.error = e;
    }
  }

  #extraRequest(): Record<string, unknown> | string {
    if (!this.extra.trim()) return {};
    try {
      const v: unknown = JSON.parse(this.extra);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // Reported below.
    }
    return 'Other request members must be a JSON object, for example {"SigningAlgorithm": "ECDSA_SHA_256"}.';
  }

  /** Only to show each statement's text (the console's caller may not be allowed to read it). Cached
   * until the next change, so re-simulating as inputs change adds no GetKeyPolicy to the event history. */
  async #keyPolicy(keyArn: string): Promise<string | undefined> {
    if (this.#cacheRevision !== kms.revision) {
      this.#policies.clear();
      this.#cacheRevision = kms.revision;
    }
    if (!this.#policies.has(keyArn)) {
      this.#policies.set(
        keyArn,
        await kms.call('GetKeyPolicy', { KeyId: keyArn, PolicyName: 'default' }).then(
          (r) => r.Policy,
          () => undefined,
        ),
      );
    }
    return this.#policies.get(keyArn);
  }

  async run(): Promise<void> {
    this.started = true;
    const extra = this.#extraRequest();
    const problem = !this.principalArn
      ? 'Choose a principal.'
      : !this.name
        ? 'Enter an action such as kms:Decrypt.'
        : !this.accountLevel && !this.keyId.trim()
          ? `kms:${this.name} acts on a key: choose one.`
          : typeof extra === 'string'
            ? extra
            : this.takesContext
              ? rowsProblem(this.context, 'Context pair')
              : undefined;
    if (problem) {
      this.#simulation.fail(problem);
      this.result = undefined;
      return;
    }
    const context = this.takesContext ? rowsToMap(this.context) : {};
    const keyId = this.accountLevel ? undefined : this.keyId.trim();
    const principalArn = this.principalArn;
    await this.#simulation.run(
      async () => {
        const result = await kms.api.simulate(principalArn, {
          action: `kms:${this.name}`,
          ...(keyId ? { keyId } : {}),
          ...(this.takesContext ? { encryptionContext: context } : {}),
          request: extra as Record<string, unknown>,
        });
        const keyPolicy = result.resource === '*' ? undefined : await this.#keyPolicy(result.resource);
        return { result, keyPolicy };
      },
      ({ result, keyPolicy }) => {
        this.result = result;
        this.asked = { principalArn, context, ...(keyPolicy ? { keyPolicy } : {}) };
      },
      () => (this.result = undefined),
    );
  }
}
