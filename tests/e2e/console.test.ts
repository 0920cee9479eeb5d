// User story: a person creates a key in the console, encrypts and decrypts text with an encryption
// context, sees the data survive a reload, disables and schedules the key for deletion, and reads the
// event history. Roles and labels only, as a person (or a screen reader) finds things.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadApp, openBrowser, serveApp, type App } from './harness';

const SECRET = 'The eagle lands at dawn';
const INVALID_CIPHERTEXT =
  'The ciphertext could not be decrypted: it was changed, or the encryption context is not exactly the one used to encrypt it.';

let app: App;

beforeAll(async () => {
  app = await serveApp();
});

afterAll(async () => {
  await app?.close();
});

const text = async (l: Locator) => (await l.textContent()) ?? '';

async function fillContext(region: Locator, key: string, value: string): Promise<void> {
  await region.getByLabel('Context key 1').fill(key);
  await region.getByLabel('Context value 1').fill(value);
}

async function goTo(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function decrypt(page: Page, ciphertext: string, project: string): Promise<Locator> {
  const region = page.getByRole('region', { name: 'Decrypt', exact: true });
  await region.getByLabel('Ciphertext to decrypt (base64)').fill(ciphertext);
  await fillContext(region, 'project', project);
  await region.getByRole('button', { name: 'Decrypt', exact: true }).click();
  return region;
}

/** Result column of each data row of the events table, top to bottom. One snapshot of all rows
 * (allInnerTexts does not wait), so a re-render between reads cannot stall the poll. */
async function resultColumn(page: Page): Promise<string[]> {
  const rows = await page.getByRole('region', { name: 'Events' }).getByRole('row').allInnerTexts();
  return rows.slice(1).map((row) => row.split('\t').at(-1)!.trim());
}

test('create a key, encrypt and decrypt with context, persist, disable, schedule deletion, read events', async () => {
  const browser = await openBrowser();
  const { page } = browser;
  try {
    await loadApp(page, app.url);
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    await expect.poll(() => text(page.getByRole('banner'))).toMatch(/Account ID\s*\d{12}/);

    // Create a key with an alias and a tag.
    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    const create = page.getByRole('dialog', { name: 'Create key' });
    await create.getByLabel('Description').fill('Workshop key');
    await create.getByLabel('Alias').fill('workshop-app');
    await create.getByRole('button', { name: 'Add tag pair' }).click();
    await create.getByLabel('Tag key 1').fill('team');
    await create.getByLabel('Tag value 1').fill('security');
    await create.getByRole('button', { name: 'Create key', exact: true }).click();
    const created = create.getByRole('status');
    await expect.poll(() => text(created)).toContain('Key created with alias alias/workshop-app');
    const keyId = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/.exec(await text(created))?.[0];
    expect(keyId).toBeDefined();

    // Open it.
    await create.getByRole('link', { name: 'Open key' }).click();
    await page.getByRole('heading', { level: 1, name: 'alias/workshop-app' }).waitFor();
    const general = page.getByRole('region', { name: 'General configuration' });
    await expect.poll(() => text(general)).toContain(keyId!);
    expect(await text(general)).toContain('Enabled');
    expect(await text(page.getByRole('region', { name: /^Tags/ }))).toContain('security');

    // Encrypt with context {project: alpha}.
    await page.getByRole('link', { name: 'Encrypt with this key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Encrypt / Decrypt' }).waitFor();
    const enc = page.getByRole('region', { name: 'Encrypt', exact: true });
    await enc.getByLabel('KMS key').selectOption({ label: 'alias/workshop-app' });
    await enc.getByLabel('Plaintext').fill(SECRET);
    await fillContext(enc, 'project', 'alpha');
    await enc.getByRole('button', { name: 'Encrypt', exact: true }).click();
    const ciphertextBox = enc.getByLabel('Ciphertext (base64)');
    await ciphertextBox.waitFor();
    const ciphertext = await ciphertextBox.inputValue();
    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);

    // Same context → same text; another context → the plain-words InvalidCiphertextException.
    let dec = await decrypt(page, ciphertext, 'alpha');
    await expect.poll(() => dec.getByLabel('Decrypted text').inputValue()).toBe(SECRET);
    dec = await decrypt(page, ciphertext, 'beta');
    const failure = dec.getByRole('alert');
    await expect.poll(() => text(failure)).toContain(INVALID_CIPHERTEXT);
    expect(await text(failure)).toContain('InvalidCiphertextException');
    expect(await dec.getByLabel('Decrypted text').count()).toBe(0);

    // The key survives a reload (IndexedDB), so the earlier ciphertext still decrypts.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Encrypt / Decrypt' }).waitFor();
    dec = await decrypt(page, ciphertext, 'alpha');
    await expect.poll(() => dec.getByLabel('Decrypted text').inputValue()).toBe(SECRET);

    // Disable the key → Decrypt says so.
    await goTo(page, 'Keys', 'Keys');
    await page.getByRole('link', { name: 'alias/workshop-app' }).click();
    await page.getByRole('button', { name: 'Disable key' }).click();
    await page.getByRole('button', { name: 'Enable key' }).waitFor();
    expect(await text(general)).toContain('Disabled');
    await goTo(page, 'Encrypt / Decrypt', 'Encrypt / Decrypt');
    dec = await decrypt(page, ciphertext, 'alpha');
    await expect.poll(() => text(dec.getByRole('alert'))).toContain('The KMS key is disabled');
    expect(await text(dec.getByRole('alert'))).toContain('DisabledException');

    // Schedule deletion in 7 days → PendingDeletion with its date; cancel → Disabled.
    await goTo(page, 'Keys', 'Keys');
    await page.getByRole('link', { name: 'alias/workshop-app' }).click();
    await page.getByRole('button', { name: 'Schedule key deletion' }).click();
    const schedule = page.getByRole('dialog', { name: 'Schedule key deletion' });
    await schedule.getByLabel('Waiting period (days)').fill('7');
    const expectedDate = await page.evaluate(() =>
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(Date.now() + 7 * 86_400_000),
    );
    expect(await text(schedule)).toContain(expectedDate);
    await schedule.getByLabel('I understand').check();
    await schedule.getByRole('button', { name: 'Schedule deletion' }).click();
    await page.getByRole('button', { name: 'Cancel key deletion' }).waitFor();
    expect(await schedule.isVisible()).toBe(false);
    expect(await text(general)).toContain('PendingDeletion');
    expect(await text(general)).toContain(expectedDate);
    expect(await text(page.getByRole('status').filter({ hasText: 'scheduled for deletion' }))).toContain(expectedDate);
    await page.getByRole('button', { name: 'Cancel key deletion' }).click();
    await page.getByRole('button', { name: 'Enable key' }).waitFor();
    await expect.poll(() => text(general)).toContain('Disabled');
    expect(await text(general)).not.toContain('PendingDeletion');

    // Event history: Encrypt, then the Decrypt calls newest first, failures included.
    await goTo(page, 'Event history', 'Event history');
    const events = page.getByRole('region', { name: 'Events' });
    // By default the console's own Describe/Get/List calls are hidden; unchecking shows them.
    const eventNames = async () =>
      (await events.getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t')[1]!.trim());
    await expect.poll(eventNames).toContain('Encrypt');
    expect((await eventNames()).filter((n) => /^(Describe|Get|List)/.test(n))).toEqual([]);
    await events.getByLabel('Hide Describe, Get and List calls').uncheck();
    await expect.poll(async () => (await eventNames()).some((n) => n === 'DescribeKey')).toBe(true);
    await events.getByLabel('Event name').selectOption('Encrypt');
    await expect.poll(() => resultColumn(page)).toEqual(['Success']);
    await events.getByLabel('Event name').selectOption('Decrypt');
    await expect
      .poll(() => resultColumn(page))
      .toEqual(['DisabledException', 'Success', 'InvalidCiphertextException', 'Success']);
    await events.getByLabel('Errors only').check();
    await expect.poll(() => resultColumn(page)).toEqual(['DisabledException', 'InvalidCiphertextException']);

    // One record as CloudTrail JSON, without the plaintext; Escape closes it.
    await events.getByRole('button', { name: 'Decrypt' }).last().click();
    const record = page.getByRole('dialog', { name: 'Decrypt event' });
    await record.waitFor();
    const json = await text(record);
    expect(json).toContain('"eventName": "Decrypt"');
    expect(json).toContain('"errorCode": "InvalidCiphertextException"');
    expect(json).toContain('"project": "beta"');
    expect(json).not.toContain(SECRET);
    await page.keyboard.press('Escape');
    await record.waitFor({ state: 'hidden' });

    expect(browser.errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('at 360 px in dark mode: no horizontal scroll, dark background, dialog closes with Escape', async () => {
  const browser = await openBrowser({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
  const { page } = browser;
  try {
    await loadApp(page, app.url);
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();

    const opener = page.getByRole('button', { name: 'Create key', exact: true });
    await opener.click();
    const create = page.getByRole('dialog', { name: 'Create key' });
    await create.getByLabel('Description').fill('A key with a rather long description that has to wrap on a phone');
    await create.getByLabel('Alias').fill('phone/narrow-screen-check');
    await create.getByRole('button', { name: 'Create key', exact: true }).click();
    await create.getByRole('status').waitFor();
    await create.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('link', { name: 'alias/phone/narrow-screen-check' }).waitFor();

    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // Escape closes a dialog and focus returns to the button that opened it.
    await opener.click();
    await create.waitFor();
    await page.keyboard.press('Escape');
    await create.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Create key');

    const [r, g, b] = await page.evaluate(() =>
      (getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g) ?? []).map(Number),
    );
    expect(0.2126 * r! + 0.7152 * g! + 0.0722 * b!).toBeLessThan(60);

    for (const link of ['Encrypt / Decrypt', 'Event history']) {
      await goTo(page, link, link);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    }
    expect(browser.errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
