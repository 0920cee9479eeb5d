// User story: an attendee runs each shipped lab other than lab 1 (tests/e2e/labs.test.ts) to completion
// from the Labs page by executing its own commands through `pocketKms.shell`, step by step; each step turns
// done only after its commands ran, and the lab ends complete, cleanup included.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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

async function runLab(page: Page, lab: Lab, consoleStep?: (i: number) => Promise<void>): Promise<void> {
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
      }
    else await consoleStep?.(i);
    await region.getByText('Done', { exact: true }).waitFor({ timeout: 15_000 });
    if (i + 1 < lab.steps.length) expect(await status(stepRegion(page, lab, i + 1))).toBe('Not done yet');
  }
  await page.getByText('Lab complete, cleanup included.').waitFor();
}

describe('the shipped labs run to completion with their own commands', () => {
  it('lab 4: rotation and re-encryption', async () => {
    await runLab(env.browser.page, shipped('rotation'));
  });
});
