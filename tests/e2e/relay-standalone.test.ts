// User story (issue 18): without `npm start`, a developer serves a built copy with `npx pocket-kms-relay dist`
// (relay/cli.js), opens it, allows the relay, and calls it from the AWS SDK for JavaScript in Node.
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveWithRelay } from '../../relay/cli.js';
import { createAccessKey, loadApp, openBrowser, type Browser } from './harness';

let app: { url: string; close(): Promise<unknown> };
let browser: Browser;

beforeAll(async () => {
  app = await serveWithRelay({ dist: 'dist', port: 0 });
  browser = await openBrowser();
  await loadApp(browser.page, app.url);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

it('serves the built app with its CSP, and relays an SDK call once the switch is on', async () => {
  const page = browser.page;
  const csp = await page.evaluate(async () => (await fetch('/')).headers.get('content-security-policy'));
  expect(csp).toContain("connect-src 'self'");
  const { accessKeyId, secretAccessKey } = await createAccessKey(page);
  const region = await page.evaluate(() => (globalThis as any).pocketKms.info.region as string);
  await page.goto(`${app.url}/#/settings`);
  await page.getByLabel('Allow the local relay').check();
  await expect.poll(() => page.getByTestId('relay-status').isVisible()).toBe(true);
  const kms = new KMSClient({ endpoint: `${app.url}/kms`, region, credentials: { accessKeyId, secretAccessKey } });
  expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
  await expect.poll(async () => page.getByTestId('relay-status').textContent()).toContain('1 relayed');
});
