// The vocabulary of lab checks (docs/LABS.md "Checks"): small declarative facts about the keystore's
// state and its audit trail, composed with all / any / not. Plain data, so a lab file names them and the
// worker evaluates them (engine.ts); nothing here reads what a person typed.

export type KeyStateName = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';

/** One audit record to look for (an `auditEvent` check, or what it must come after). */
export interface AuditMatch {
  eventName: string;
  /** The call failed with this exception (AccessDeniedException, InvalidCiphertextException, …). */
  errorCode?: string;
  /** true: the call succeeded; false: it failed with any error. */
  succeeded?: boolean;
  /** The record concerns this key (a key ID, ARN or `$binding`). */
  key?: string;
  /** Made by `caller` (the console's "Acting as"), `root`, or a principal ARN (user, role, or `*` glob). */
  principal?: string;
  /** The request's encryption context holds these pairs. */
  encryptionContext?: Record<string, string>;
  /** The record's userAgent (glob): `aws-cli/*` for the terminal, `pocket-kms-console/*` for the console. */
  userAgent?: string;
}

export type Check =
  | { kind: 'all'; checks: Check[] }
  | { kind: 'any'; checks: Check[] }
  | { kind: 'not'; check: Check; says: string }
  | {
      kind: 'keyExists';
      /** An alias name of the key; `*` matches any run of characters (`alias/kms-lab-*`). */
      alias?: string;
      description?: string;
      keySpec?: string;
      keyUsage?: string;
      state?: KeyStateName;
      tags?: Record<string, string>;
      /** Names the key found (`$name`, `$name.arn`, `$name.alias`) for later checks. */
      bind?: string;
    }
  | { kind: 'keyState'; key: string; state: KeyStateName; pendingWindowDays?: number }
  | {
      kind: 'keyRotation';
      key: string;
      /** Automatic rotation is on (true) or off (false). */
      enabled?: boolean;
      rotationPeriodInDays?: number;
      /** At least this many rotations (automatic or on demand) happened. */
      rotations?: number;
    }
  | { kind: 'aliasAbsent'; alias: string }
  | {
      kind: 'keyPolicyAllows';
      key: string;
      principal: string;
      /** `kms:Encrypt` or `Encrypt`. */
      actions: string[];
      /** The principal may do these actions and no other action on the key. */
      exactly?: boolean;
      /** Only what this statement of the key policy (by Sid) allows the principal. */
      sid?: string;
      /** The request's encryption context, for policies with `kms:EncryptionContext:…` conditions. */
      encryptionContext?: Record<string, string>;
    }
  | {
      /** The policy simulator's decision for one principal, actions and (for key actions) key. */
      kind: 'decision';
      principal: string;
      actions: string[];
      key?: string;
      encryptionContext?: Record<string, string>;
      allowed: boolean;
      /** The statement (by Sid) that decided: the Deny that applied, or the Allow that let it through. */
      statement?: string;
      /** The simulator's reason (ExplicitDenyInKeyPolicy, NoKeyPolicyAllow, AllowedByGrant, …). */
      reason?: string;
    }
  | {
      /** An IAM user or role made since the lab started. */
      kind: 'principalExists';
      principal: string;
      /** Its inline policies include these names. */
      policies?: string[];
      /** It has at least this many access keys. */
      accessKeys?: number;
    }
  | { kind: 'principalAbsent'; principal: string }
  | {
      kind: 'grantExists';
      key: string;
      grantee: string;
      /** The grant allows at least these operations. */
      operations?: string[];
      name?: string;
      encryptionContextEquals?: Record<string, string>;
      encryptionContextSubset?: Record<string, string>;
    }
  | { kind: 'grantAbsent'; key: string; grantee?: string; name?: string }
  | {
      /** A complete, unfiltered export of the trail (the Event history page's CloudTrail files) covered it
       * through a record of the lab: the first record matching `after`, or any record since the start. */
      kind: 'trailExported';
      after?: AuditMatch;
    }
  | ({ kind: 'auditEvent'; after?: AuditMatch } & AuditMatch)
  | { kind: 'objectEncrypted'; bucket: string; object: string; kmsKey?: string; bind?: string }
  | { kind: 'bucketAbsent'; bucket: string };

