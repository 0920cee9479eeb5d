import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../../src/format/bytes';
import { decodeRequest, encodeResponse, handleCloudTrail, handleKms } from '../../../src/endpoint/wire';
import { utf8 } from '../helpers/kms';
import { freshEndpoint } from '../helpers/sign';

async function json(res: Response) {
  return {
    status: res.status,
    type: res.headers.get('x-amzn-errortype'),
    body: (await res.json()) as Record<string, any>,
  };
}

describe('wire codec', () => {
  it('decodes base64 blobs and epoch-second timestamps, keeps the rest', () => {
    const out = decodeRequest({
      Plaintext: toBase64(utf8('hi')),
      StartTime: 1700000000.5,
      KeyId: 'k',
      EncryptionContext: { Plaintext: 'kept' },
    });
    expect(out.Plaintext).toEqual(utf8('hi'));
    expect(out.StartTime).toEqual(new Date(1700000000500));
    expect(out.EncryptionContext).toEqual({ Plaintext: 'kept' });
  });

  it.each(['***', 'a', 'ab=c', 42, {}])('refuses a blob that is not base64 (%s) with SerializationException', (bad) => {
    expect(() => decodeRequest({ CiphertextBlob: bad })).toThrow(
      expect.objectContaining({ name: 'SerializationException' }),
    );
  });

  it('encodes Uint8Array as base64 and Date as epoch seconds, recursively', () => {
    expect(encodeResponse({ A: new Uint8Array([1, 2, 255]), B: [{ C: new Date(1500) }], D: undefined })).toEqual({
      A: 'AQL/',
      B: [{ C: 1.5 }],
    });
  });

  it('round-trips large blobs through base64', () => {
    const big = new Uint8Array(100_000).map((_, i) => i * 7);
    expect(decodeRequest({ Plaintext: toBase64(big) }).Plaintext).toEqual(big);
  });
});

describe('POST /kms', () => {
  it('runs an operation and answers AWS JSON 1.1', async () => {
    const { kms, post, wire } = await freshEndpoint();
    const created = await json(
      await handleKms(kms, await post('TrentService.CreateKey', { Description: 'wire' }), wire),
    );
    expect(created.status).toBe(200);
    expect(typeof created.body.KeyMetadata.CreationDate).toBe('number');
    const id = created.body.KeyMetadata.KeyId;
    const enc = await json(
      await handleKms(kms, await post('TrentService.Encrypt', { KeyId: id, Plaintext: toBase64(utf8('x')) }), wire),
    );
    expect(typeof enc.body.CiphertextBlob).toBe('string');
    const dec = await json(
      await handleKms(kms, await post('TrentService.Decrypt', { CiphertextBlob: enc.body.CiphertextBlob }), wire),
    );
    expect(dec.body.Plaintext).toBe(toBase64(utf8('x')));
  });

  it.each([
    ['TrentService.Brew', '{}', 'UnknownOperationException'],
    ['KMS.Encrypt', '{}', 'UnknownOperationException'],
    ['TrentService.ListKeys', '{nope', 'SerializationException'],
    ['TrentService.ListKeys', '[1,2]', 'SerializationException'],
    ['TrentService.Encrypt', '{"KeyId":"x","Plaintext":"%%%"}', 'SerializationException'],
    ['TrentService.DescribeKey', '{"KeyId":"alias/none"}', 'NotFoundException'],
    // A passkey key store is created only in the console, where its passkey is registered (ADR 0016).
    ['TrentService.CreateCustomKeyStore', '{"CustomKeyStoreName":"x"}', 'UnsupportedOperationException'],
    ['TrentService.Verify', '{}', 'ValidationException'],
  ])('%s %s → 400 %s', async (target, body, name) => {
    const { kms, post, wire } = await freshEndpoint();
    const r = await json(await handleKms(kms, await post(target, body), wire));
    expect(r).toMatchObject({ status: 400, type: name, body: { __type: name } });
    expect(typeof r.body.message).toBe('string');
  });

  it('records the access key ID that signed the request', async () => {
    const { kms, store, post, wire, rootKey, rootArn } = await freshEndpoint();
    const res = await handleKms(kms, await post('TrentService.ListKeys', {}), wire);
    expect(res.status).toBe(200);
    const [e] = await store.queryAudit({ limit: 1 });
    expect(e!.record.requestID).toBe(res.headers.get('x-amzn-requestid'));
    expect(e!.accessKeyId).toBe(rootKey.accessKeyId);
    expect(e!.record.userIdentity).toMatchObject({ type: 'Root', arn: rootArn, accessKeyId: rootKey.accessKeyId });
  });
});

