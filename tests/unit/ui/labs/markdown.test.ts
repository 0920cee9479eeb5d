// Lab Markdown (src/ui/labs/markdown.ts): the subset parses to a tree of text, and nothing else — HTML,
// script links, odd markup — ever becomes anything but text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, safeHref, type Block, type Inline } from '../../../../src/ui/labs/markdown';

describe('lab Markdown', () => {
  it('parses paragraphs, lists, fenced code and inline marks', () => {
    const md = [
      'A **symmetric** key, `aws kms` and *context*.',
      'Same paragraph.',
      '',
      '- one',
      '- two `x`',
      '',
      '1. first',
      '2. second',
      '',
      '```',
      'echo "<b>"',
      '```',
      'See [Event history](#/events).',
    ].join('\n');
    expect(parseMarkdown(md)).toEqual<Block[]>([
      {
        t: 'p',
        c: [
          { t: 'text', v: 'A ' },
          { t: 'strong', c: [{ t: 'text', v: 'symmetric' }] },
          { t: 'text', v: ' key, ' },
          { t: 'code', v: 'aws kms' },
          { t: 'text', v: ' and ' },
          { t: 'em', c: [{ t: 'text', v: 'context' }] },
          { t: 'text', v: '. Same paragraph.' },
        ],
      },
      {
        t: 'ul',
        items: [
          [{ t: 'text', v: 'one' }],
          [
            { t: 'text', v: 'two ' },
            { t: 'code', v: 'x' },
          ],
        ],
      },
      { t: 'ol', items: [[{ t: 'text', v: 'first' }], [{ t: 'text', v: 'second' }]] },
      { t: 'pre', v: 'echo "<b>"' },
      {
        t: 'p',
        c: [
          { t: 'text', v: 'See ' },
          { t: 'link', href: '#/events', c: [{ t: 'text', v: 'Event history' }] },
          { t: 'text', v: '.' },
        ],
      },
    ]);
  });

  it('keeps HTML and unsafe links as text', () => {
    expect(parseInline('<img src=x onerror=alert(1)>')).toEqual([{ t: 'text', v: '<img src=x onerror=alert(1)>' }]);
    expect(parseInline('[x](javascript:alert(1))')).toEqual([{ t: 'text', v: '[x](javascript:alert(1))' }]);
    expect(parseInline('[x](http://example.com)')).toEqual([{ t: 'text', v: '[x](http://example.com)' }]);
    expect(safeHref('https://docs.aws.amazon.com/kms/')).toBe('https://docs.aws.amazon.com/kms/');
    expect(safeHref('data:text/html,<script>')).toBeUndefined();
    expect(safeHref('#/labs?lab=abc')).toBe('#/labs?lab=abc');
    expect(safeHref('#/x"onmouseover')).toBeUndefined();
  });

  it('never loses or invents text, and links only to safe places, whatever the input', () => {
    const texts = (xs: Inline[]): string =>
      xs.map((x) => (x.t === 'text' || x.t === 'code' ? x.v : texts(x.c))).join('');
    const hrefs = (xs: Inline[]): string[] =>
      xs.flatMap((x) =>
        x.t === 'link' ? [x.href, ...hrefs(x.c)] : x.t === 'strong' || x.t === 'em' ? hrefs(x.c) : [],
      );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '*', '_', '`', '[', ']', '(', ')', '#', '/', ':', '<', ' ') }),
        (s) => {
          const tree = parseInline(s);
          const shown = texts(tree);
          // Only markup characters may go; letters never appear from nowhere.
          expect(shown.replace(/[^a<]/g, '').length).toBeLessThanOrEqual(s.replace(/[^a<]/g, '').length);
          for (const h of hrefs(tree)) expect(safeHref(h)).toBe(h);
        },
      ),
    );
  });
});
