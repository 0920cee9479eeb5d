// User story: an auditor verifies the stored trail, exports it as CloudTrail log files with signed
// digests, checks the archive outside the browser with the downloaded public key, validates it in
// the console, and sees a tampered copy rejected at the right file.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromPem } from '../../src/format/bytes';
import { gunzip, gzip } from '../../src/kms/audit/digest';
import { readTar, tarEnd, tarEntry, type TarMember } from '../../src/kms/audit/tar';
import { validateExport } from '../../src/kms/audit/validate';
import { useApp } from './harness';

const env = useApp();

async function* once(b: Uint8Array) {
  yield b;
}

async function members(bytes: Uint8Array): Promise<TarMember[]> {
  const out: TarMember[] = [];
  for await (const m of readTar(once(bytes))) out.push({ path: m.path, bytes: m.bytes.slice() });
  return out;
}

async function save(click: () => Promise<void>): Promise<{ name: string; bytes: Uint8Array }> {
  const [d] = await Promise.all([env.browser.page.waitForEvent('download'), click()]);
  const path = join(tmpdir(), `pocket-kms-dl-${Date.now()}-${d.suggestedFilename()}`);
  await d.saveAs(path);
  return { name: d.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

describe('audit export', () => {
  it('verifies the trail, exports CloudTrail files with digests, and validates them inside and outside the browser', async () => {
    const page = env.browser.page;
    await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined);
    await page.evaluate(async () => {
      const k = (globalThis as any).pocketKms;
      const { KeyMetadata } = await k.call('CreateKey', { Description: 'audited' });
      for (let i = 0; i < 5; i++) await k.call('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array([i]) });
    });
    await page.goto(`${env.app.url}/#/events`);
    await page.getByRole('button', { name: 'Verify trail' }).click();
    await expect.poll(() => page.getByText('Intact').isVisible()).toBe(true);

    const tar = await save(() => page.getByRole('button', { name: 'Export', exact: true }).click());
    expect(tar.name).toMatch(/^pocket-kms-audit-\d{12}-us-east-1-\d{8}T\d{6}Z\.tar$/);
    const pem = await save(() => page.getByRole('button', { name: 'Download public key' }).click());
    const der = await save(() => page.getByRole('button', { name: 'Download the public key as DER' }).click());
    expect(der.name).toMatch(/\.der$/);
    expect([...der.bytes]).toEqual([...fromPem(new TextDecoder().decode(pem.bytes))]);
    const ms = await members(tar.bytes);
    expect(ms.some((m) => m.path.includes('/CloudTrail-Digest/'))).toBe(true);
    const outside = await validateExport(ms, fromPem(new TextDecoder().decode(pem.bytes)));
    expect(outside).toMatchObject({ valid: true, chain: 'intact', keySource: 'given' });
    const names: string[] = [];
    for (const m of ms.filter((x) => x.path.includes('/CloudTrail/')))
      names.push(...JSON.parse(new TextDecoder().decode(await gunzip(m.bytes))).Records.map((r: any) => r.eventName));
    expect(names.filter((n) => n === 'Encrypt')).toHaveLength(5);
    expect(JSON.stringify(names)).not.toContain('Plaintext');

    // Validate in the console: the intact archive, then one with an edited log file.
    const good = join(tmpdir(), `pocket-kms-good-${Date.now()}.tar`);
    writeFileSync(good, tar.bytes);
    await page.getByLabel('Archive (.tar)').setInputFiles(good);
    await page.getByRole('button', { name: 'Validate', exact: true }).click();
    await expect
      .poll(() => page.getByText(/^Valid: \d+ log files, \d+ digests, digest chain intact$/).isVisible())
      .toBe(true);

    const log = ms.find((m) => m.path.includes('/CloudTrail/'))!;
    const body = JSON.parse(new TextDecoder().decode(await gunzip(log.bytes)));
    body.Records[0].sourceIPAddress = '203.0.113.9';
    log.bytes = await gzip(new TextEncoder().encode(JSON.stringify(body)));
    const bad = join(tmpdir(), `pocket-kms-bad-${Date.now()}.tar`);
    writeFileSync(bad, new Uint8Array([...ms.flatMap((m) => [...tarEntry(m.path, m.bytes)]), ...tarEnd()]));
    await page.getByLabel('Archive (.tar)').setInputFiles(bad);
    await page.getByRole('button', { name: 'Validate', exact: true }).click();
    await expect.poll(() => page.getByText(/^Not valid:/).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('cell', { name: log.path }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('cell', { name: 'modified' }).isVisible()).toBe(true);
  });

  it('exports JSON Lines and CSV filtered by event name', async () => {
    const page = env.browser.page;
    await page.getByLabel('Format').selectOption('jsonl');
    await page.getByLabel('Event name', { exact: true }).last().selectOption('Encrypt');
    const jsonl = await save(() => page.getByRole('button', { name: 'Export', exact: true }).click());
    const lines = new TextDecoder()
      .decode(jsonl.bytes)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(new Set(lines.map((l) => l.eventName))).toEqual(new Set(['Encrypt']));
    await page.getByLabel('Format').selectOption('csv');
    const csv = await save(() => page.getByRole('button', { name: 'Export', exact: true }).click());
    expect(csv.name).toMatch(/\.csv$/);
    expect(new TextDecoder().decode(csv.bytes).split('\r\n')[0]).toMatch(/^eventTime,eventName,/);
  });

  it('trims exported records by retention, audits the trim, and the trail still verifies', async () => {
    const page = env.browser.page;
    const region = page.getByRole('region', { name: 'Retention' });
    await region.getByLabel('Keep').selectOption('records');
    await region.getByLabel('Records').fill('3');
    await region.getByRole('button', { name: 'Save retention' }).click();
    await expect.poll(() => region.getByText('Retention saved.').isVisible()).toBe(true);
    // The first test's unfiltered export covered the trail up to then: those records may go without asking.
    const del = region.getByRole('button', { name: /^Delete \d+ records now$/ });
    const label = (await del.textContent())!;
    expect(Number(/\d+/.exec(label)![0])).toBeGreaterThan(0);
    await del.click();
    await expect
      .poll(() => region.getByText(/^Deleted \d+ records; the trail now starts after record \d+\.$/).isVisible())
      .toBe(true);
    const last = await page.evaluate(
      async () => (await (globalThis as any).pocketKms.api.auditEvents({ limit: 1 }))[0],
    );
    expect(last.eventName).toBe('DeleteAuditRecords');
    await page.getByRole('button', { name: 'Verify trail' }).click();
    await expect.poll(() => page.getByText(/link up unbroken/).isVisible()).toBe(true);
    await expect.poll(() => page.getByText(/The trail starts after record \d+ \(trimmed\)/).isVisible()).toBe(true);
  });

  it('browses a long trail: only the rows in view are in the page, more load on scroll, filters use indexes', async () => {
    const page = env.browser.page;
    // 20,000 real calls (the bench's synthetic records are not in the production build), 250 in flight.
    await page.evaluate(async () => {
      const kms = (globalThis as any).pocketKms;
      await kms.api.setAuditRetention({ mode: 'all' });
      for (let i = 0; i < 20_000; i += 250)
        await Promise.all(Array.from({ length: 250 }, () => kms.call('GenerateRandom', { NumberOfBytes: 1 })));
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const events = page.getByRole('region', { name: 'Events' });
    const rows = () => events.getByRole('row').count();
    await expect.poll(rows).toBeGreaterThan(10);
    expect(await rows()).toBeLessThan(60);
    const viewport = events.locator('.events-viewport');
    for (let i = 0; i < 6; i++) {
      await viewport.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(150);
    }
    // Several pages are loaded (the scroll height grew), but the page still holds a window of rows.
    expect(await viewport.evaluate((el) => el.scrollHeight)).toBeGreaterThan(5000);
    expect(await rows()).toBeLessThan(60);
    await expect
      .poll(async () => (await events.getByRole('row').last().getAttribute('aria-rowindex')) ?? '0')
      .not.toBe('0');
    // A filter on a rare event answers from the event-name index, not a scan of 20,000 records.
    await page.getByLabel('Event name', { exact: true }).first().selectOption('CreateKey');
    await expect
      .poll(async () => (await events.getByRole('row').allInnerTexts()).slice(1).every((r) => r.includes('CreateKey')))
      .toBe(true);
    await page.getByRole('button', { name: 'Verify trail' }).click();
    await expect.poll(() => page.getByText(/link up unbroken/).isVisible(), { timeout: 60_000 }).toBe(true);
  });
});
