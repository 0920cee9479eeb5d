// What the simulator knows of an action, read from the worker's operation catalogue (grouped as the
// AWS KMS Developer Guide's permissions reference groups them). Account-level actions are the ones
// src/kms/authz/simulate.ts decides by IAM alone.
import type { ActionFacts, OperationCatalogue, OperationFacts } from '../../worker/api';

/** "kms:Decrypt" or "Decrypt" → "Decrypt"; undefined when it is not an action name. */
export function actionName(text: string): string | undefined {
  const m = /^(?:kms:)?([A-Za-z]+)$/.exec(text.trim());
  return m?.[1];
}

/** The operation an action belongs to (ReEncryptTo → ReEncrypt), with that action's facts. */
function find(
  catalogue: OperationCatalogue | undefined,
  name: string,
): { operation: OperationFacts; action: ActionFacts } | undefined {
  for (const operation of catalogue?.operations ?? []) {
    const action = operation.actions.find((a) => a.name === name);
    if (action) return { operation, action };
  }
  return undefined;
}

/** Decided by identity policies alone: no key, no key policy, no grants. */
export function isAccountAction(catalogue: OperationCatalogue | undefined, name: string): boolean {
  return find(catalogue, name)?.operation.scope === 'account';
}

/** Whether the action's request takes an encryption context (the simulator then sends it). */
export function takesContext(catalogue: OperationCatalogue | undefined, name: string): boolean {
  return find(catalogue, name)?.action.contextField !== undefined;
}
