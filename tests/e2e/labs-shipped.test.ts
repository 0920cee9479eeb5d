// User story: an attendee runs each shipped lab other than lab 1 (tests/e2e/labs.test.ts) to completion
// from the Labs page by executing its own commands through `pocketKms.shell`, step by step; each step turns
// done only after its commands ran, and the lab ends complete, cleanup included.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseLab, type Lab } from '../../src/labs';
import { useApp } from './harness';

const env = useApp();
const shipped = (name: string) =>
  parseLab(readFileSync(resolve(__dirname, `../../src/labs/shipped/${name}.yaml`), 'utf8'));

const stepRegion = (page: Page, lab: Lab, i: number): Locator =>
  page.getByRole('region', { name: new RegExp(`^${i + 1}\\. ${lab.steps[i]!.title.replace(/[()]/g, '\\$&')}`) });

async function status(step: Locator): Promise<string> {
  return (await step.locator('.badge').last().textContent())?.trim() ?? '';
}

async function runLab(
  page: Page,
  lab: Lab,
  consoleStep?: (i: number) => Promise<void>,
  outputs: string[] = [],
): Promise<void> {
  await page.goto(`${env.app.url}/#/labs/${lab.id}`);
  await page.getByRole('heading', { level: 1, name: lab.title }).waitFor();
  await page.getByText(`0 of ${lab.steps.length} steps done`).waitFor();
  for (const [i, step] of lab.steps.entries()) {
    const region = stepRegion(page, lab, i);
    await region.getByText('Not done yet').waitFor();
    if (step.commands)
      for (const block of step.commands) {
        const r = await page.evaluate((l) => (globalThis as any).pocketKms.shell(l), block);
        expect(r.exitCode, `${step.title}: ${r.stderr}`).toBe(0);
        outputs[i] = (outputs[i] ?? '') + r.stdout;
      }
    else await consoleStep?.(i);
    await region.getByText('Done', { exact: true }).waitFor({ timeout: 15_000 });
    if (i + 1 < lab.steps.length) expect(await status(stepRegion(page, lab, i + 1))).toBe('Not done yet');
  }
  await page.getByText('Lab complete, cleanup included.').waitFor();
}

describe('the shipped labs run to completion with their own commands', () => {
  it('lab 3: envelope encryption by hand, then the same on the Files page', async () => {
    const { page } = env.browser;
    const lab = shipped('envelope');
    const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-labs-'));
    try {
      await runLab(page, lab, async (i) => {
        expect(lab.steps[i]!.title).toBe('The same with the Files page');
        // The file the Terminal encrypted by hand, now through the Files page as a person would.
        const report = await page.evaluate(() => (globalThis as any).pocketKms.shell('cat report.txt'));
        expect(report.stdout).toBe('Quarterly numbers: 42\n');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Files' }).click();
        await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor();
        await expect
          .poll(() => page.getByLabel('Key', { exact: true }).locator('option').allTextContents())
          .toContain('alias/envelope-lab');
        await page.getByLabel('Key', { exact: true }).selectOption('alias/envelope-lab');
        await page.getByRole('button', { name: 'Add context pair' }).click();
        await page.getByLabel('Context key 1').fill('project');
        await page.getByLabel('Context value 1').fill('envelope-lab');
        await page
          .getByLabel('Choose files')
          .setInputFiles({ name: 'report.txt', mimeType: 'text/plain', buffer: Buffer.from(report.stdout) });
        const save = page.getByRole('link', { name: 'Save report.txt.encrypted', exact: true });
        await save.waitFor({ timeout: 30_000 });
        const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
        const encrypted = join(dir, 'report.txt.encrypted');
        await download.saveAs(encrypted);
        await page.getByLabel('Choose files').setInputFiles(encrypted);
        await page.getByRole('link', { name: 'Save report.txt', exact: true }).waitFor({ timeout: 30_000 });
        await page.goto(`${env.app.url}/#/labs/${lab.id}`);
        await page.getByRole('heading', { level: 1, name: lab.title }).waitFor();
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lab 4: rotation and re-encryption', async () => {
    await runLab(env.browser.page, shipped('rotation'));
  });

  it('lab 5: signing a release artifact, verified with OpenSSL', async () => {
    const outputs: string[] = [];
    await runLab(env.browser.page, shipped('signing'), undefined, outputs);
    expect(outputs[0]).toBe('ECDSA_SHA_256\n');
    expect(outputs[2]).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    // OpenSSL verified the KMS signature from the public key alone, and refused the tampered file, as KMS did.
    expect(outputs[3]).toBe('Verified OK\nVerification failure\ntampered: refused\nKMS refused it too\n');
    expect(outputs[4]).toBe('PendingDeletion\n');
  });

  it('lab 6: audit forensics, with LookupEvents in the Terminal and the trail exported and validated', async () => {
    const { page } = env.browser;
    const lab = shipped('forensics');
    const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-forensics-'));
    const outputs: string[] = [];
    try {
      await runLab(
        page,
        lab,
        async (i) => {
          expect(lab.steps[i]!.title).toBe('Export the trail and validate it');
          await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Event history' }).click();
          await page.getByRole('button', { name: 'Verify trail' }).click();
          await expect.poll(() => page.getByText('Intact').isVisible()).toBe(true);
          const [download] = await Promise.all([
            page.waitForEvent('download'),
            page.getByRole('button', { name: 'Export', exact: true }).click(),
          ]);
          const archive = join(dir, 'trail.tar');
          await download.saveAs(archive);
          await page.getByLabel('Archive (.tar)').setInputFiles(archive);
          await page.getByRole('button', { name: 'Validate', exact: true }).click();
          await expect
            .poll(() => page.getByText(/^Valid: \d+ log files, \d+ digests, digest chain intact$/).isVisible())
            .toBe(true);
          await page.goto(`${env.app.url}/#/labs/${lab.id}`);
          await page.getByRole('heading', { level: 1, name: lab.title }).waitFor();
        },
        outputs,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Who decrypted what: the contractor, the roadmap then the payroll (newest first).
    // (Newest first: the Decrypt calls of the labs run before it in this profile follow.)
    expect(outputs[1]).toMatch(/^contractor\tcontractor(\t|\n)/);
    expect(outputs[1]).toMatch(/\nroadmap\npayroll\n$/);
    expect(outputs[2]).toBe('refused\n');
    expect(outputs[4]).toBe('PendingDeletion\n');
  });
});
