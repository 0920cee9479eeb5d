// axe-core (WCAG 2.1 A and AA rules) over the page as it is now, through the DevTools protocol's evaluate (which
// the page's CSP does not govern), as tests/e2e/a11y.test.ts scans each page; for tests that first bring a page
// into a state the route alone does not show (a filled-in panel, a table of loaded files).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The serious and critical violations on the page, one line each ("id (impact): help at selectors"). */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await (globalThis as any).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    if (!r.passes.length) throw new Error('axe checked nothing on this page');
    return r.violations.map((v: any) => ({
      id: v.id as string,
      impact: v.impact as string | null,
      help: v.help as string,
      targets: v.nodes.map((n: any) => (n.target as string[]).join(' ')).join(', '),
    }));
  });
  return found
    .filter((v: { impact: string | null }) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v: { id: string; impact: string; help: string; targets: string }) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.targets}`,
    );
}
