// The endpoints authenticate every request with SigV4 (src/endpoint/sigv4.ts) and run it as the principal
// that owns the access key, so key policies, identity policies and grants decide (docs/AUTHORIZATION.md).
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../../src/format/bytes';
import { handleCloudTrail, handleKms } from '../../../src/endpoint/wire';
import { utf8 } from '../helpers/kms';
import { allow, CLOUDTRAIL_TARGET, freshEndpoint, principalWithKey } from '../helpers/sign';

const LOOKUP = `${CLOUDTRAIL_TARGET}LookupEvents`;

async function json(res: Response) {
  return {
    status: res.status,
    type: res.headers.get('x-amzn-errortype'),
    body: (await res.json()) as Record<string, any>,
  };
}

describe('SigV4 on /kms and /cloudtrail', () => {
  it('answers an unsigned request with 403 MissingAuthenticationTokenException, on both endpoints', async () => {
    const { kms, post, wire } = await freshEndpoint();
    const k = await json(await handleKms(kms, await post('TrentService.ListKeys', {}, null), wire));
    expect(k).toMatchObject({
      status: 403,
      type: 'MissingAuthenticationTokenException',
      body: { __type: 'MissingAuthenticationTokenException' },
    });
    const c = await json(await handleCloudTrail(kms, await post(LOOKUP, {}, null), wire));
    expect(c).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });
  });

  it('refuses an access key it never issued with UnrecognizedClientException', async () => {
    const { kms, post, wire } = await freshEndpoint();
    const r = await json(
      await handleKms(
        kms,
        await post(
          'TrentService.ListKeys',
          {},
          { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        ),
        wire,
      ),
    );
    expect(r).toMatchObject({
      status: 400,
      type: 'UnrecognizedClientException',
      body: { message: 'The security token included in the request is invalid.' },
    });
  });

  it('refuses a wrong secret with InvalidSignatureException', async () => {
    const { kms, post, wire, rootKey } = await freshEndpoint();
    const r = await json(
      await handleKms(
        kms,
        await post(
          'TrentService.ListKeys',
          {},
          { ...rootKey, secretAccessKey: rootKey.secretAccessKey.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
        ),
        wire,
      ),
    );
    expect(r).toMatchObject({
      status: 400,
      type: 'InvalidSignatureException',
      body: { __type: 'InvalidSignatureException' },
    });
    expect(r.body.message).toMatch(/signature we calculated does not match/);
    const c = await json(
      await handleCloudTrail(kms, await post(LOOKUP, {}, { ...rootKey, secretAccessKey: 'x' }), wire),
    );
    expect(c.type).toBe('InvalidSignatureException');
  });

  it('refuses an inactive access key with UnrecognizedClientException, and accepts it again once active', async () => {
    const { kms, post, wire, rootKey, owner } = await freshEndpoint();
    await kms.iam.updateAccessKey(owner, rootKey.accessKeyId, 'Inactive');
    expect((await json(await handleKms(kms, await post('TrentService.ListKeys'), wire))).type).toBe(
      'UnrecognizedClientException',
    );
    expect((await json(await handleCloudTrail(kms, await post(LOOKUP), wire))).type).toBe(
      'UnrecognizedClientException',
    );
    await kms.iam.updateAccessKey(owner, rootKey.accessKeyId, 'Active');
    expect((await handleKms(kms, await post('TrentService.ListKeys'), wire)).status).toBe(200);
  });

  it('refuses a request signed 16 minutes ago as "Signature expired", and takes one signed 14 minutes ago', async () => {
    const { kms, post, wire, clock, rootKey } = await freshEndpoint();
    const old = await json(
      await handleKms(kms, await post('TrentService.ListKeys', {}, rootKey, { at: clock.t - 16 * 60_000 }), wire),
    );
    expect(old).toMatchObject({ status: 400, type: 'InvalidSignatureException' });
    expect(old.body.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/);
    expect(
      (await handleKms(kms, await post('TrentService.ListKeys', {}, rootKey, { at: clock.t - 14 * 60_000 }), wire))
        .status,
    ).toBe(200);
  });

  it('refuses a signature scoped to another service or region', async () => {
    const { kms, post, wire, rootKey } = await freshEndpoint();
    expect(
      (
        await json(
          await handleKms(kms, await post('TrentService.ListKeys', {}, rootKey, { service: 'cloudtrail' }), wire),
        )
      ).type,
    ).toBe('InvalidSignatureException');
    expect(
      (
        await json(
          await handleKms(kms, await post('TrentService.ListKeys', {}, rootKey, { region: 'eu-west-1' }), wire),
        )
      ).type,
    ).toBe('InvalidSignatureException');
    expect(
      (await json(await handleCloudTrail(kms, await post(LOOKUP, {}, rootKey, { service: 'kms' }), wire))).type,
    ).toBe('InvalidSignatureException');
  });

  it('records nothing for a request that fails authentication', async () => {
    const { kms, post, wire, audit } = await freshEndpoint();
    const before = (await audit()).length;
    await handleKms(kms, await post('TrentService.CreateKey', {}, null), wire);
    await handleKms(
      kms,
      await post('TrentService.CreateKey', {}, { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 's' }),
      wire,
    );
    expect((await audit()).length).toBe(before);
  });

  it('refuses the access key of a deleted user', async () => {
    const { kms, post, wire, owner } = await freshEndpoint();
    const bob = await principalWithKey(kms, owner, 'user', 'bob', { all: allow('kms:*') });
    expect((await handleKms(kms, await post('TrentService.ListKeys', {}, bob.key), wire)).status).toBe(200);
    await kms.iam.deletePrincipal(owner, bob.arn);
    expect((await json(await handleKms(kms, await post('TrentService.ListKeys', {}, bob.key), wire))).type).toBe(
      'UnrecognizedClientException',
    );
  });
});

