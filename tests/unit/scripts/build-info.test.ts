// One Content-Security-Policy (scripts/build-info.ts): index.html's meta tag carries it, the static
// hosts' _headers file and the preview server send it with frame-ancestors as a header.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSP, CSP_HEADER } from '../../../scripts/build-info';

const read = (p: string) => readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8');

describe('content security policy', () => {
  it('is strict: no inline script, no eval, self only, no plugins, no base, no framing, Trusted Types', () => {
    for (const d of [
      "script-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "require-trusted-types-for 'script'",
    ])
      expect(CSP).toContain(d);
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(CSP_HEADER).toBe(`${CSP}; frame-ancestors 'none'`);
  });

  it('is the one in index.html and in public/_headers', () => {
    expect(read('index.html')).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}" />`);
    expect(read('public/_headers')).toContain(`Content-Security-Policy: ${CSP_HEADER}\n`);
  });

  it('names no third-party origin anywhere in the page', () => {
    expect(read('index.html')).not.toMatch(/https?:\/\//);
  });
});
