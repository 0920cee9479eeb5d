// Requests to the /kms and /cloudtrail endpoints signed by the AWS SDK's own signer
// (@smithy/signature-v4), shaped as the service worker sees them, and a keystore with access keys.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { rootCaller } from '../../../src/kms/ids';
import type { Kms } from '../../../src/kms/kms';
import { freshKms } from './kms';

/** sha256 / HMAC-SHA256 for the SDK signer, from node:crypto. */
export class NodeSha256 {
  private h;
  constructor(secret?: Uint8Array | string) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(secret as Uint8Array));
  }
  update(data: Uint8Array | string) {
    this.h.update(typeof data === 'string' ? Buffer.from(data) : Buffer.from(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The SDK's credentials from what CreateAccessKey returned. */
export const credentialsOf = (k: { AccessKeyId: string; SecretAccessKey: string }): Credentials => ({
  accessKeyId: k.AccessKeyId,
  secretAccessKey: k.SecretAccessKey,
});

export const CLOUDTRAIL_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.';

export interface SignOptions {
  /** Signing time (ms); the test clock's time when built through `endpoint()`. */
  at: number;
  service?: 'kms' | 'cloudtrail';
  region?: string;
  headers?: Record<string, string>;
  /** Headers sent but left out of SignedHeaders (the signer's `unsignableHeaders`). */
  unsigned?: string[];
}

/** A POST to http://127.0.0.1/<service>/ signed with `creds`; Host and Content-Length are left out,
 * as a page's fetch cannot set them. `creds` null gives an unsigned request. */
export async function signedPost(
  target: string,
  body: unknown,
  creds: Credentials | null,
  o: SignOptions,
): Promise<Request> {
  const service =
    o.service ??
    (target.startsWith(CLOUDTRAIL_TARGET) || target.startsWith('CloudTrail_20131101.') ? 'cloudtrail' : 'kms');
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const path = `/${service}/`;
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': target,
    ...o.headers,
  };
  if (!creds) return new Request(`http://127.0.0.1${path}`, { method: 'POST', headers, body: text });
  const signer = new SignatureV4({
    service,
    region: o.region ?? 'us-east-1',
    credentials: creds,
    sha256: NodeSha256 as never,
  });
  const r = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path,
      query: {},
      headers: { host: '127.0.0.1', ...headers },
      body: text,
    } as never,
    { signingDate: new Date(o.at), ...(o.unsigned ? { unsignableHeaders: new Set(o.unsigned) } : {}) },
  );
  const signed = { ...(r as unknown as { headers: Record<string, string> }).headers };
  delete signed.host;
  delete signed['content-length'];
  return new Request(`http://127.0.0.1${path}`, { method: 'POST', headers: signed, body: text });
}

/** A fresh keystore with a root access key, and helpers that sign with it (or with any credentials)
 * at the test clock's time, which the endpoint is told is now. */
export async function freshEndpoint() {
  const f = await freshKms();
  const owner = rootCaller(f.kms.keystore, { userAgent: 'vitest' });
  const rootArn = `arn:aws:iam::${f.kms.keystore.accountId}:root`;
  const rootKey = credentialsOf(await f.kms.iam.createAccessKey(owner, rootArn));
  const wire = { now: () => f.clock.t };
  const post = (
    target: string,
    body: unknown = {},
    creds: Credentials | null = rootKey,
    o: Partial<SignOptions> = {},
  ) => signedPost(target, body, creds, { at: f.clock.t, ...o });
  return { ...f, owner, rootArn, rootKey, wire, post };
}

/** A user or role with optional inline identity policies, and an access key of its own. */
export async function principalWithKey(
  kms: Kms,
  owner: ReturnType<typeof rootCaller>,
  kind: 'user' | 'role',
  name: string,
  policies: Record<string, object> = {},
) {
  const p = await kms.iam.createPrincipal(owner, kind, name);
  for (const [policyName, doc] of Object.entries(policies))
    await kms.iam.putPolicy(owner, p.arn, policyName, JSON.stringify(doc));
  const key = credentialsOf(await kms.iam.createAccessKey(owner, p.arn));
  return { arn: p.arn, id: p.id, key };
}

export const allow = (...actions: string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
});
