// Which Region answers a request (src/endpoint/routes.ts requestRegion, ADR 0015): the SigV4 credential
// scope's, for /kms, /cloudtrail and /sts; none for IAM (global) or a request without a usable scope.
import { describe, expect, it } from 'vitest';
import { regionNotInUse, requestRegion } from '../../../src/endpoint/routes';

const req = (authorization?: string) =>
  new Request('http://127.0.0.1/kms/', {
    method: 'POST',
    headers: authorization === undefined ? {} : { authorization },
  });
const auth = (scope: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/${scope}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

describe('requestRegion', () => {
  it('reads the credential scope\u2019s Region', () => {
    expect(requestRegion('/kms', req(auth('20261207/us-west-2/kms/aws4_request')))).toBe('us-west-2');
    expect(requestRegion('/cloudtrail', req(auth('20261207/eu-west-1/cloudtrail/aws4_request')))).toBe('eu-west-1');
    expect(requestRegion('/sts', req(auth('20261207/ap-south-1/sts/aws4_request')))).toBe('ap-south-1');
  });

  it('names none for IAM, an unsigned request or a malformed scope (the home Region refuses those)', () => {
    expect(requestRegion('/iam', req(auth('20261207/us-east-1/iam/aws4_request')))).toBeUndefined();
    for (const a of [undefined, '', 'Bearer x', auth('us-west-2/kms/aws4_request'), auth('2026/us-west-2/kms')])
      expect(requestRegion('/kms', req(a))).toBeUndefined();
  });

  it('answers a Region with no keystore as AWS answers a Region not enabled', async () => {
    const r = regionNotInUse('/kms', 'eu-west-1', ['us-east-1', 'us-west-2']);
    expect(r.status).toBe(400);
    // AWS's exception and message, then which Regions are in use (the Labs page reads it to say so).
    expect(await r.json()).toMatchObject({
      __type: 'UnrecognizedClientException',
      message:
        "The security token included in the request is invalid: Region eu-west-1 is not in use in this browser (in use: us-east-1, us-west-2); sign for one of those, or add eu-west-1 with the console's Region switcher.",
    });
  });
});
