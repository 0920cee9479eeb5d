// User story: lab 2 (separation of duties) run from the Labs page with its own commands through
// `pocketKms.shell`: two IAM users made in the Terminal, the sheet switching identity with their access
// keys, a key policy with an encryption-context condition, a grant and its revoke; the denials explained by
// the policy simulator on the page; and, for each step, a run that skips it leaves that step not done.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../src/labs';
import { useApp } from './harness';

const env = useApp();
const lab = parseLab(readFileSync(resolve(__dirname, '../../src/labs/shipped/separation-of-duties.yaml'), 'utf8'));

const stepRegion = (page: Page, i: number): Locator =>
  page.getByRole('region', { name: new RegExp(`^${i + 1}\\. ${lab.steps[i]!.title.replace(/[()]/g, '\\$&')}`) });

async function status(step: Locator): Promise<string> {
  return (await step.locator('.badge').last().textContent())?.trim() ?? '';
}

const shell = (page: Page, block: string) =>
  page.evaluate((l) => (globalThis as any).pocketKms.shell(l), block) as Promise<{
    stdout: string;
    stderr: string;
    exitCode: number;
  }>;

async function reset(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Reset this lab' }).click();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Lab reset' }).waitFor();
  await page.getByText(`0 of ${lab.steps.length} steps done`).waitFor();
}

describe('lab 2: separation of duties', () => {
  it('runs to completion with its own commands, each step done only after its commands ran', async () => {
    const { page } = env.browser;
    await page.goto(`${env.app.url}/#/labs/${lab.id}`);
    await page.getByRole('heading', { level: 1, name: lab.title }).waitFor();
    await page.getByText(`0 of ${lab.steps.length} steps done`).waitFor();
    const account = await page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    const outputs: string[] = [];
    for (const [i, step] of lab.steps.entries()) {
      const region = stepRegion(page, i);
      expect(await status(region), `step ${i + 1} before its commands`).toBe('Not done yet');
      for (const block of step.commands!) {
        const r = await shell(page, block);
        expect(r.exitCode, `${step.title}: ${r.stderr}`).toBe(0);
        outputs[i] = (outputs[i] ?? '') + r.stdout;
      }
      await region.getByText('Done', { exact: true }).waitFor({ timeout: 15_000 });
      if (i + 1 < lab.steps.length) expect(await status(stepRegion(page, i + 1))).toBe('Not done yet');
      if (step.title === 'Two denials, each explained') {
        // The next step is not done, and it is about the same key: the page explains both denials with
        // the policy simulator, naming the statement that decided and the condition that failed.
        const next = stepRegion(page, i + 1);
        await next
          .getByText(
            /Decrypt failed with AccessDenied: the key policy's statement "DenyAdministratorsCryptoUse" denies it/,
          )
          .waitFor();
        await next
          .getByText(
            /Encrypt failed with AccessDenied: .*statement "KeyUserTenantBlue" would allow it, but its condition StringEquals kms:EncryptionContext:tenant blue does not hold \(the request had green\)/,
          )
          .waitFor();
      }
    }
    await page.getByText('Lab complete, cleanup included.').waitFor();
    // The sheet really switched identity: the calls were made by the two users.
    expect(outputs[1]).toContain(`arn:aws:iam::${account}:user/kms-admin\n`);
    expect(outputs[2]).toBe('EnableIamPolicies\nKeyAdministrators\nKeyUserTenantBlue\nDenyAdministratorsCryptoUse\n');
    expect(outputs[3]).toBe(`arn:aws:iam::${account}:user/kms-user\nblue tenant record\n`);
    expect(outputs[4]).toBe('denied, as it should be\ndenied, as it should be\n');
    expect(outputs[6]).toBe('0\ndenied again\n');
    expect(outputs[7]).toBe('PendingDeletion\n');
  });

  it('leaves each skipped step not done, and the lab incomplete, when the others ran', async () => {
    const { page } = env.browser;
    await page.goto(`${env.app.url}/#/labs/${lab.id}`);
    await page.getByRole('heading', { level: 1, name: lab.title }).waitFor();
    for (let skipped = 0; skipped < lab.steps.length; skipped++) {
      await reset(page);
      let evaluation: { steps: { done: boolean; missing: string[] }[]; complete: boolean } | undefined;
      for (const [i, step] of lab.steps.entries()) {
        if (i === skipped) continue;
        // Later steps may fail for want of the skipped one; the sheet goes on as a person would.
        for (const block of step.commands!) await shell(page, block);
        // A person reads the page between steps: the worker evaluates the lab (as the page's poll does)
        // before the next step's commands can undo what this one's check looks at.
        evaluation = await page.evaluate((l) => (globalThis as any).pocketKms.api.labEvaluate(l), lab);
      }
      const skippedStep = evaluation!.steps[skipped]!;
      expect(skippedStep.done, `step ${skipped + 1} skipped`).toBe(false);
      expect(skippedStep.missing.length).toBeGreaterThan(0);
      expect(evaluation!.complete).toBe(false);
      // The denials depend on no other step and no other step on them: only that one is missing.
      if (lab.steps[skipped]!.title === 'Two denials, each explained')
        expect(evaluation!.steps.map((s) => s.done).filter((d) => !d)).toHaveLength(1);
      // The page says the same.
      const region = stepRegion(page, skipped);
      await region.getByText('The check is still waiting for:').waitFor();
      expect(await status(region)).toBe('Not done yet');
      expect(await page.getByText('Lab complete, cleanup included.').count()).toBe(0);
    }
    // A reset after all that leaves no user behind: the next run can make them again.
    await reset(page);
    const r = await shell(page, 'aws iam list-users --query "Users[].UserName" --output text');
    expect(r.stdout.trim()).toBe('');
  });
});
