// Regenerates docs/screenshot-labs.png: lab 1 on the Labs page with its first four steps run through the
// terminal's session (pocketKms.shell) and the fifth not yet, as an attendee sees it mid-workshop.
// Run after `npx vite build`: node scripts/screenshot-labs.js
import { readFileSync } from 'node:fs';
import { openBenchApp } from '../bench/lib.js';
import { parse } from 'yaml';

const lab = parse(readFileSync('src/labs/shipped/kms-basics.yaml', 'utf8'));
const shot = await openBenchApp('shot', {
  outDir: 'dist',
  context: { viewport: { width: 1280, height: 900 }, colorScheme: process.env.SCHEME ?? 'light' },
});
const { origin: url, ctx } = shot;
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
  await shot.close();
}
