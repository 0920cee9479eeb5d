// The condition keys of a KMS request (AWS KMS Developer Guide, "AWS KMS condition keys" and
// "AWS global condition context keys"): built from the operation, its request, the key and the
// caller. Keys that do not apply to a request are left out, so conditions see them as missing.
// Which operation sets which keys, and where its encryption context is, is the catalogue's (operations/index.ts).

import { actionOf, operationFacts } from '../operations';

export interface CallerFacts {
  arn: string;
  accountId: string;
  type: 'Root' | 'IAMUser' | 'AssumedRole' | 'AWSService';
  /** For an AWS service principal: the resource it calls on behalf of (aws:SourceArn). */
  sourceArn?: string;
  /** IAM user name (users only, as AWS). */
  userName?: string;
  /** aws:userid: the unique ID (AIDA… for users, AROA…:session for role sessions, the account for root). */
  userId: string;
  tags?: Record<string, string>;
  /** kms:ViaService when an AWS service makes the call on the caller's behalf (`s3.<region>.amazonaws.com`). */
  viaService?: string;
  /** When temporary credentials were issued (aws:TokenIssueTime; absent for long-term keys, as in AWS). */
  tokenIssueTime?: number;
}

export interface KeyFacts {
  arn: string;
  keySpec: string;
  keyUsage: string;
  origin: string;
  tags: { TagKey: string; TagValue: string }[];
  aliases: string[];
}

/** The keys of a call by an IAM principal or the root (IAM User Guide, "Global condition context keys"). */
function principalKeys(caller: CallerFacts, now: number): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {
    'aws:PrincipalArn': caller.arn,
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalType': caller.type === 'IAMUser' ? 'User' : caller.type,
    'aws:userid': caller.userId,
    ...timeKeys(now),
    'kms:CallerAccount': caller.accountId,
  };
  if (caller.userName) ctx['aws:username'] = caller.userName;
  if (caller.tokenIssueTime !== undefined)
    ctx['aws:TokenIssueTime'] = new Date(caller.tokenIssueTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Present only on calls an AWS service makes for the caller (S3's SSE-KMS), as in AWS.
  if (caller.viaService) {
    ctx['kms:ViaService'] = caller.viaService;
    ctx['aws:ViaAWSService'] = 'true';
  }
  return ctx;
}

/** A service principal's call: aws:PrincipalServiceName, and the resource it acts for (aws:SourceArn,
 * aws:SourceAccount); it has no IAM principal ARN, account or user ID. */
function serviceKeys(caller: CallerFacts, now: number): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = { 'aws:PrincipalServiceName': caller.arn, ...timeKeys(now) };
  if (caller.sourceArn !== undefined) {
    ctx['aws:SourceArn'] = caller.sourceArn;
    const account = caller.sourceArn.split(':')[4];
    if (account && /^\d{12}$/.test(account)) ctx['aws:SourceAccount'] = account;
  }
  return ctx;
}

