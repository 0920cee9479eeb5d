// POST /sts: AWS STS's Query protocol (form-encoded `Action=…&Version=2011-06-15`, XML answers and
// `ErrorResponse`s) for GetCallerIdentity, which lab sheets and the AWS CLI start with. SigV4 for
// service `sts`, verified as on /kms; the other STS actions answer InvalidAction.

import { errorFamily } from '../format/named-errors';
import { KmsError, toKmsError } from '../kms/errors';
import type { Kms } from '../kms/kms';
import { AUTH_ERRORS, escapeXml, queryErrorResponse, xmlResponse as xml } from './query-xml';
import { authenticate, type WireOptions } from './wire';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const VERSION = '2011-06-15';

/** An STS ErrorResponse (the shared signature errors, else the error's own name). */
export function stsErrorResponse(e: KmsError, requestId: string): Response {
  return queryErrorResponse(NS, AUTH_ERRORS, e, requestId);
}

/** STS's answer to an action it does not have (AWS's code and message). */
export const InvalidAction = errorFamily(KmsError).define('InvalidAction');

/** POST /sts: GetCallerIdentity as the principal whose access key signed the request. */
export async function handleSts(kms: Kms, req: Request, o: WireOptions = {}): Promise<Response> {
  const requestId = crypto.randomUUID();
  try {
    const { caller, body } = await authenticate(kms, req, 'sts', o);
    const form = new URLSearchParams(new TextDecoder().decode(body));
    const action = form.get('Action') ?? '';
    if (form.get('Version') !== VERSION)
      throw new InvalidAction(`Could not find operation ${action} for version ${form.get('Version')}`);
    if (action !== 'GetCallerIdentity')
      throw new InvalidAction(`Could not find operation ${action} for version ${VERSION}`);
    const r = await kms.getCallerIdentity(caller, { requestId });
    return xml(
      200,
      `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult>` +
        `<Arn>${escapeXml(r.Arn)}</Arn><UserId>${escapeXml(r.UserId)}</UserId><Account>${r.Account}</Account>` +
        `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
        `</GetCallerIdentityResponse>`,
      requestId,
    );
  } catch (e) {
    return stsErrorResponse(toKmsError(e), requestId);
  }
}
