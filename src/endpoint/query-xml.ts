// What AWS's Query-protocol services (STS, IAM) share on the wire: form-encoded requests with
// `member.N` lists, XML answers wrapped in `<ActionResponse><ActionResult>` with the request ID, and
// `ErrorResponse` documents whose codes and statuses each service names its own way.

import type { KmsError } from '../kms/errors';

export const escapeXml = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

export function xmlResponse(status: number, body: string, requestId: string): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`, {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
  });
}

/** A service's code and status for what the core calls by its exception names. */
export type ErrorCodes = Record<string, { code: string; status: number }>;

/** The signature and body errors every Query service shares (the core names them as /kms does). */
export const AUTH_ERRORS: ErrorCodes = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  RequestEntityTooLargeException: { code: 'RequestEntityTooLarge', status: 413 },
  ExpiredTokenException: { code: 'ExpiredToken', status: 403 },
};

/** An ErrorResponse; the code and status from `codes`, else the error's own name (400, 500 for a server fault). */
export function queryErrorResponse(ns: string, codes: ErrorCodes, e: KmsError, requestId: string): Response {
  const known = codes[e.name];
  const code = known?.code ?? e.name;
  const status = known?.status ?? (e.fault === 'server' ? 500 : 400);
  const type = e.fault === 'server' ? 'Receiver' : 'Sender';
  return xmlResponse(
    status,
    `<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
      `<Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    requestId,
  );
}

/** `<Action>Response` with its `<Action>Result` (absent for actions that return nothing). */
export function actionResponse(ns: string, action: string, result: unknown, requestId: string): Response {
  const inner = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return xmlResponse(
    200,
    `<${action}Response xmlns="${ns}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId>` +
      `</ResponseMetadata></${action}Response>`,
    requestId,
  );
}

/** An object's members as elements, lists as `<member>`s, dates as ISO 8601 seconds. */
export function toXml(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(v)) return v.map((m) => `<member>${toXml(m)}</member>`).join('');
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `<${k}>${toXml(x)}</${k}>`)
      .join('');
  return escapeXml(String(v));
}

/** `Prefix.member.N` (or `Prefix.member.N.Field`) values of a form, in N order. */
export function memberList(form: URLSearchParams, prefix: string): string[];
export function memberList<F extends string>(form: URLSearchParams, prefix: string, fields: F[]): Record<F, string>[];
export function memberList(form: URLSearchParams, prefix: string, fields?: string[]) {
  const out: unknown[] = [];
  for (let n = 1; ; n++) {
    const base = `${prefix}.member.${n}`;
    if (!fields) {
      const v = form.get(base);
      if (v === null) break;
      out.push(v);
      continue;
    }
    if (!fields.some((f) => form.has(`${base}.${f}`))) break;
    out.push(Object.fromEntries(fields.map((f) => [f, form.get(`${base}.${f}`) ?? ''])));
  }
  return out;
}
