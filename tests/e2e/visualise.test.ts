// User story (issue 14): a workshop attendee who prefers reduced motion opens the visualiser, encrypts
// the sample text under their key, and steps through the real run with the keyboard: the data key is
// masked, each frame is sealed, and with one byte flipped the failing frame is marked and nothing after
// it is released.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliasedKeys, loadApp, openBrowser, serveApp, type App, type Browser } from './harness';

let app: App;
let b: Browser;

beforeAll(async () => {
  app = await serveApp();
  b = await openBrowser({ viewport: { width: 360, height: 780 } });
  await b.page.emulateMedia({ reducedMotion: 'reduce' });
  await loadApp(b.page, app.url);
  await createAliasedKeys(b.page, [{ alias: 'alias/visualise-e2e', description: 'visualiser e2e' }]);
});

afterAll(async () => {
  await b?.close();
  await app?.close();
});

describe('Envelope-encryption visualiser', () => {
  it('steps through a real run; the flipped byte stops the release at its frame', async () => {
    const { page } = b;
    await page.goto(`${app.url}/#/visualise`);
    await page.getByRole('heading', { name: 'Envelope encryption, step by step', level: 1 }).waitFor();
    await expect.poll(() => page.getByLabel('KMS key (ID, ARN or alias)').inputValue()).toBe('alias/visualise-e2e');
    await page.getByLabel('Frame length').selectOption('64');
    await page.getByRole('button', { name: 'Encrypt and show' }).click();
    const live = page.locator('.vis-step');
    await page.getByRole('heading', { name: 'GenerateDataKey', level: 3 }).waitFor();
    const arn = await page.evaluate(
      async () =>
        (await (globalThis as any).pocketKms.call('DescribeKey', { KeyId: 'alias/visualise-e2e' })).KeyMetadata.Arn,
    );
    expect(await live.innerText()).toContain(arn);
    expect(await live.innerText()).toMatch(/•+ \(32 bytes, masked/);
    // Reduced motion: nothing plays by itself.
    await page.waitForTimeout(2500);
    expect(await live.innerText()).toContain('Step 1 of');
    // The sample is 267 bytes: 4 full frames of 64 and a final one of 11; frame 3 gets the flipped byte.
    const next = page.getByRole('button', { name: 'Next step' });
    await next.focus();
    const seen: string[] = [];
    for (let i = 0; i < 40 && (await next.isEnabled()); i++) {
      await page.keyboard.press('Enter');
      seen.push(await page.locator('.vis-step h3').innerText());
    }
    expect(seen).toContain('Frame 5 (final) sealed');
    expect(seen).toContain('Frame 5 opened');
    expect(seen).toContain('One bit flipped in frame 3');
    expect(seen.slice(-5)).toEqual([
      'Frame 1: released',
      'Frame 2: released',
      'Frame 3: tag fails',
      'Frame 4: never released',
      'Frame 5: never released',
    ]);
    const parts = page.getByRole('list', { name: 'The message' }).getByRole('listitem');
    // Each part of the message with what the last step made of it (its state is read out to screen readers).
    expect((await parts.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      'Header done',
      '1 released',
      '2 released',
      '3 failed',
      '4 withheld',
      '5 withheld',
    ]);
    expect(await parts.and(page.locator('.vis-failed')).innerText()).toContain('3');
    expect(await parts.and(page.locator('.vis-withheld')).count()).toBe(2);
    await page.getByRole('button', { name: 'Previous step' }).click();
    expect(await page.locator('.vis-step h3').innerText()).toBe('Frame 4: never released');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });
});
