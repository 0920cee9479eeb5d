// User story: a workshop attendee opens lab 1 (the seed tutorial's section 10) on the Labs page and runs
// each step's commands through the terminal's session (`pocketKms.shell`). Each step's check turns done
// only once its commands have run — the checks read the keystore and the event history, not what was typed
// — progress survives a reload, "Reset this lab" starts again, and a bad lab file is refused with the path of
// its bad field.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../src/labs';
import { useApp } from './harness';

const env = useApp();
const lab = parseLab(readFileSync(resolve(__dirname, '../../src/labs/shipped/kms-basics.yaml'), 'utf8'));

const stepRegion = (page: Page, i: number): Locator =>
  page.getByRole('region', { name: new RegExp(`^${i + 1}\\. ${lab.steps[i]!.title.replace(/[()]/g, '\\$&')}`) });

async function status(step: Locator): Promise<string> {
  return (await step.locator('.badge').last().textContent())?.trim() ?? '';
}

async function shell(page: Page, lines: string) {
  return page.evaluate((l) => (globalThis as any).pocketKms.shell(l), lines) as Promise<{
    stdout: string;
    stderr: string;
    exitCode: number;
  }>;
}

describe('lab 1 on the Labs page', () => {
  it('lists the lab and opens it with every step not done', async () => {
    const { page } = env.browser;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Labs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Labs' }).waitFor();
    await page.getByRole('link', { name: lab.title }).click();
    await page.getByRole('heading', { level: 1, name: lab.title }).waitFor();
    await page.getByText(`0 of ${lab.steps.length} steps done`).waitFor();
    for (let i = 0; i < lab.steps.length; i++) {
      await stepRegion(page, i).getByText('Not done yet').waitFor();
    }
  });

  it('turns each step done only after its own commands ran', async () => {
    const { page } = env.browser;
    for (const [i, step] of lab.steps.entries()) {
      const region = stepRegion(page, i);
      // Not done before its commands: the page has already evaluated every earlier command (the
      // previous step turned done in the same evaluation).
      expect(await status(region), `step ${i + 1} before its commands`).toBe('Not done yet');
      for (const block of step.commands ?? []) {
        const r = await shell(page, block);
        // Step 5 makes the decrypt fail on purpose (a changed encryption context).
        expect(r.exitCode, `${step.title}: ${r.stderr}`).toBe(block.includes('App=other') ? 254 : 0);
      }
      await region.getByText('Done', { exact: true }).waitFor({ timeout: 15_000 });
      if (i + 1 < lab.steps.length) expect(await status(stepRegion(page, i + 1))).toBe('Not done yet');
      await page.getByText(`${i + 1} of ${lab.steps.length} steps done`).waitFor();
    }
    await page.getByText('Lab complete, cleanup included.').waitFor();
  });

  it('keeps the progress across a reload', async () => {
    const { page } = env.browser;
    await page.reload();
    await page.getByRole('heading', { level: 1, name: lab.title }).waitFor();
    await page.getByText(`${lab.steps.length} of ${lab.steps.length} steps done`).waitFor();
    for (let i = 0; i < lab.steps.length; i++) expect(await status(stepRegion(page, i))).toBe('Done');
  });

  it('fits 360 px without horizontal scroll', async () => {
    const { page } = env.browser;
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('resets: progress starts again, and "Run in terminal" runs a step\'s blocks so its check passes', async () => {
    const { page } = env.browser;
    await page.getByRole('button', { name: 'Reset this lab' }).click();
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Lab reset' }).waitFor();
    await page.getByText(`0 of ${lab.steps.length} steps done`).waitFor();
    const first = stepRegion(page, 0);
    await first.getByText('Not done yet').waitFor();
    await first.getByRole('button', { name: 'Run in terminal (step 1)' }).click();
    await first.getByText('Done', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await first.getByRole('log', { name: 'Output of step 1' }).textContent()).toContain('"Account"');
    // The second step's key must be made after the reset: the key of the first run does not count.
    expect(await status(stepRegion(page, 1))).toBe('Not done yet');
  });

  it('leaves a skipped step not done, and the lab incomplete, when every other step ran', async () => {
    const { page } = env.browser;
    const skipped = lab.steps.findIndex((s) => s.title === 'Apply a safer key policy');
    expect(skipped).toBeGreaterThan(0);
    for (const [i, step] of lab.steps.entries()) {
      if (i === 0 || i === skipped) continue; // step 1 ran after the reset
      for (const block of step.commands ?? []) await shell(page, block);
      await stepRegion(page, i).getByText('Done', { exact: true }).waitFor({ timeout: 15_000 });
    }
    expect(await status(stepRegion(page, skipped))).toBe('Not done yet');
    // The check says what is missing: the policy put in this run of the lab.
    await stepRegion(page, skipped)
      .getByText(/a PutKeyPolicy call on key [0-9a-f-]{36} \(\$labKey\) that succeeded/)
      .waitFor();
    await page.getByText(`${lab.steps.length - 1} of ${lab.steps.length} steps done`).waitFor();
    expect(await page.getByText('Lab complete, cleanup included.').count()).toBe(0);
  });

  it('loads a lab from a #/labs?lab= link, and says when the terminal signs for another region', async () => {
    const { page } = env.browser;
    const yaml = [
      'id: from-a-link',
      'title: From a link',
      'summary: A lab that travels in its link.',
      'steps:',
      '  - title: Make a key',
      '    explanation: Any **key**.',
      '    commands: ["aws kms create-key --query KeyMetadata.KeyId --output text"]',
      '    expected: A key.',
      '    check: { kind: keyExists, bind: k }',
      '  - title: Clean up',
      '    cleanup: true',
      '    explanation: Schedule its deletion.',
      '    console: On the key page.',
      '    expected: Pending deletion.',
      '    check: { kind: keyState, key: $k, state: PendingDeletion }',
    ].join('\n');
    const fragment = Buffer.from(yaml).toString('base64url');
    await page.goto(`${env.app.url}/#/labs?lab=${fragment}`);
    await page.getByRole('heading', { level: 1, name: 'From a link' }).waitFor();
    expect(page.url()).toMatch(/#\/labs\/from-a-link$/);
    await page.getByText('This lab was loaded from a file or a link: read each command before you run it.').waitFor();
    const first = page.getByRole('region', { name: /^1\. Make a key/ });
    await first.getByText('Not done yet').waitFor();
    // A region the keystore is not in: SigV4 refuses the call before the trail, so the page says it.
    await shell(page, 'export AWS_REGION=eu-west-1');
    await first.getByRole('button', { name: 'Run in terminal (step 1)' }).click();
    await first
      .getByText(/The terminal signed for region eu-west-1, but this keystore's keys are in us-east-1/)
      .waitFor();
    expect(await status(first)).toBe('Not done yet');
    await shell(page, 'export AWS_REGION=us-east-1');
    await first.getByRole('button', { name: 'Run in terminal (step 1)' }).click();
    await first.getByText('Done', { exact: true }).waitFor({ timeout: 15_000 });
    const keyId = (await first.getByRole('log', { name: 'Output of step 1' }).textContent())!.match(
      /[0-9a-f-]{36}/,
    )![0];

    // Reset schedules the deletion of the key the lab made, and the lab starts again.
    await page.getByRole('button', { name: 'Reset this lab' }).click();
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Lab reset: 1 key(s) scheduled for deletion, 0 alias(es) and 0 bucket(s) deleted.' })
      .waitFor();
    const state = await page.evaluate(
      async (id) => (await (globalThis as any).pocketKms.call('DescribeKey', { KeyId: id })).KeyMetadata.KeyState,
      keyId,
    );
    expect(state).toBe('PendingDeletion');
    await first.getByText('Not done yet').waitFor();
  });

  it('refuses a bad lab file and names the path of the bad field', async () => {
    const { page } = env.browser;
    await page.goto(`${env.app.url}/#/labs`);
    await page.getByRole('heading', { level: 1, name: 'Labs' }).waitFor();
    const bad = {
      id: 'mine',
      title: 'Mine',
      summary: 'x',
      steps: [
        { title: 'a', explanation: 'x', console: 'x', expected: 'x', check: { kind: 'keyExist' } },
        { title: 'b', cleanup: true, explanation: 'x', console: 'x', expected: 'x', check: { kind: 'keyExists' } },
      ],
    };
    await page.getByLabel('Lab file').setInputFiles({
      name: 'mine.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(bad)),
    });
    await page
      .getByRole('alert')
      .getByText('steps[0].check.kind: unknown check "keyExist"; did you mean "keyExists"?')
      .waitFor();
    bad.steps[0]!.check.kind = 'keyExists';
    await page.getByLabel('Lab file').setInputFiles({
      name: 'mine.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(bad)),
    });
    await page.getByRole('heading', { level: 1, name: 'Mine' }).waitFor();
    // The one failed call is the decrypt step 5 makes fail on purpose (/kms answers 400).
    expect(env.browser.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });
});
