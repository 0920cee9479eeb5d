// `aws cloudtrail lookup-events` in the terminal against the real AWS CLI v2 (/usr/bin/aws): for the same
// arguments both must send the same LookupEvents requests (lookup attributes, start and end times in every form
// the CLI takes, MaxResults, and the pages followed) and print the same thing in every output format (json,
// text, table, yaml) with and without --query, --max-items' NextToken and an error included. A small
// CloudTrail stand-in answers both (three events, paged by MaxResults; "missing" is an invalid attribute).
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_AWS, runMine, runReal, scratch, words, type Env, type Outcome } from './harness';

const HAVE_CLI = existsSync(REAL_AWS);
const ENV: Env = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'us-east-1',
  AWS_PAGER: '',
};
// botocore's model names the target com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>, the SDK v3's
// (Smithy) model CloudTrail_20131101.<Op>; CloudTrail takes both (and so does /cloudtrail: src/endpoint/wire.ts).
const TARGETS = ['com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.', 'CloudTrail_20131101.'];
const operationOf = (target: string) => {
  const prefix = TARGETS.find((t) => target.startsWith(t));
  return prefix ? target.slice(prefix.length) : `unknown target ${target}`;
};
const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const event = (i: number, name: string, readOnly: boolean) => ({
  EventId: `0000000${i}-aaaa-bbbb-cccc-dddddddddddd`,
  EventName: name,
  ReadOnly: String(readOnly),
  AccessKeyId: 'AKIDEXAMPLE',
  EventTime: 1700000000 + i * 60.5,
  EventSource: 'kms.amazonaws.com',
  Username: 'lab',
  Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: ARN }],
  CloudTrailEvent: JSON.stringify({ eventVersion: '1.08', eventName: name, requestParameters: { keyId: ARN } }),
});
const EVENTS = [event(3, 'Decrypt', true), event(2, 'Encrypt', true), event(1, 'CreateKey', false)];

interface Call {
  target: string;
  body: Record<string, unknown>;
}

