// AWS CLI v2's automatic pagination (botocore/paginate.py PageIterator, build_full_result): pages are
// fetched until the output token runs out; --max-items truncates and prints a NextToken that
// --starting-token resumes (base64 of the JSON botocore's TokenEncoder writes).
import type { Paginator } from './model';

export type Page = Record<string, unknown>;

export interface PagingConfig {
  startingToken?: string;
  pageSize?: number;
  maxItems?: number;
}

/** json.dumps of a flat token dict, with Python's separators. */
function pyDumps(d: Record<string, unknown>): string {
  return `{${Object.entries(d)
    .map(([k, v]) => `${JSON.stringify(k)}: ${v === undefined || v === null ? 'null' : JSON.stringify(v)}`)
    .join(', ')}}`;
}

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

export function encodeToken(d: Record<string, unknown>): string {
  return b64(pyDumps(d));
}

function decodeToken(token: string, p: Paginator): { token: Record<string, unknown>; skip: number } {
  try {
    const d = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(token), (c) => c.charCodeAt(0))));
    if (d && typeof d === 'object') {
      const skip = typeof d.boto_truncate_amount === 'number' ? d.boto_truncate_amount : 0;
      delete d.boto_truncate_amount;
      return { token: d, skip };
    }
  } catch {
    /* the deprecated form: the raw token, optionally followed by ___N */
  }
  const m = /^(.*)___(\d+)$/.exec(token);
  return m ? { token: { [p.input]: m[1] }, skip: Number(m[2]) } : { token: { [p.input]: token }, skip: 0 };
}

export interface PagedResult {
  pages: Page[];
  resumeToken?: string;
}

/** Runs the paginated operation; `call` sends one request. */
export async function paginate(
  p: Paginator,
  input: Record<string, unknown>,
  config: PagingConfig,
  call: (input: Record<string, unknown>) => Promise<Page>,
): Promise<PagedResult> {
  const kwargs = { ...input };
  let skip = 0;
  if (config.startingToken !== undefined) {
    const t = decodeToken(config.startingToken, p);
    Object.assign(kwargs, t.token);
    skip = t.skip;
  }
  if (config.pageSize !== undefined && p.limit) kwargs[p.limit] = config.pageSize;
  const primary = p.results[0]!;
  const pages: Page[] = [];
  let total = 0;
  let nextToken: Record<string, unknown> = { [p.input]: kwargs[p.input] ?? null };
  let previous: string | undefined;
  let first = true;
  for (;;) {
    const page = await call(kwargs);
    let startingTruncation = 0;
    if (first) {
      if (config.startingToken !== undefined && skip) {
        for (const k of p.results) if (Array.isArray(page[k])) page[k] = (page[k] as unknown[]).slice(skip);
        startingTruncation = skip;
      }
      first = false;
    }
    const current = Array.isArray(page[primary]) ? (page[primary] as unknown[]) : [];
    const truncate = config.maxItems !== undefined ? total + current.length - config.maxItems : 0;
    if (truncate > 0) {
      const keep = current.length - truncate;
      page[primary] = current.slice(0, keep);
      for (const k of p.results.slice(1)) if (Array.isArray(page[k])) page[k] = [];
      pages.push(page);
      return { pages, resumeToken: encodeToken({ ...nextToken, boto_truncate_amount: keep + startingTruncation }) };
    }
    pages.push(page);
    total += current.length;
    const out = page[p.output];
    if (out === undefined || out === null || out === '') return { pages };
    nextToken = { [p.input]: out };
    if (config.maxItems !== undefined && total === config.maxItems)
      return { pages, resumeToken: encodeToken(nextToken) };
    const key = JSON.stringify(nextToken);
    if (key === previous) throw new Error(`The same next token was received twice: ${pyDumps(nextToken)}`);
    previous = key;
    kwargs[p.input] = out;
  }
}

/** build_full_result: the result keys of every page joined; NextToken when --max-items stopped early. */
export function fullResult(p: Paginator, r: PagedResult): Page {
  const out: Page = {};
  for (const page of r.pages)
    for (const k of p.results) {
      const v = page[k];
      if (v === undefined || v === null) continue;
      if (!(k in out)) out[k] = Array.isArray(v) ? [...v] : v;
      else if (Array.isArray(v)) (out[k] as unknown[]).push(...v);
    }
  if (r.resumeToken !== undefined) out.NextToken = r.resumeToken;
  return out;
}
