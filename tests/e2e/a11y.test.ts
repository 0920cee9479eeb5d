// User story: a workshop attendee who uses a screen reader or the keyboard can follow a lab, the terminal
// and the visualiser like everyone else. Every page of the console is scanned with axe-core (WCAG 2.1 A and
// AA rules) in the built app, after it has rendered: no serious or critical violation is allowed.
// axe runs through the DevTools protocol's evaluate, which the page's CSP does not govern.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApp } from './harness';

const env = useApp();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The console's pages (src/ui/pages.ts), by route, with what shows each has rendered. */
const ROUTES: [route: string, ready: string][] = [
  ['#/keys', 'h1'],
  ['#/crypto', 'h1'],
  ['#/files', 'h1'],
  ['#/events', 'h1'],
  ['#/identities', 'h1'],
  ['#/simulator', 'h1'],
  ['#/buckets', 'h1'],
  ['#/terminal', 'h1'],
  ['#/labs', 'h1'],
  ['#/labs/kms-basics', 'h1'],
  ['#/inspect', 'h1'],
  ['#/visualise', 'h1'],
  ['#/key-stores', 'h1'],
  ['#/settings', 'h1'],
  ['#/about', 'h1'],
];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function scan(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    // A scan that checked nothing would pass: rules must have passed too.
    if (!r.passes.length) throw new Error('axe checked nothing on this page');
    return r.violations.map((v: Violation) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

describe('accessibility of every page (axe-core, WCAG 2.1 AA)', () => {
  it.each(ROUTES)('%s has no serious or critical violation', async (route, ready) => {
    const { page } = env.browser;
    await page.evaluate((r) => (location.hash = r), route);
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    const found = (await scan(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      found.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([]);
  });
});
