// POST /sts: AWS STS's Query protocol (form-encoded `Action=…&Version=2011-06-15`, XML answers and
// `ErrorResponse`s) for GetCallerIdentity, which lab sheets and the AWS CLI start with. SigV4 for
// service `sts`, verified as on /kms; the other STS actions answer InvalidAction.

import { errorFamily } from '../format/named-errors';
import { KmsError, toKmsError } from '../kms/errors';
import type { Kms } from '../kms/kms';
import { authenticate, type WireOptions } from './wire';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const VERSION = '2011-06-15';

/** STS's codes for what /kms calls by its JSON names, and the status STS answers them with. */
const STS_ERRORS: Record<string, { code: string; status: number }> = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  RequestEntityTooLargeException: { code: 'RequestEntityTooLarge', status: 413 },
};

const escapeXml = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

function xml(status: number, body: string, requestId: string): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`, {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
  });
}

/** An STS ErrorResponse; `code` and status from STS_ERRORS, else the error's own name (400, or 500 for a server fault). */
export function stsErrorResponse(e: KmsError, requestId: string): Response {
  const known = STS_ERRORS[e.name];
  const code = known?.code ?? e.name;
  const status = known?.status ?? (e.fault === 'server' ? 500 : 400);
  const type = e.fault === 'server' ? 'Receiver' : 'Sender';
  return xml(
    status,
    `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
      `<Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    requestId,
  );
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
