// User story: a developer reads the keystore's trail with the unmodified @aws-sdk/client-cloudtrail
// (LookupEvents, docs/API.md "CloudTrail"): pages newest first, filters by every lookup attribute and
// by time, and gets CloudTrail's own exceptions back as the SDK's classes.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, useApp, type Credentials } from './harness';

const env = useApp({
  bundle: { entry: 'tests/e2e/cloudtrail-entry.ts', dir: '__e2e_cloudtrail__', name: 'cloudtrail' },
});

interface Event {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  AccessKeyId?: string;
  EventTime: number;
  eventTimeIsDate: boolean;
  EventSource: string;
  Username: string;
  Resources: { ResourceType: string; ResourceName: string }[];
  CloudTrailEvent: string;
}
interface SdkError {
  name: string;
  status: number;
  fault: string;
  modeled: string | null;
  serviceException: boolean;
}
type Page = { status: number; nextToken?: string; events: Event[] } | { error: SdkError };
interface Input {
  LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
  StartTime?: number;
  EndTime?: number;
  MaxResults?: number;
  NextToken?: string;
}

const lookup = (c: Credentials, input: Input) =>
  env.browser.page.evaluate(([origin, c, input]) => (globalThis as any).ctLookup(origin, c, input), [
    env.app.url,
    c,
    input,
  ] as const) as Promise<Page>;
const pages = (c: Credentials, input: Input) =>
  env.browser.page.evaluate(([origin, c, input]) => (globalThis as any).ctLookupAll(origin, c, input), [
    env.app.url,
    c,
    input,
  ] as const) as Promise<Page[]>;
