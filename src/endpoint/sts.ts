// POST /sts: AWS STS's Query protocol (form-encoded `Action=…&Version=2011-06-15`, XML answers and
// `ErrorResponse`s) for GetCallerIdentity, AssumeRole and GetSessionToken (src/kms/iam/sts.ts). SigV4 for
// service `sts`, verified as on /kms (temporary credentials with their X-Amz-Security-Token too); the
// other STS actions answer InvalidAction.

import { errorFamily } from '../format/named-errors';
import { KmsError, toKmsError, ValidationException } from '../kms/errors';
import type { Kms } from '../kms/kms';
import { actionResponse, AUTH_ERRORS, memberList, queryErrorResponse, type ErrorCodes } from './query-xml';
import { authenticate, type WireOptions } from './wire';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const VERSION = '2011-06-15';

/** STS's codes and statuses (STS API Reference, each action's errors and "Common errors"). */
const STS_ERRORS: ErrorCodes = {
  ...AUTH_ERRORS,
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
  MalformedPolicyDocumentException: { code: 'MalformedPolicyDocument', status: 400 },
  ValidationException: { code: 'ValidationError', status: 400 },
  LimitExceededException: { code: 'ValidationError', status: 400 },
};

/** An STS ErrorResponse (the shared signature errors, STS's codes, else the error's own name). */
export function stsErrorResponse(e: KmsError, requestId: string): Response {
  return queryErrorResponse(NS, STS_ERRORS, e, requestId);
}

/** STS's answer to an action it does not have (AWS's code and message). */
export const InvalidAction = errorFamily(KmsError).define('InvalidAction');

function int(form: URLSearchParams, name: string): number | undefined {
  const v = form.get(name);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v)) throw new ValidationException(`${name} must be an integer; got '${v}'.`);
  return Number(v);
}

/** POST /sts: one STS action as the principal whose credentials signed the request. */
export async function handleSts(kms: Kms, req: Request, o: WireOptions = {}): Promise<Response> {
  const requestId = crypto.randomUUID();
  try {
    const { caller, body } = await authenticate(kms, req, 'sts', o);
    const form = new URLSearchParams(new TextDecoder().decode(body));
    const action = form.get('Action') ?? '';
    if (form.get('Version') !== VERSION)
      throw new InvalidAction(`Could not find operation ${action} for version ${form.get('Version')}`);
    switch (action) {
      case 'GetCallerIdentity': {
        const r = await kms.getCallerIdentity(caller, { requestId });
        return actionResponse(NS, action, { Arn: r.Arn, UserId: r.UserId, Account: r.Account }, requestId);
      }
      case 'AssumeRole': {
        const input = {
          RoleArn: form.get('RoleArn') ?? '',
          RoleSessionName: form.get('RoleSessionName') ?? '',
          ...(form.has('DurationSeconds') ? { DurationSeconds: int(form, 'DurationSeconds')! } : {}),
          ...(form.has('ExternalId') ? { ExternalId: form.get('ExternalId')! } : {}),
          ...(form.has('Policy') ? { Policy: form.get('Policy')! } : {}),
          Tags: memberList(form, 'Tags', ['Key', 'Value']),
          TransitiveTagKeys: memberList(form, 'TransitiveTagKeys'),
        };
        return actionResponse(NS, action, await kms.sts.assumeRole(caller, input, requestId), requestId);
      }
      case 'GetSessionToken':
        return actionResponse(
          NS,
          action,
          await kms.sts.getSessionToken(caller, int(form, 'DurationSeconds'), requestId),
          requestId,
        );
      default:
        throw new InvalidAction(`Could not find operation ${action} for version ${VERSION}`);
    }
  } catch (e) {
    return stsErrorResponse(toKmsError(e), requestId);
  }
}