function timeKeys(now: number): Record<string, string> {
  return {
    'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    // The endpoint is same-origin; the console has no transport at all. Both count as secure.
    'aws:SecureTransport': 'true',
  };
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

export function requestContext(
  op: string,
  request: Record<string, unknown>,
  caller: CallerFacts,
  key: KeyFacts | undefined,
  now: number,
  reEncryptSide?: 'source' | 'destination',
): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> =
    caller.type === 'AWSService' ? serviceKeys(caller, now) : principalKeys(caller, now);
  for (const [k, v] of Object.entries(caller.tags ?? {})) ctx[`aws:PrincipalTag/${k}`] = v;
  if (key) {
    ctx['kms:KeySpec'] = key.keySpec;
    ctx['kms:KeyUsage'] = key.keyUsage;
    ctx['kms:KeyOrigin'] = key.origin;
    for (const t of key.tags) ctx[`aws:ResourceTag/${t.TagKey}`] = t.TagValue;
    if (key.aliases.length) ctx['kms:ResourceAliases'] = key.aliases;
  }
  const keyId =
    str(request.KeyId) ?? str(reEncryptSide === 'destination' ? request.DestinationKeyId : request.SourceKeyId);
  if (keyId && /(^|:)alias\//.test(keyId)) ctx['kms:RequestAlias'] = keyId.slice(keyId.indexOf('alias/'));

  const sets = (name: string) => operationFacts(op)?.conditionKeys.includes(name) ?? false;
  const ec: unknown = request[actionOf(op, reEncryptSide)?.contextField ?? ''];
  if (ec && typeof ec === 'object') {
    const keys = Object.keys(ec);
    ctx['kms:EncryptionContextKeys'] = keys;
    for (const k of keys) ctx[`kms:EncryptionContext:${k}`] = String((ec as Record<string, unknown>)[k]);
  }
  const put = (name: string, v: unknown) => {
    const s = str(v);
    if (s !== undefined) ctx[name] = s;
  };
  // Keys named after a request member are read from any request carrying it; the catalogue's
  // conditionKeys gate only the keys an operation sets by itself (defaults, derived values).
  put(
    'kms:EncryptionAlgorithm',
    request.EncryptionAlgorithm ??
      (op === 'ReEncrypt'
        ? reEncryptSide === 'destination'
          ? request.DestinationEncryptionAlgorithm
          : request.SourceEncryptionAlgorithm
        : undefined),
  );
  if (sets('kms:EncryptionAlgorithm') && !ctx['kms:EncryptionAlgorithm'] && key?.keySpec === 'SYMMETRIC_DEFAULT') {
    ctx['kms:EncryptionAlgorithm'] = 'SYMMETRIC_DEFAULT';
  }
  put('kms:SigningAlgorithm', request.SigningAlgorithm);
  put('kms:MacAlgorithm', request.MacAlgorithm);
  put('kms:MessageType', request.MessageType);
  put('kms:KeyAgreementAlgorithm', request.KeyAgreementAlgorithm);
  put('kms:DataKeyPairSpec', request.KeyPairSpec);
  put('kms:BypassPolicyLockoutSafetyCheck', request.BypassPolicyLockoutSafetyCheck);
  put('kms:RotationPeriodInDays', request.RotationPeriodInDays);
  put('kms:WrappingAlgorithm', request.WrappingAlgorithm);
  put('kms:WrappingKeySpec', request.WrappingKeySpec);
  put('kms:ReplicaRegion', request.ReplicaRegion);
  put('kms:PrimaryRegion', request.PrimaryRegion);
  // ImportKeyMaterial: the expiration model (its default when absent) and ValidTo in epoch seconds, which
  // AWS's examples compare with NumericLessThanEquals.
  if (sets('kms:ExpirationModel')) put('kms:ExpirationModel', request.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES');
  if (sets('kms:ValidTo') && request.ValidTo instanceof Date)
    ctx['kms:ValidTo'] = String(Math.floor(request.ValidTo.getTime() / 1000));
  if (sets('kms:ScheduleKeyDeletionPendingWindowInDays'))
    put('kms:ScheduleKeyDeletionPendingWindowInDays', request.PendingWindowInDays ?? 30);
  if (sets('kms:ReEncryptOnSameKey')) {
    const src = str(request.SourceKeyId);
    const dst = str(request.DestinationKeyId);
    if (src && dst) ctx['kms:ReEncryptOnSameKey'] = String(src === dst);
  }
  if (sets('kms:GrantOperations')) {
    put('kms:GranteePrincipal', request.GranteePrincipal);
    put('kms:RetiringPrincipal', request.RetiringPrincipal);
    if (Array.isArray(request.Operations)) ctx['kms:GrantOperations'] = request.Operations.map(String);
    const c = request.Constraints as Record<string, unknown> | undefined;
    if (c?.EncryptionContextEquals) ctx['kms:GrantConstraintType'] = 'EncryptionContextEquals';
    else if (c?.EncryptionContextSubset) ctx['kms:GrantConstraintType'] = 'EncryptionContextSubset';
    ctx['kms:GrantIsForAWSResource'] = 'false';
  }
  const tags =
    sets('aws:RequestTag/') && Array.isArray(request.Tags)
      ? (request.Tags as { TagKey: string; TagValue: string }[])
      : [];
  for (const t of tags) ctx[`aws:RequestTag/${t.TagKey}`] = t.TagValue;
  if (tags.length) ctx['aws:TagKeys'] = tags.map((t) => t.TagKey);
  if (sets('aws:TagKeys') && !sets('aws:RequestTag/') && Array.isArray(request.TagKeys))
    ctx['aws:TagKeys'] = request.TagKeys.map(String);
  return ctx;
}