export type CheckKind = Check['kind'];

export const KEY_STATES: readonly KeyStateName[] = [
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingImport',
  'Unavailable',
];

/** What each check kind's fields are, for the validator (format.ts) and docs/LABS.md. */
export type FieldType =
  'string' | 'strings' | 'boolean' | 'count' | 'pairs' | 'keyState' | 'check' | 'checks' | 'audit' | 'binding';

export interface FieldSpec {
  type: FieldType;
  required?: boolean;
  /** The field holds a key, bucket or alias that may be a `$binding` reference. */
  ref?: boolean;
}

const AUDIT_FIELDS: Record<string, FieldSpec> = {
  eventName: { type: 'string', required: true },
  errorCode: { type: 'string' },
  succeeded: { type: 'boolean' },
  key: { type: 'string', ref: true },
  principal: { type: 'string' },
  encryptionContext: { type: 'pairs' },
  userAgent: { type: 'string' },
};

export const CHECK_FIELDS: Record<CheckKind, Record<string, FieldSpec>> = {
  all: { checks: { type: 'checks', required: true } },
  any: { checks: { type: 'checks', required: true } },
  not: { check: { type: 'check', required: true }, says: { type: 'string', required: true } },
  keyExists: {
    alias: { type: 'string' },
    description: { type: 'string' },
    keySpec: { type: 'string' },
    keyUsage: { type: 'string' },
    state: { type: 'keyState' },
    tags: { type: 'pairs' },
    bind: { type: 'binding' },
  },
  keyState: {
    key: { type: 'string', required: true, ref: true },
    state: { type: 'keyState', required: true },
    pendingWindowDays: { type: 'count' },
  },
  keyRotation: {
    key: { type: 'string', required: true, ref: true },
    enabled: { type: 'boolean' },
    rotationPeriodInDays: { type: 'count' },
    rotations: { type: 'count' },
  },
  aliasAbsent: { alias: { type: 'string', required: true, ref: true } },
  keyPolicyAllows: {
    key: { type: 'string', required: true, ref: true },
    principal: { type: 'string', required: true },
    actions: { type: 'strings', required: true },
    exactly: { type: 'boolean' },
    sid: { type: 'string' },
    encryptionContext: { type: 'pairs' },
  },
  decision: {
    principal: { type: 'string', required: true },
    actions: { type: 'strings', required: true },
    key: { type: 'string', ref: true },
    encryptionContext: { type: 'pairs' },
    allowed: { type: 'boolean', required: true },
    statement: { type: 'string' },
    reason: { type: 'string' },
  },
  principalExists: {
    principal: { type: 'string', required: true },
    policies: { type: 'strings' },
    accessKeys: { type: 'count' },
  },
  principalAbsent: { principal: { type: 'string', required: true } },
  grantExists: {
    key: { type: 'string', required: true, ref: true },
    grantee: { type: 'string', required: true },
    operations: { type: 'strings' },
    name: { type: 'string' },
    encryptionContextEquals: { type: 'pairs' },
    encryptionContextSubset: { type: 'pairs' },
  },
  grantAbsent: {
    key: { type: 'string', required: true, ref: true },
    grantee: { type: 'string' },
    name: { type: 'string' },
  },
  auditEvent: { ...AUDIT_FIELDS, after: { type: 'audit' } },
  objectEncrypted: {
    bucket: { type: 'string', required: true, ref: true },
    object: { type: 'string', required: true },
    kmsKey: { type: 'string', ref: true },
    bind: { type: 'binding' },
  },
  bucketAbsent: { bucket: { type: 'string', required: true, ref: true } },
  trailExported: { after: { type: 'audit' } },
};

export const AUDIT_MATCH_FIELDS = AUDIT_FIELDS;

export const CHECK_KINDS = Object.keys(CHECK_FIELDS) as CheckKind[];

/** `*` in a pattern matches any run of characters; everything else literally. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRe).join('.*')}$`);
  return re.test(value);
}

const escapeRe = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `kms:Encrypt` for `Encrypt` or `kms:Encrypt`. */
export const kmsAction = (a: string) => (a.startsWith('kms:') ? a : `kms:${a}`);