describe('POST /cloudtrail', () => {
  const LOOKUP = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

  // Each keystore here starts with one event: the root access key's CreateAccessKey (IAM).
  it('pages LookupEvents newest first with NextToken', async () => {
    const { kms, call, post, wire } = await freshEndpoint();
    const ct = async (body: unknown) => handleCloudTrail(kms, await post(LOOKUP, body), wire);
    for (let i = 0; i < 5; i++) await call('CreateKey', { Description: `k${i}` });
    const first = await json(await ct({ MaxResults: 4 }));
    expect(first.body.Events).toHaveLength(4);
    const second = await json(await ct({ MaxResults: 4, NextToken: first.body.NextToken }));
    expect(second.body.Events).toHaveLength(2);
    expect(second.body.NextToken).toBeUndefined();
    const events = [...first.body.Events, ...second.body.Events].map((e: any) => JSON.parse(e.CloudTrailEvent));
    expect(events.map((e) => e.requestParameters?.description ?? e.eventName)).toEqual([
      'k4',
      'k3',
      'k2',
      'k1',
      'k0',
      'CreateAccessKey',
    ]);
  });

  it("accepts the target the current AWS SDK sends (CloudTrail_20131101.LookupEvents) as well as the CLI's", async () => {
    const { kms, call, post, wire } = await freshEndpoint();
    await call('CreateKey', { Description: 'short target' });
    for (const target of ['CloudTrail_20131101.LookupEvents', LOOKUP]) {
      const r = await json(await handleCloudTrail(kms, await post(target, { MaxResults: 1 }), wire));
      expect(r.status, target).toBe(200);
      expect(r.body.Events, target).toHaveLength(1);
    }
    const bad = await json(await handleCloudTrail(kms, await post('CloudTrail_20131101.CreateTrail', {}), wire));
    expect(bad.body.__type).toBe('UnknownOperationException');
  });

  it('filters by EventId, Username and ReadOnly, and by time range', async () => {
    const { kms, call, clock, post, wire } = await freshEndpoint();
    const ct = async (body: unknown) => handleCloudTrail(kms, await post(LOOKUP, body), wire);
    const { KeyMetadata } = await call('CreateKey');
    clock.t += 60_000;
    await call('DescribeKey', { KeyId: KeyMetadata.KeyId });
    const all = (await json(await ct({}))).body.Events as any[];
    // Each lookup is itself recorded (after it answers); these checks are about the other events.
    const others = (events: any[]) => events.map((e) => e.EventName).filter((n) => n !== 'LookupEvents');
    const pick = async (AttributeKey: string, AttributeValue: string) =>
      others((await json(await ct({ LookupAttributes: [{ AttributeKey, AttributeValue }] }))).body.Events as any[]);
    expect(await pick('EventId', all[1].EventId)).toEqual(['CreateKey']);
    expect(await pick('Username', 'root')).toEqual(['DescribeKey', 'CreateKey', 'CreateAccessKey']);
    expect(await pick('Username', 'alice')).toEqual([]);
    expect(await pick('ReadOnly', 'true')).toEqual(['DescribeKey']);
    expect(await pick('ReadOnly', 'false')).toEqual(['CreateKey', 'CreateAccessKey']);
    const late = await json(await ct({ StartTime: (clock.t - 1000) / 1000 }));
    expect(others(late.body.Events)).toEqual(['DescribeKey']);
    const early = await json(await ct({ EndTime: (clock.t - 1000) / 1000 }));
    expect(others(early.body.Events)).toEqual(['CreateKey', 'CreateAccessKey']);
  });

  it('records each LookupEvents call as CloudTrail does: read-only, cloudtrail.amazonaws.com, after it answers', async () => {
    const { kms, call, post, wire } = await freshEndpoint();
    const ct = async (body: unknown) => handleCloudTrail(kms, await post(LOOKUP, body), wire);
    await call('CreateKey');
    const firstRes = await ct({ MaxResults: 5 });
    const requestId = firstRes.headers.get('x-amzn-requestid');
    const first = await json(firstRes);
    expect((first.body.Events as any[]).map((e) => e.EventName)).not.toContain('LookupEvents');
    const second = await json(
      await ct({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'cloudtrail.amazonaws.com' }] }),
    );
    const events = second.body.Events as any[];
    expect(events.map((e) => e.EventName)).toEqual(['LookupEvents']);
    const record = JSON.parse(events[0].CloudTrailEvent);
    expect(record).toMatchObject({
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'LookupEvents',
      readOnly: true,
      requestParameters: { maxResults: 5 },
    });
    expect(record.requestID).toBe(requestId);
  });

  it('filters by one lookup attribute and validates the request', async () => {
    const { kms, call, post, wire } = await freshEndpoint();
    const ct = async (body: unknown) => handleCloudTrail(kms, await post(LOOKUP, body), wire);
    const { KeyMetadata } = await call('CreateKey');
    await call('DescribeKey', { KeyId: KeyMetadata.KeyId });
    const byName = await json(
      await ct({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' }] }),
    );
    expect(byName.body.Events.map((e: any) => e.EventName)).toEqual(['DescribeKey']);
    const byResource = await json(
      await ct({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KeyMetadata.Arn }] }),
    );
    expect(byResource.body.Events).toHaveLength(2);
    const two = await json(
      await ct({
        LookupAttributes: [
          { AttributeKey: 'EventName', AttributeValue: 'a' },
          { AttributeKey: 'EventName', AttributeValue: 'b' },
        ],
      }),
    );
    expect(two.type).toBe('InvalidLookupAttributesException');
    expect((await json(await ct({ MaxResults: 51 }))).type).toBe('InvalidMaxResultsException');
    expect((await json(await ct({ StartTime: 2000, EndTime: 1000 }))).type).toBe('InvalidTimeRangeException');
    expect((await json(await ct({ NextToken: 'zzz' }))).type).toBe('InvalidNextTokenException');
  });
});