const events = (p: Page): Event[] => {
  if ('error' in p) throw new Error(`LookupEvents failed: ${JSON.stringify(p.error)}`);
  return p.events;
};
const everything = async (c: Credentials, input: Input) => (await pages(c, input)).flatMap(events);
const failure = async (c: Credentials, input: Input) => {
  const p = await lookup(c, input);
  if (!('error' in p)) throw new Error('LookupEvents succeeded');
  return p.error;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const attr = (AttributeKey: string, AttributeValue: string) => ({
  LookupAttributes: [{ AttributeKey, AttributeValue }],
});
const policy = (...actions: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

let root: Credentials;
let auditor: Credentials;
let nosy: Credentials;
let keyA: { id: string; arn: string };
let keyB: { id: string; arn: string };
/** The KMS calls of the setup, in the order they were made. */
const made: string[] = [];
/** What the user without cloudtrail:LookupEvents got. */
let denied: Page;
/** Times more than a second before the setup's events (T0), and between them and the tests' (T), so that a
 * span of [T0, T] holds the setup's events alone, even if the SDK were to round to whole seconds. */
let T0: number;
let T: number;
let span: { StartTime: number; EndTime: number };
/** The whole trail from T0 to T, newest first, through the SDK. */
let all: Event[];

beforeAll(async () => {
  const { page } = env.browser;
  await page.addScriptTag({ url: '/__e2e_cloudtrail__/cloudtrail.js', type: 'module' });
  await page.waitForFunction(() => 'ctLookup' in globalThis && (globalThis as any).pocketKms?.info !== undefined);
  // The keys page refreshes itself with ListKeys and DescribeKey as keys change; the about page makes no calls.
  await page.evaluate(() => (location.hash = '#/about'));
  await sleep(1100);
  T0 = Date.now();
  await sleep(1100);
  root = await createAccessKey(page);
  const setup = await page.evaluate(
    async ([reader, other]) => {
      const p = (globalThis as any).pocketKms;
      const auditor = await p.api.createPrincipal('user', 'auditor');
      await p.api.putPrincipalPolicy(auditor.arn, 'read-trail', reader);
      const nosy = await p.api.createPrincipal('user', 'nosy');
      await p.api.putPrincipalPolicy(nosy.arn, 'kms-only', other);
      const made: string[] = [];
      const call = async (op: string, body: object) => {
        made.push(op);
        return p.call(op, body);
      };
      const a = (await call('CreateKey', { Description: 'trail A' })).KeyMetadata;
      const b = (await call('CreateKey', { Description: 'trail B' })).KeyMetadata;
      for (let i = 0; i < 12; i++) {
        await call('Encrypt', { KeyId: a.KeyId, Plaintext: new TextEncoder().encode(`event ${i}`) });
        if (i < 10) await call('DescribeKey', { KeyId: b.KeyId });
      }
      return {
        made,
        auditorArn: auditor.arn as string,
        nosyArn: nosy.arn as string,
        keyA: { id: a.KeyId as string, arn: a.Arn as string },
        keyB: { id: b.KeyId as string, arn: b.Arn as string },
      };
    },
    [policy('cloudtrail:LookupEvents'), policy('kms:DescribeKey')] as const,
  );
  made.push(...setup.made);
  ({ keyA, keyB } = setup);
  auditor = await createAccessKey(page, setup.auditorArn);
  nosy = await createAccessKey(page, setup.nosyArn);
  // One read by the root, two by the auditor and a refused one by nosy, each recorded with its access key.
  events(await lookup(root, { MaxResults: 1 }));
  events(await lookup(auditor, { MaxResults: 1 }));
  events(await lookup(auditor, attr('EventName', 'Encrypt')));
  denied = await lookup(nosy, { MaxResults: 1 });
  await sleep(1100);
  T = Date.now();
  await sleep(1100);
  span = { StartTime: T0, EndTime: T };
  all = await everything(root, span);
}, 60_000);

const ids = (es: Event[]) => es.map((e) => e.EventId);

describe('LookupEvents through @aws-sdk/client-cloudtrail', () => {
  it('pages with MaxResults and NextToken, newest first, without duplicates', async () => {
    const got = await pages(root, { ...attr('EventSource', 'kms.amazonaws.com'), ...span, MaxResults: 10 });
    expect(got.map((p) => ('error' in p ? p.error : p.status))).toEqual([200, 200, 200]);
    expect(got.map((p) => events(p).length)).toEqual([10, 10, 4]);
    expect(got.map((p) => typeof (p as { nextToken?: string }).nextToken)).toEqual(['string', 'string', 'undefined']);
    const listed = got.flatMap(events);
    expect(listed.map((e) => e.EventName)).toEqual([...made].reverse());
    expect(new Set(ids(listed)).size).toBe(made.length);
    for (let i = 1; i < listed.length; i++) expect(listed[i]!.EventTime).toBeLessThanOrEqual(listed[i - 1]!.EventTime);
    expect(ids(listed)).toEqual(ids(all.filter((e) => e.EventSource === 'kms.amazonaws.com')));
    // The whole trail in pages of 7 is the same as in pages of 50.
    expect(ids(await everything(root, { ...span, MaxResults: 7 }))).toEqual(ids(all));
    expect(new Set(ids(all)).size).toBe(all.length);
  });

  it('answers in the SDK’s own types: EventTime a Date, CloudTrailEvent the record as JSON', () => {
    expect(all.length).toBeGreaterThan(made.length);
    for (const e of all) {
      expect(e.eventTimeIsDate).toBe(true);
      const record = JSON.parse(e.CloudTrailEvent);
      expect(record).toMatchObject({ eventName: e.EventName, eventSource: e.EventSource, eventID: e.EventId });
      // The record has whole seconds; EventTime keeps the milliseconds.
      expect(Math.abs(Date.parse(record.eventTime) - e.EventTime)).toBeLessThan(1000);
      expect(['true', 'false']).toContain(e.ReadOnly);
      expect(String(record.readOnly)).toBe(e.ReadOnly);
    }
    const encrypt = all.find((e) => e.EventName === 'Encrypt')!;
    expect(encrypt.Resources).toEqual([{ ResourceType: 'AWS::KMS::Key', ResourceName: keyA.arn }]);
    expect(encrypt.Username).toBe('root');
  });

  // Each attribute against the whole trail filtered as docs/API.md says, and against what the setup made.
  const cases: [string, () => string, (e: Event) => boolean, (found: Event[]) => void][] = [
    ['EventId', () => all[3]!.EventId, (e) => e.EventId === all[3]!.EventId, (f) => expect(f).toHaveLength(1)],
    [
      'EventName',
      () => 'Encrypt',
      (e) => e.EventName === 'Encrypt',
      (f) => expect(f.filter((e) => e.EventSource === 'kms.amazonaws.com')).toHaveLength(12),
    ],
    [
      'ReadOnly',
      () => 'false',
      (e) => e.ReadOnly === 'false',
      (f) => {
        expect(f.filter((e) => e.EventName === 'CreateKey')).toHaveLength(2);
        expect(f.map((e) => e.EventName)).not.toContain('Encrypt');
        expect(f.map((e) => e.EventName)).not.toContain('LookupEvents');
      },
    ],
    [
      'ReadOnly',
      () => 'true',
      (e) => e.ReadOnly === 'true',
      (f) => {
        expect(f.filter((e) => e.EventName === 'DescribeKey')).toHaveLength(10);
        expect(f.filter((e) => e.EventName === 'LookupEvents')).toHaveLength(4);
        expect(f.map((e) => e.EventName)).not.toContain('CreateKey');
      },
    ],
    ['Username', () => 'auditor', (e) => e.Username === 'auditor', (f) => expect(f).toHaveLength(2)],
    ['Username', () => 'nosy', (e) => e.Username === 'nosy', (f) => expect(f).toHaveLength(1)],
    [
      'Username',
      () => 'root',
      (e) => e.Username === 'root',
      (f) => expect(f.filter((e) => e.EventSource === 'kms.amazonaws.com')).toHaveLength(made.length),
    ],
    [
      'ResourceType',
      () => 'AWS::KMS::Key',
      (e) => e.Resources.some((r) => r.ResourceType === 'AWS::KMS::Key'),
      (f) => expect(f).toHaveLength(made.length),
    ],
    [
      'ResourceName',
      () => keyA.arn,
      (e) => e.Resources.some((r) => r.ResourceName === keyA.arn),
      (f) => expect(f).toHaveLength(13),
    ],
    [
      'ResourceName',
      () => keyB.id,
      (e) => e.Resources.some((r) => r.ResourceName === keyB.arn),
      (f) => expect(f).toHaveLength(11),
    ],
    [
      'EventSource',
      () => 'kms.amazonaws.com',
      (e) => e.EventSource === 'kms.amazonaws.com',
      (f) => expect(f).toHaveLength(made.length),
    ],
    [
      'EventSource',
      () => 'cloudtrail.amazonaws.com',
      (e) => e.EventSource === 'cloudtrail.amazonaws.com',
      (f) => expect(f.map((e) => e.Username).sort()).toEqual(['auditor', 'auditor', 'nosy', 'root']),
    ],
    [
      'EventSource',
      () => 'iam.amazonaws.com',
      (e) => e.EventSource === 'iam.amazonaws.com',
      (f) => expect(f.length).toBeGreaterThanOrEqual(4),
    ],
    [
      'AccessKeyId',
      () => auditor.accessKeyId,
      (e) => e.AccessKeyId === auditor.accessKeyId,
      (f) => expect(f).toHaveLength(2),
    ],
    [
      'AccessKeyId',
      () => nosy.accessKeyId,
      (e) => e.AccessKeyId === nosy.accessKeyId,
      (f) => expect(f).toHaveLength(1),
    ],
    [
      'AccessKeyId',
      () => root.accessKeyId,
      (e) => e.AccessKeyId === root.accessKeyId,
      (f) => expect(f).toHaveLength(1),
    ],
  ];
  it.each(cases)('filters by %s', async (key, value, expected, check) => {
    const found = await everything(root, { ...attr(key, value()), ...span });
    expect(ids(found)).toEqual(ids(all.filter(expected)));
    check(found);
  });

  it('filters by StartTime and EndTime, both inclusive', async () => {
    await env.browser.page.evaluate((id) => (globalThis as any).pocketKms.call('DescribeKey', { KeyId: id }), keyB.id);
    const after = await everything(root, { ...attr('EventName', 'DescribeKey'), StartTime: T });
    expect(after).toHaveLength(1);
    expect(after[0]!.EventTime).toBeGreaterThan(T);
    expect(await everything(root, { ...attr('EventName', 'DescribeKey'), ...span })).toHaveLength(10);
    expect(await everything(root, { StartTime: T - 1000, EndTime: T + 1000 })).toEqual([]);
    // A span of one instant holds the events of that millisecond.
    const one = all.find((e) => e.EventName === 'Encrypt')!;
    const instant = await everything(root, { StartTime: one.EventTime, EndTime: one.EventTime });
    expect(ids(instant)).toContain(one.EventId);
    expect(ids(instant)).toEqual(ids(all.filter((e) => e.EventTime === one.EventTime)));
  });

  it('surfaces CloudTrail’s exceptions as the SDK’s classes, with their HTTP status', async () => {
    const client = (modeled: string | null) => ({
      name: modeled,
      status: 400,
      fault: 'client',
      modeled,
      serviceException: true,
    });
    expect(
      await failure(root, {
        LookupAttributes: [
          { AttributeKey: 'EventName', AttributeValue: 'Encrypt' },
          { AttributeKey: 'Username', AttributeValue: 'root' },
        ],
      }),
    ).toEqual(client('InvalidLookupAttributesException'));
    expect(await failure(root, attr('Colour', 'blue'))).toEqual(client('InvalidLookupAttributesException'));
    expect(await failure(root, { MaxResults: 51 })).toEqual(client('InvalidMaxResultsException'));
    expect(await failure(root, { MaxResults: 0 })).toEqual(client('InvalidMaxResultsException'));
    expect(await failure(root, { NextToken: 'forged-token' })).toEqual(client('InvalidNextTokenException'));
    expect(await failure(root, { StartTime: T, EndTime: T - 1000 })).toEqual(client('InvalidTimeRangeException'));
    // Not a CloudTrail model exception: the SDK makes a generic CloudTrailServiceException named as the endpoint says.
    const forged = { accessKeyId: root.accessKeyId, secretAccessKey: `${root.secretAccessKey.slice(1)}x` };
    expect(await failure(forged, {})).toEqual({ ...client(null), name: 'InvalidSignatureException' });
  });

  it('refuses a user whose identity policy does not allow cloudtrail:LookupEvents, and records it', async () => {
    expect('error' in denied && denied.error).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      fault: 'client',
      modeled: 'AccessDeniedException',
      serviceException: true,
    });
    const [record] = await everything(root, attr('Username', 'nosy'));
    expect(JSON.parse(record!.CloudTrailEvent)).toMatchObject({
      eventName: 'LookupEvents',
      eventSource: 'cloudtrail.amazonaws.com',
      // CloudTrail's error code for an IAM refusal.
      errorCode: 'AccessDenied',
    });
    expect(record!.AccessKeyId).toBe(nosy.accessKeyId);
  });
});
