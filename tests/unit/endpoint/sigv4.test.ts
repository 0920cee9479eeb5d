// SigV4 verification (src/endpoint/sigv4.ts), held to the AWS SDK's own signer (@smithy/signature-v4).
import { createHash } from 'node:crypto';
import { ALWAYS_UNSIGNABLE_HEADERS, SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { importSecret, parseAuthorization, verifySigV4, type VerifyOptions } from '../../../src/endpoint/sigv4';
import { NodeSha256 as Sha256 } from '../helpers/sign';

const AKID = 'AKIAPOCKETKMSALICE01';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NOW = Date.UTC(2026, 10, 29, 6, 30, 0);

async function signed(
  opts: {
    body?: string;
    secret?: string;
    service?: string;
    region?: string;
    at?: number;
    path?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const body = opts.body ?? JSON.stringify({ KeyId: 'alias/app' });
  const signer = new SignatureV4({
    service: opts.service ?? 'kms',
    region: opts.region ?? 'us-east-1',
    credentials: { accessKeyId: AKID, secretAccessKey: opts.secret ?? SECRET },
    sha256: Sha256 as never,
  });
  const path = opts.path ?? '/kms/';
  const r = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4173,
      path,
      query: {},
      headers: {
        host: '127.0.0.1:4173',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.DescribeKey',
        ...opts.headers,
      },
      body,
    } as never,
    { signingDate: new Date(opts.at ?? NOW) },
  );
  const headers = { ...(r as unknown as { headers: Record<string, string> }).headers };
  // What the service worker sees: a page's fetch cannot send Host or Content-Length.
  delete headers.host;
  delete headers['content-length'];
  return {
    request: new Request(`http://127.0.0.1:4173${path}`, { method: 'POST', headers, body }),
    body: new TextEncoder().encode(body),
  };
}

async function options(over: Partial<VerifyOptions> = {}): Promise<VerifyOptions> {
  const key = await importSecret(SECRET);
  return {
    region: 'us-east-1',
    service: 'kms',
    now: NOW,
    secretFor: async (id) => (id === AKID ? key : undefined),
    ...over,
  };
}

describe('verifySigV4', () => {
  it('accepts what the AWS SDK signs, and names the access key', async () => {
    const { request, body } = await signed();
    expect(await verifySigV4(request, body, await options())).toEqual({ accessKeyId: AKID });
  });

  it("leaves no x-amz-* header or content-type out of what the SDK's signer signs by default", () => {
    // unsignedHeader refuses exactly these unsigned, so the unmodified SDK's requests must sign them all.
    expect(
      Object.keys(ALWAYS_UNSIGNABLE_HEADERS).filter((h) => h.startsWith('x-amz-') || h === 'content-type'),
    ).toEqual([]);
  });

  it('refuses an x-amz-target left out of SignedHeaders with IncompleteSignatureException', async () => {
    const { request, body } = await signed();
    const auth = request.headers.get('authorization')!.replace(';x-amz-target', '');
    const headers = new Headers(request.headers);
    headers.set('authorization', auth);
    await expect(
      verifySigV4(new Request(request.url, { method: 'POST', headers, body }), body, await options()),
    ).rejects.toMatchObject({ name: 'IncompleteSignatureException', message: expect.stringContaining('x-amz-target') });
  });

  it('accepts a path that needs encoding', async () => {
    const { request, body } = await signed({ path: '/kms/a b!' });
    expect(await verifySigV4(request, body, await options())).toEqual({ accessKeyId: AKID });
  });

  it('stores the secret as a non-extractable HMAC key', async () => {
    const key = await importSecret(SECRET);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'HMAC' });
  });

  it('refuses a body that does not match a declared x-amz-content-sha256', async () => {
    const { request } = await signed({
      headers: { 'x-amz-content-sha256': createHash('sha256').update('{"KeyId":"alias/app"}').digest('hex') },
    });
    await expect(
      verifySigV4(request, new TextEncoder().encode('{"KeyId":"alias/evil"}'), await options()),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('refuses a wrong secret with InvalidSignatureException', async () => {
    const { request, body } = await signed({ secret: 'not-the-secret' });
    await expect(verifySigV4(request, body, await options())).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });

  it('refuses a changed body or a changed signed header', async () => {
    const a = await signed();
    await expect(
      verifySigV4(a.request, new TextEncoder().encode('{"KeyId":"alias/other"}'), await options()),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    const b = await signed();
    const headers = new Headers(b.request.headers);
    headers.set('x-amz-target', 'TrentService.ScheduleKeyDeletion');
    await expect(
      verifySigV4(new Request(b.request.url, { method: 'POST', headers, body: b.body }), b.body, await options()),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('refuses an unknown access key with UnrecognizedClientException', async () => {
    const { request, body } = await signed();
    await expect(verifySigV4(request, body, await options({ secretFor: async () => undefined }))).rejects.toMatchObject(
      { name: 'UnrecognizedClientException' },
    );
  });

  it('refuses a request signed more than 15 minutes away, as "Signature expired"', async () => {
    const { request, body } = await signed({ at: NOW - 16 * 60_000 });
    await expect(verifySigV4(request, body, await options())).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringMatching(/^Signature expired: 20261129T061400Z is now earlier than 20261129T061500Z/),
    });
    const ok = await signed({ at: NOW - 14 * 60_000 });
    expect(await verifySigV4(ok.request, ok.body, await options())).toEqual({ accessKeyId: AKID });
  });

  it('refuses a credential scoped to another region or service', async () => {
    const r = await signed({ region: 'eu-west-1' });
    await expect(verifySigV4(r.request, r.body, await options())).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('region'),
    });
    const s = await signed({ service: 'cloudtrail' });
    await expect(verifySigV4(s.request, s.body, await options())).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('service'),
    });
    expect(await verifySigV4(s.request, s.body, await options({ service: 'cloudtrail' }))).toEqual({
      accessKeyId: AKID,
    });
  });

  // Session tokens are checked against the key that signed (src/kms/iam/callers.ts): sts-sessions.test.ts.
  it('refuses unsigned requests', async () => {
    const bare = new Request('http://127.0.0.1:4173/kms/', { method: 'POST', body: '{}' });
    await expect(verifySigV4(bare, new Uint8Array(), await options())).rejects.toMatchObject({
      name: 'MissingAuthenticationTokenException',
    });
  });

  it.each([
    'Basic dXNlcjpwYXNz',
    'AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/kms/aws4_request',
    'AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64),
    'AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=XYZ',
  ])('refuses a malformed Authorization header (%s) with IncompleteSignatureException', (h) => {
    expect(() => parseAuthorization(h)).toThrow(expect.objectContaining({ name: 'IncompleteSignatureException' }));
  });
});
