// What the check engine reads (engine.ts): the keystore's keys and aliases, the policy simulator, the
// audit trail since a lab started, and S3 objects. The worker implements it over the KMS and S3 cores
// (src/worker/lab-world.ts); unit tests pass the same implementation over a core in Node.

export interface LabKey {
  keyId: string;
  arn: string;
  state: string;
  keySpec: string;
  keyUsage: string;
  description: string;
  tags: Record<string, string>;
  createdAt: number;
  aliases: string[];
  pendingWindowDays?: number;
  rotationEnabled: boolean;
  rotationPeriodDays?: number;
  /** Rotations so far (automatic and on demand): material versions beyond the first. */
  rotations: number;
}

export interface LabStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  applies: boolean;
  /** How its Principal matched: the caller itself, or the caller's account (leaving it to IAM policies). */
  principalMatch?: 'direct' | 'account';
  /** Why it does not apply; for a condition, which one and what the request had. */
  mismatch?: 'principal' | 'action' | 'resource' | 'condition';
  failedCondition?: { operator: string; key: string; values: string[]; actual?: string | string[] };
}

/** The simulator's answer for one action (src/kms/authz/simulate.ts). */
export interface LabSimulation {
  allowed: boolean;
  reason: string;
  message?: string;
  keyPolicy: LabStatement[];
  /** The grant that allowed it (reason AllowedByGrant). */
  grantId?: string;
  /** Statements of identity policies that apply, by policy name. */
  identity: { policy: string; sid?: string; index: number; effect: 'Allow' | 'Deny' }[];
}

export interface LabEvent {
  seq: number;
  eventName: string;
  eventTime: number;
  errorCode?: string;
  errorMessage?: string;
  keyIds: string[];
  principalArn: string;
  userAgent: string;
  region: string;
  encryptionContext?: Record<string, string>;
}

/** An IAM user or role (src/kms/iam). */
export interface LabPrincipal {
  arn: string;
  kind: 'user' | 'role';
  name: string;
  createdAt: number;
  /** Inline policy names. */
  policies: string[];
  accessKeys: number;
}

export interface LabGrant {
  grantId: string;
  keyId: string;
  name?: string;
  granteePrincipal: string;
  operations: string[];
  encryptionContextEquals?: Record<string, string>;
  encryptionContextSubset?: Record<string, string>;
}

export interface LabObject {
  sse: 'AES256' | 'aws:kms';
  kmsKeyArn?: string;
}

export interface LabWorld {
  readonly region: string;
  readonly accountId: string;
  /** The principal console and terminal calls run as ("Acting as"). */
  callerArn(): Promise<string>;
  keys(): Promise<LabKey[]>;
  /** The newest audit record's sequence number (0 for an empty trail). */
  auditHead(): Promise<number>;
  /** Audit records after `seq`, oldest first. */
  eventsAfter(seq: number): Promise<LabEvent[]>;
  /** Every action the simulator may ask about a key (`kms:Encrypt`, …). */
  keyActions(): readonly string[];
  /** What `principalArn` would be told calling `action` on `keyId` (none for account actions such as
   * kms:CreateKey) with that encryption context (not audited). */
  simulate(
    principalArn: string,
    action: string,
    keyId: string | undefined,
    encryptionContext?: Record<string, string>,
  ): Promise<LabSimulation>;
  principals(): Promise<LabPrincipal[]>;
  grants(): Promise<LabGrant[]>;
  /** The trail's last record a complete, unfiltered export covered (0: never exported). */
  exportedThrough(): Promise<number>;
  buckets(): Promise<string[]>;
  object(bucket: string, key: string): Promise<LabObject | undefined>;
}
