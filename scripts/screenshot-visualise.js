// Regenerates docs/screenshot-visualiser.png (the visualiser at the tampered run's failing frame) and
// docs/screenshot-inspector.png (a signed Pocket KMS file in the message inspector).
// Run after `npx vite build`: node scripts/screenshot-visualise.js
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBenchApp } from '../bench/lib.js';

const shot = await openBenchApp('shot', {
  outDir: 'dist',
  context: {
    viewport: { width: 1280, height: 900 },
    colorScheme: process.env.SCHEME ?? 'light',
    reducedMotion: 'reduce',
  },
});
const { origin: url, ctx } = shot;
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(`${url}#/visualise`);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null && globalThis.pocketKms?.info);
  await page.evaluate(async () => {
    const { KeyMetadata } = await globalThis.pocketKms.call('CreateKey', { Description: 'workshop' });
    await globalThis.pocketKms.call('CreateAlias', { AliasName: 'alias/workshop', TargetKeyId: KeyMetadata.KeyId });
  });
  await page.reload();
  await page.getByLabel('KMS key (ID, ARN or alias)').fill('alias/workshop');
  await page.getByRole('button', { name: 'Encrypt and show' }).click();
  const title = page.locator('.vis-step h3');
  await title.waitFor();
  while ((await title.innerText()) !== 'Frame 3: tag fails')
    await page.getByRole('button', { name: 'Next step' }).click();
  // The run at the bottom of the page: the message's parts and the failing frame's step.
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
  await page.screenshot({ path: process.env.OUT ?? 'docs/screenshot-visualiser.png' });

  // A signed file of a few frames, made by the console's worker, opened in the inspector.
  const file = join(shot.profile, 'report.pdf.encrypted');
  const b64 = await page.evaluate(async () => {
    const r = await globalThis.pocketKms.api.encryptFile('shot', new Blob([new Uint8Array(3000).fill(7)]), {
      keyIds: ['alias/workshop'],
      suiteId: 0x0578,
      frameLength: 1024,
      encryptionContext: { department: 'finance' },
    });
    const bytes = new Uint8Array(await r.file.arrayBuffer());
    await globalThis.pocketKms.api.releaseFile('shot');
    let s = '';
    for (const x of bytes) s += String.fromCharCode(x);
    return btoa(s);
  });
  writeFileSync(file, Buffer.from(b64, 'base64'));
  await page.goto(`${url}#/inspect`);
  await page.getByLabel('Choose a file to inspect').setInputFiles(file);
  await page.getByRole('heading', { name: 'Encrypted data keys (1)' }).evaluate((e) => {
    e.scrollIntoView({ block: 'start' });
    scrollBy(0, -100);
  });
  await page.screenshot({ path: process.env.OUT_INSPECTOR ?? 'docs/screenshot-inspector.png' });
} finally {
  await shot.close();
}
