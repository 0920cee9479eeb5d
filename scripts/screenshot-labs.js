// Regenerates docs/screenshot-labs.png: lab 1 on the Labs page with its first four steps run through the
// terminal's session (pocketKms.shell) and the fifth not yet, as an attendee sees it mid-workshop.
// Run after `npx vite build`: node scripts/screenshot-labs.js
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { parse } from 'yaml';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];
const lab = parse(readFileSync('src/labs/shipped/kms-basics.yaml', 'utf8'));
const server = await preview({ logLevel: 'silent', preview: { host: '127.0.0.1', port: 0 } });
const url = server.resolvedUrls.local[0];
const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-shot-'));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ARGS,
  headless: true,
  viewport: { width: 1280, height: 900 },
  colorScheme: process.env.SCHEME ?? 'light',
});
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(`${url}#/labs/${lab.id}`);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null);
  await page.getByText(`0 of ${lab.steps.length} steps done`).waitFor();
  for (const step of lab.steps.slice(0, 4))
    for (const block of step.commands) await page.evaluate((l) => globalThis.pocketKms.shell(l), block);
  await page.getByText(`4 of ${lab.steps.length} steps done`).waitFor();
  // Step 4 done above, step 5 below saying what its check still waits for.
  await page.getByRole('region', { name: /^5\. / }).evaluate((e) => {
    e.scrollIntoView({ block: 'start' });
    scrollBy(0, -170);
  });
  await page.screenshot({ path: process.env.OUT ?? 'docs/screenshot-labs.png' });
} finally {
  await ctx.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