describe('who the endpoint runs a call as', () => {
  it('denies a user with no identity policy, and records AccessDenied with the user and its access key', async () => {
    const { kms, post, wire, owner, createKey, audit, rootArn } = await freshEndpoint();
    const key = await createKey();
    const alice = await principalWithKey(kms, owner, 'user', 'alice');
    const r = await json(
      await handleKms(
        kms,
        await post('TrentService.Encrypt', { KeyId: key.KeyId, Plaintext: toBase64(utf8('x')) }, alice.key),
        wire,
      ),
    );
    expect(r).toMatchObject({ status: 400, type: 'AccessDeniedException', body: { __type: 'AccessDeniedException' } });
    expect(r.body.message).toContain(`User: ${alice.arn} is not authorized to perform: kms:Encrypt`);
    const last = (await audit()).at(-1)!.record as Record<string, any>;
    expect(last).toMatchObject({ eventName: 'Encrypt', errorCode: 'AccessDenied' });
    expect(last.userIdentity).toMatchObject({
      type: 'IAMUser',
      arn: alice.arn,
      principalId: alice.id,
      accessKeyId: alice.key.accessKeyId,
      userName: 'alice',
    });
    expect(last.userIdentity.arn).not.toBe(rootArn);
  });

  it('allows the user once an identity policy allows kms:Encrypt, and only that', async () => {
    const { kms, post, wire, owner, createKey } = await freshEndpoint();
    const key = await createKey();
    const alice = await principalWithKey(kms, owner, 'user', 'alice', { encrypt: allow('kms:Encrypt') });
    const enc = await json(
      await handleKms(
        kms,
        await post('TrentService.Encrypt', { KeyId: key.KeyId, Plaintext: toBase64(utf8('x')) }, alice.key),
        wire,
      ),
    );
    expect(enc.status).toBe(200);
    expect(enc.body.KeyId).toBe(key.Arn);
    const dec = await json(
      await handleKms(
        kms,
        await post('TrentService.Decrypt', { CiphertextBlob: enc.body.CiphertextBlob }, alice.key),
        wire,
      ),
    );
    expect(dec.type).toBe('AccessDeniedException');
  });

  it("runs a role's access key as a session of the role named after the key", async () => {
    const { kms, post, wire, owner, audit } = await freshEndpoint();
    const app = await principalWithKey(kms, owner, 'role', 'app', { list: allow('kms:ListKeys') });
    expect((await handleKms(kms, await post('TrentService.ListKeys', {}, app.key), wire)).status).toBe(200);
    const last = (await audit()).at(-1)!.record as Record<string, any>;
    const session = `arn:aws:sts::${kms.keystore.accountId}:assumed-role/app/${app.key.accessKeyId}`;
    expect(last.userIdentity).toMatchObject({
      type: 'AssumedRole',
      arn: session,
      principalId: `${app.id}:${app.key.accessKeyId}`,
      accessKeyId: app.key.accessKeyId,
    });
    expect(last.userIdentity.sessionContext.sessionIssuer).toMatchObject({
      type: 'Role',
      arn: app.arn,
      userName: 'app',
    });
  });

  it('lets the root and a user allowed cloudtrail:LookupEvents read /cloudtrail, and denies a user without it', async () => {
    const { kms, post, wire, owner } = await freshEndpoint();
    const carol = await principalWithKey(kms, owner, 'user', 'carol', { kms: allow('kms:*') });
    const dave = await principalWithKey(kms, owner, 'user', 'dave', { trail: allow('cloudtrail:LookupEvents') });
    const denied = await json(await handleCloudTrail(kms, await post(LOOKUP, {}, carol.key), wire));
    expect(denied).toMatchObject({ status: 400, type: 'AccessDeniedException' });
    expect(denied.body.message).toBe(
      `User: ${carol.arn} is not authorized to perform: cloudtrail:LookupEvents on resource: * because no identity-based policy allows the cloudtrail:LookupEvents action`,
    );
    // Authorization comes before parameter validation, as in AWS.
    expect(
      (await json(await handleCloudTrail(kms, await post(LOOKUP, { MaxResults: 51 }, carol.key), wire))).type,
    ).toBe('AccessDeniedException');
    expect((await json(await handleCloudTrail(kms, await post(LOOKUP, { MaxResults: 51 }, dave.key), wire))).type).toBe(
      'InvalidMaxResultsException',
    );
    const allowed = await json(await handleCloudTrail(kms, await post(LOOKUP, {}, dave.key), wire));
    expect(allowed.status).toBe(200);
    expect(allowed.body.Events.length).toBeGreaterThan(0);
    expect((await handleCloudTrail(kms, await post(LOOKUP), wire)).status).toBe(200);
  });

  it('denies /cloudtrail to a user whose policy denies it explicitly, even with kms:* and cloudtrail:*', async () => {
    const { kms, post, wire, owner } = await freshEndpoint();
    const eve = await principalWithKey(kms, owner, 'user', 'eve', {
      all: allow('kms:*', 'cloudtrail:*'),
      no: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'cloudtrail:LookupEvents', Resource: '*' }] },
    });
    const r = await json(await handleCloudTrail(kms, await post(LOOKUP, {}, eve.key), wire));
    expect(r.type).toBe('AccessDeniedException');
    expect(r.body.message).toContain('explicit deny');
  });
});

