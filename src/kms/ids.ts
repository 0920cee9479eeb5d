// Key IDs, ARNs and alias names as AWS KMS spells them (DESIGN.md contract 3).

import { toHex } from '../format/bytes';
import { NotAuthorizedException, NotFoundException, ValidationException } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MRK = /^mrk-[0-9a-f]{32}$/;
/** The service model's AliasNameType pattern (it admits ':', which KMS then refuses in an alias name). */
const ALIAS_MODEL_PATTERN = '^[a-zA-Z0-9:/_-]+$';
const ALIAS_MODEL_CHARS = new RegExp(ALIAS_MODEL_PATTERN);

export interface Keystore {
  region: string;
  accountId: string;
}

export function uuidV4(random: Uint8Array): string {
  if (random.length < 16) throw new Error('uuidV4 needs 16 random bytes');
  const b = random.slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function isKeyId(s: string): boolean {
  return UUID.test(s) || MRK.test(s);
}

export function keyArn(ks: Keystore, keyId: string): string {
  return `arn:aws:kms:${ks.region}:${ks.accountId}:key/${keyId}`;
}

export function aliasArn(ks: Keystore, aliasName: string): string {
  return `arn:aws:kms:${ks.region}:${ks.accountId}:${aliasName}`;
}

export function rootArn(ks: Keystore): string {
  return `arn:aws:iam::${ks.accountId}:root`;
}

/** A parsed key identifier; `accountId` is the account an ARN names (a key ID or alias name names none). */
export type KeyRef =
  { kind: 'key'; keyId: string; accountId?: string } | { kind: 'alias'; aliasName: string; accountId?: string };

/**
 * Parses a key identifier in any of AWS's four forms. With `anyAccount`, an ARN may name any account (the
 * caller checks it against the keystore's accounts); otherwise only the keystore's.
 * @throws NotFoundException when it names another region or account, or is not a key identifier.
 */
export function parseKeyRef(ks: Keystore, id: string, opts: { aliases?: boolean; anyAccount?: boolean } = {}): KeyRef {
  const aliases = opts.aliases ?? true;
  if (id.startsWith('arn:')) {
    const m = /^arn:aws:kms:([^:]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(id);
    if (!m) throw new NotFoundException(`Invalid keyId '${id}': not a KMS key ARN or alias ARN.`);
    if (m[1] !== ks.region || (!opts.anyAccount && m[2] !== ks.accountId)) {
      throw new NotFoundException(
        `Key '${id}' does not exist: this keystore is region ${ks.region}, account ${ks.accountId}.`,
      );
    }
    const rest = m[3]!;
    // The account is told only when any may be named (otherwise it is the keystore's).
    const account = opts.anyAccount ? { accountId: m[2]! } : {};
    if (rest.startsWith('key/')) return { ...keyIdRef(rest.slice(4), id), ...account };
    if (!aliases)
      throw new NotFoundException(`Alias ARNs are not accepted here; give the key ID or key ARN instead of '${id}'.`);
    return { kind: 'alias', aliasName: rest, ...account };
  }
  if (id.startsWith('alias/')) {
    if (!aliases)
      throw new NotFoundException(`Alias names are not accepted here; give the key ID or key ARN instead of '${id}'.`);
    return { kind: 'alias', aliasName: id };
  }
  return keyIdRef(id, id);
}

function keyIdRef(keyId: string, original: string): KeyRef {
  if (!isKeyId(keyId)) throw new NotFoundException(`Invalid keyId '${original}'.`);
  return { kind: 'key', keyId };
}

/**
 * Checks an alias name against AWS's rules, in the order AWS applies them (docs/API.md "Alias errors"):
 * the model's length (1–256) and pattern (`^[a-zA-Z0-9:/_-]+$`) are its "1 validation error detected"
 * ValidationException; then KMS's own rules: the `alias/` prefix and a name after it (ValidationException
 * `Alias must start with the prefix "alias/"…`), no ':' (ValidationException `<name> contains invalid
 * characters for an alias`, AWS's answer to `alias/Service:Test`), and `alias/aws/` (lower-case, as the
 * docs spell it) reserved for AWS managed keys, NotAuthorizedException.
 * @throws ValidationException, NotAuthorizedException
 */
export function checkAliasName(name: string, param = 'aliasName'): void {
  if (name.length < 1 || name.length > 256) {
    throw new ValidationException(
      `1 validation error detected: Value at '${param}' failed to satisfy constraint: Member must have length between 1 and 256.`,
    );
  }
  if (!ALIAS_MODEL_CHARS.test(name)) {
    throw new ValidationException(
      `1 validation error detected: Value '${name}' at '${param}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ALIAS_MODEL_PATTERN}`,
    );
  }
  if (!name.startsWith('alias/') || name.length === 'alias/'.length) {
    throw new ValidationException(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (name.includes(':')) throw new ValidationException(`${name} contains invalid characters for an alias`);
  if (name.startsWith('alias/aws/')) {
    throw new NotAuthorizedException(
      `Cannot create or change alias ${name}: the prefix 'alias/aws/' is reserved for AWS managed keys.`,
    );
  }
}

/** Who makes a call: the account root, an IAM user, or a role session, and from where. */
export interface Caller {
  type: 'Root' | 'IAMUser' | 'AssumedRole';
  arn: string;
  accountId: string;
  principalId: string;
  userName?: string;
  accessKeyId?: string;
  userAgent: string;
  sourceIPAddress: string;
  /** Set when an AWS service calls KMS on this principal's behalf (S3 for SSE-KMS): see `invokedVia`. */
  invokedBy?: InvokingService;
  /** Set for temporary credentials from STS: CloudTrail's sessionContext.attributes, and what narrows them. */
  session?: CallerSession;
}

export interface CallerSession {
  createdAt: number;
  /** Session tags (they override the role's tags of the same key in aws:PrincipalTag). */
  tags?: Record<string, string>;
  /** An inline session policy (JSON): it must allow too. */
  policy?: string;
  /** Session tag keys a role assumed with these credentials inherits (STS TransitiveTagKeys). */
  transitiveTagKeys?: string[];
}

/** The AWS service a call came through: CloudTrail's userIdentity.invokedBy (`s3.amazonaws.com`) and the
 * kms:ViaService condition key (`s3.<region>.amazonaws.com`). */
export interface InvokingService {
  service: string;
  viaService: string;
}

/** `caller` as AWS service `service` (e.g. 's3') presents it to KMS in `region`: the same principal, whose
 * CloudTrail record names the service as invokedBy, sourceIPAddress and userAgent, as AWS records it. */
export function invokedVia(caller: Caller, service: string, region: string): Caller {
  const principal = `${service}.amazonaws.com`;
  return {
    ...caller,
    sourceIPAddress: principal,
    userAgent: principal,
    invokedBy: { service: principal, viaService: `${service}.${region}.amazonaws.com` },
  };
}

/** An AWS service principal calling on behalf of one of its resources: what a grant's
 * GranteeServicePrincipal names. AWS records it as userIdentity type AWSService, invokedBy the service. */
export interface ServiceCaller extends Omit<Caller, 'type'> {
  type: 'AWSService';
  /** Its service principal name (`s3.amazonaws.com`), where other callers have their ARN. */
  arn: string;
  /** aws:SourceArn: the resource it calls on behalf of (SourceArn grant constraints match it). */
  sourceArn?: string;
}

/** Anyone the core answers: an IAM caller or an AWS service principal. */
export type AnyCaller = Caller | ServiceCaller;

/** The role behind a role session (STS AssumeRole). */
export interface SessionRole {
  accountId: string;
  roleName: string;
  /** `arn:aws:iam::<acct>:role/<role>`: what Principal elements and aws:PrincipalArn name. */
  roleArn: string;
}

/** `arn:aws:sts::<acct>:assumed-role/<role>/<session>` → the role behind it; undefined for any
 * other ARN (a user, the root, a role itself), so each caller decides what that means. */
export function roleOfSession(arn: string): SessionRole | undefined {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? { accountId: m[1]!, roleName: m[2]!, roleArn: `arn:aws:iam::${m[1]}:role/${m[2]}` } : undefined;
}

/** An AWS service principal calling on behalf of `sourceArn` (AWS records these callers as
 * userIdentity type AWSService, invokedBy the service). It has no identity policies: key policies
 * naming it as a Service principal and grants to it as GranteeServicePrincipal decide. */
export function serviceCaller(ks: Keystore, servicePrincipal: string, sourceArn?: string): ServiceCaller {
  return {
    type: 'AWSService',
    arn: servicePrincipal,
    accountId: ks.accountId,
    principalId: servicePrincipal,
    userAgent: servicePrincipal,
    sourceIPAddress: servicePrincipal,
    ...(sourceArn !== undefined ? { sourceArn } : {}),
  };
}

export function rootCaller(
  ks: Keystore,
  via: { userAgent: string; sourceIPAddress?: string; accessKeyId?: string },
): Caller {
  const c: Caller = {
    type: 'Root',
    arn: rootArn(ks),
    accountId: ks.accountId,
    principalId: ks.accountId,
    userAgent: via.userAgent,
    sourceIPAddress: via.sourceIPAddress ?? '127.0.0.1',
  };
  if (via.accessKeyId) c.accessKeyId = via.accessKeyId;
  return c;
}