/** CloudTrail's LookupEvents over JSON 1.1, paged by MaxResults with NextToken "offset-<n>". */
async function startCloudTrail(): Promise<{ url: string; runs: Map<string, Call[]>; close(): Promise<void> }> {
  const runs = new Map<string, Call[]>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const run = decodeURIComponent(new URL(req.url!, 'http://x').pathname.split('/')[1] ?? '');
    const target = operationOf(String(req.headers['x-amz-target'] ?? ''));
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, any>;
    (runs.get(run) ?? runs.set(run, []).get(run)!).push({ target, body });
    const reply = (status: number, out: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' });
      res.end(JSON.stringify(out));
    };
    if (target !== 'LookupEvents') return reply(400, { __type: 'UnknownOperationException' });
    const attrs = (body.LookupAttributes ?? []) as { AttributeKey: string; AttributeValue: string }[];
    if (attrs.some((a) => a.AttributeValue === 'missing'))
      return reply(400, {
        __type: 'InvalidLookupAttributesException',
        Message: 'Lookup attribute value missing is not valid.',
      });
    const from = Number(/^offset-(\d+)$/.exec(body.NextToken ?? '')?.[1] ?? 0);
    const size = Number(body.MaxResults ?? 50);
    const page = EVENTS.slice(from, from + size);
    reply(200, { Events: page, ...(from + size < EVENTS.length ? { NextToken: `offset-${from + size}` } : {}) });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, runs, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

const LINES = [
  'cloudtrail lookup-events',
  'cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=Decrypt',
  'cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=lab --start-time 2023-11-14T00:00:00Z --end-time 2023-11-15T00:00:00Z',
  'cloudtrail lookup-events --start-time 1699920000 --end-time 2023-11-15',
  'cloudtrail lookup-events --lookup-attributes \'[{"AttributeKey": "ResourceName", "AttributeValue": "alias/kms-lab"}]\'',
  'cloudtrail lookup-events --lookup-attributes AttributeKey=ReadOnly,AttributeValue=false --start-time "2023-11-14 22:00:00" --end-time 2023-11-14T23:00:00+01:00',
  'cloudtrail lookup-events --max-results 2',
  'cloudtrail lookup-events --page-size 1',
  'cloudtrail lookup-events --max-items 2',
  'cloudtrail lookup-events --max-results 1 --no-paginate',
  'cloudtrail lookup-events --starting-token eyJOZXh0VG9rZW4iOiAib2Zmc2V0LTEiLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiBudWxsfQ==',
  'cloudtrail lookup-events --output text',
  'cloudtrail lookup-events --output table',
  'cloudtrail lookup-events --output yaml',
  'cloudtrail lookup-events --max-items 1 --output text',
  'cloudtrail lookup-events --max-items 1 --output yaml',
  "cloudtrail lookup-events --query 'Events[].EventName' --output text",
  "cloudtrail lookup-events --query 'Events[].[EventName,EventTime,Username]' --output table",
  "cloudtrail lookup-events --query 'Events[?ReadOnly==`false`].CloudTrailEvent' --output json",
  "cloudtrail lookup-events --query 'Events[0].Resources' --output yaml",
  'cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=missing',
  'cloudtrail lookup-events --lookup-attributes AttributeKey=EventName',
  'cloudtrail lookup-events --start-time yesterday-ish',
  'cloudtrail lookup-events --max-results many',
];

describe.skipIf(!HAVE_CLI)('aws cloudtrail lookup-events as AWS CLI v2 runs it', () => {
  let ct: Awaited<ReturnType<typeof startCloudTrail>>;
  const results: { real: Outcome; mine: Outcome }[] = [];

  beforeAll(async () => {
    ct = await startCloudTrail();
    const root = mkdtempSync(join(tmpdir(), 'aws-cloudtrail-'));
    for (const [i, line] of LINES.entries()) {
      const real = await runReal(words(line), scratch(join(root, `real-${i}`)), `${ct.url}/real-${i}`, ENV);
      const mine = await runMine(words(line), scratch(join(root, `mine-${i}`)), `${ct.url}/mine-${i}`, ENV);
      results.push({ real, mine });
    }
  }, 180_000);

  afterAll(async () => ct?.close());

  it.each(LINES.map((l, i) => [l, i] as const))('aws %s', (_line, i) => {
    const { real, mine } = results[i]!;
    expect(ct.runs.get(`mine-${i}`) ?? []).toEqual(ct.runs.get(`real-${i}`) ?? []);
    expect(mine.stdout).toBe(real.stdout);
    expect(mine.stderr).toBe(real.stderr);
    expect(mine.code).toBe(real.code);
  });

  it('compares real answers: events in each format, the service error, the client-side refusals', () => {
    const at = (line: string) => results[LINES.indexOf(line)]!.real;
    expect(at('cloudtrail lookup-events').stdout).toContain('"EventName": "Decrypt"');
    expect(at('cloudtrail lookup-events --output table').stdout).toMatch(/\|\s+LookupEvents\s+\|/);
    expect(at('cloudtrail lookup-events --output yaml').stdout).toMatch(/^Events:\n- AccessKeyId: AKIDEXAMPLE/);
    expect(at('cloudtrail lookup-events --max-items 2').stdout).toContain('"NextToken": ');
    const error = at('cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=missing');
    expect([error.code, error.stderr]).toEqual([254, expect.stringContaining('(InvalidLookupAttributesException)')]);
    expect(at('cloudtrail lookup-events --start-time yesterday-ish').code).toBe(252);
  });

  it('follows every page the CLI follows', () => {
    const pages = (run: string) => (ct.runs.get(run) ?? []).map((c) => c.body.NextToken ?? null);
    expect(pages('real-7')).toEqual([null, 'offset-1', 'offset-2']);
    expect(pages('mine-7')).toEqual(pages('real-7'));
  });
});
