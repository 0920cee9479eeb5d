// Regenerates docs/screenshot*.png: a few keys, some calls, then the Keys page and a key page.
// Run after `npm run build`: node scripts/screenshot.js
import { openBenchApp } from '../bench/lib.js';

const shot = await openBenchApp('shot', {
  outDir: 'dist',
  context: { viewport: { width: 1280, height: 760 }, colorScheme: process.env.SCHEME ?? 'light' },
});
const { origin: url, ctx } = shot;
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(url);
  await page.waitForFunction(() => globalThis.pocketKms?.info !== undefined);
  const first = await page.evaluate(async () => {
    const k = globalThis.pocketKms;
    const mk = async (Description, alias) => {
      const { KeyMetadata } = await k.call('CreateKey', { Description });
      if (alias) await k.call('CreateAlias', { AliasName: alias, TargetKeyId: KeyMetadata.KeyId });
      return KeyMetadata.KeyId;
    };
    const app = await mk('Application data key for the orders service', 'alias/orders-app');
    await k.call('EnableKeyRotation', { KeyId: app, RotationPeriodInDays: 180 });
    await k.call('RotateKeyOnDemand', { KeyId: app });
    await mk('Workshop: envelope encryption lab', 'alias/workshop-lab');
    const old = await mk('Legacy backups (retired)', 'alias/legacy-backups');
    await k.call('ScheduleKeyDeletion', { KeyId: old, PendingWindowInDays: 7 });
    const off = await mk('Disabled while rotating credentials', 'alias/payments-staging');
    await k.call('DisableKey', { KeyId: off });
    await k.call('Encrypt', {
      KeyId: app,
      Plaintext: new TextEncoder().encode('hello'),
      EncryptionContext: { tenant: 'acme' },
    });
    return app;
  });
  await page.goto(`${url}#/keys`);
  await page
    .getByRole('cell', { name: /alias\/orders-app/ })
    .first()
    .waitFor();
  await page.screenshot({ path: 'docs/screenshot.png' });
  await page.goto(`${url}#/keys/${first}`);
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'docs/screenshot-key.png', fullPage: true });
  await page.goto(`${url}#/events`);
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'docs/screenshot-events.png' });
} finally {
  await shot.close();
}