describe('headers the signature leaves out', () => {
  /** The request `r` with header `name` set to `value`, as someone replaying it would send it. */
  async function changed(r: Request, name: string, value: string): Promise<Request> {
    const headers = new Headers(r.headers);
    headers.set(name, value);
    return new Request(r.url, { method: 'POST', headers, body: await r.text() });
  }

  it('refuses a DescribeKey signed without x-amz-target and replayed as ScheduleKeyDeletion', async () => {
    const { kms, post, wire, createKey, call } = await freshEndpoint();
    const key = await createKey();
    const signed = await post('TrentService.DescribeKey', { KeyId: key.KeyId }, undefined, {
      unsigned: ['x-amz-target'],
    });
    const replay = await changed(signed, 'x-amz-target', 'TrentService.ScheduleKeyDeletion');
    const r = await json(await handleKms(kms, replay, wire));
    expect(r).toMatchObject({ status: 400, type: 'IncompleteSignatureException' });
    expect(r.body.message).toContain('x-amz-target');
    expect((await call('DescribeKey', { KeyId: key.KeyId })).KeyMetadata.KeyState).toBe('Enabled');
  });

  it.each([['content-type'], ['x-amz-user-agent'], ['x-amz-meta-anything']])(
    'refuses a request that carries %s without signing it, naming the header',
    async (name) => {
      const { kms, post, wire } = await freshEndpoint();
      const headers = name === 'content-type' ? {} : { [name]: 'aws-sdk-js/3.0.0' };
      const r = await json(
        await handleKms(kms, await post('TrentService.ListKeys', {}, undefined, { headers, unsigned: [name] }), wire),
      );
      expect(r).toMatchObject({ status: 400, type: 'IncompleteSignatureException' });
      expect(r.body.message).toContain(name);
    },
  );

  it("accepts the AWS SDK's browser headers as its signer signs them (x-amz-user-agent, amz-sdk-*)", async () => {
    const { kms, post, wire } = await freshEndpoint();
    const headers = {
      'x-amz-user-agent': 'aws-sdk-js/3.700.0 ua/2.1 os/other lang/js md/browser#Chrome api/kms#3.700.0',
      'amz-sdk-invocation-id': crypto.randomUUID(),
      'amz-sdk-request': 'attempt=1; max=3',
    };
    const r = await json(await handleKms(kms, await post('TrentService.ListKeys', {}, undefined, { headers }), wire));
    expect(r.status).toBe(200);
  });
});

describe('DryRun at /kms', () => {
  it('answers a dry run that would succeed with HTTP 412 DryRunOperationException, as the KMS model has it', async () => {
    const { kms, post, wire } = await freshEndpoint();
    const created = await json(await handleKms(kms, await post('TrentService.CreateKey', {}), wire));
    const r = await json(
      await handleKms(
        kms,
        await post('TrentService.Encrypt', {
          KeyId: created.body.KeyMetadata.KeyId,
          Plaintext: toBase64(utf8('x')),
          DryRun: true,
        }),
        wire,
      ),
    );
    expect(r).toMatchObject({
      status: 412,
      type: 'DryRunOperationException',
      body: { __type: 'DryRunOperationException' },
    });
  });
});