describe('request size, before authentication', () => {
  const CAP = 1024 * 1024;
  /** A body stream of 64 KiB chunks, `total` bytes in all, that counts what the endpoint pulled. */
  function counted(total: number) {
    const seen = { bytes: 0 };
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        const n = Math.min(64 * 1024, total - seen.bytes);
        seen.bytes += n;
        c.enqueue(new Uint8Array(n).fill(0x20));
        if (seen.bytes >= total) c.close();
      },
    });
    return { stream, seen };
  }
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request('http://127.0.0.1/kms/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);

  it('refuses a declared Content-Length over 1 MiB with 413 RequestEntityTooLargeException, reading nothing', async () => {
    const { kms, wire } = await freshEndpoint();
    const { stream, seen } = counted(8 * CAP);
    const r = await json(await handleKms(kms, post(stream, { 'content-length': String(8 * CAP) }), wire));
    expect(r).toMatchObject({ status: 413, type: 'RequestEntityTooLargeException' });
    expect(r.body.message).toContain('1048576');
    expect(seen.bytes).toBeLessThanOrEqual(2 * 64 * 1024);
  });

  it('stops reading a body without Content-Length once it passes 1 MiB, on both endpoints', async () => {
    const { kms, wire } = await freshEndpoint();
    for (const handle of [handleKms, handleCloudTrail]) {
      const { stream, seen } = counted(64 * CAP);
      const r = await json(await handle(kms, post(stream), wire));
      expect(r).toMatchObject({ status: 413, type: 'RequestEntityTooLargeException' });
      expect(seen.bytes).toBeLessThan(CAP + 4 * 64 * 1024);
    }
  });

  it('still reads a body of exactly 1 MiB (and then asks for a signature)', async () => {
    const { kms, wire } = await freshEndpoint();
    const { stream } = counted(CAP);
    const r = await json(await handleKms(kms, post(stream), wire));
    expect(r).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });
  });
});
