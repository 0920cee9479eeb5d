// User story: an attendee does the first two steps of lab 1 and exports their progress as a file; the
// facilitator loads it with a second attendee's file, pastes a third, and sees one table of who did which
// step; a file of a newer format version and a file that is not a progress file are refused, saying why.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../src/labs';
import { seriousViolations } from './axe-scan';
import { useApp } from './harness';

const env = useApp();
const lab = parseLab(readFileSync(resolve(__dirname, '../../src/labs/shipped/kms-basics.yaml'), 'utf8'));
const text = async (l: Locator) => (await l.textContent()) ?? '';
const json = (v: unknown) => ({ name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(v)) });

describe('progress files between attendee and facilitator', () => {
  it('exports an attendee’s progress and shows attendees side by side', async () => {
    const { page } = env.browser;
    await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined);
    await page.evaluate((h) => (location.hash = h), `#/labs/${lab.id}`);
    await page.getByRole('heading', { level: 1, name: lab.title }).waitFor();
    for (const step of lab.steps.slice(0, 2))
      for (const block of step.commands ?? []) {
        const r = await page.evaluate((l) => (globalThis as any).pocketKms.shell(l), block);
        expect(r.exitCode, r.stderr).toBe(0);
      }
    await page.getByText(`2 of ${lab.steps.length} steps done`).waitFor({ timeout: 15_000 });

    const exporter = page.getByRole('region', { name: 'Export my progress' });
    await exporter.getByLabel('Your name').fill('Ada Lovelace');
    const [d] = await Promise.all([
      page.waitForEvent('download'),
      exporter.getByRole('button', { name: 'Export my progress' }).click(),
    ]);
    expect(d.suggestedFilename()).toBe(`progress-${lab.id}-Ada-Lovelace.json`);
    const path = join(tmpdir(), `pocket-kms-progress-${Date.now()}.json`);
    await d.saveAs(path);
    const ada = JSON.parse(readFileSync(path, 'utf8'));
    expect(ada).toMatchObject({
      format: 'pocket-kms-lab-progress',
      version: 1,
      attendee: 'Ada Lovelace',
      complete: false,
    });
    expect(ada.lab.id).toBe(lab.id);
    expect(ada.steps.map((s: { done: boolean }) => s.done)).toEqual(lab.steps.map((_, i) => i < 2));
    expect(ada.steps[2].missing.length).toBeGreaterThan(0);
    // Only the documented fields: no bindings, no hints, no commands' output (the terminal printed the caller's
    // ARN and the key's metadata; the missing lines name key IDs and aliases, identifiers rather than secrets).
    expect(Object.keys(ada).sort()).toEqual([
      'attendee',
      'complete',
      'exportedAt',
      'format',
      'lab',
      'startedAt',
      'steps',
      'version',
    ]);
    expect(JSON.stringify(ada)).not.toMatch(/bindings|hints|stdout|KeyMetadata/);

    // The facilitator's view, on the Labs page.
    await page.evaluate(() => (location.hash = '#/labs'));
    const panel = page.getByRole('region', { name: "Attendees' progress" });
    const grace = {
      ...ada,
      attendee: 'Grace Hopper',
      complete: true,
      steps: ada.steps.map((s: { title: string }) => ({
        title: s.title,
        done: true,
        doneAt: '2026-12-07T10:00:00.000Z',
      })),
    };
    await panel
      .getByLabel('Progress files')
      .setInputFiles([
        json(ada),
        { ...json(grace), name: 'grace.json' },
        { ...json({ ...ada, version: 2 }), name: 'future.json' },
      ]);
    await expect
      .poll(() => text(panel.getByRole('alert')))
      .toContain('future.json is not a progress file this version reads');
    expect(await text(panel.getByRole('alert'))).toContain(
      'version: version 2 was written by a newer Pocket KMS; this one reads version 1',
    );
    const table = panel.getByRole('table');
    await expect.poll(() => text(table.locator('caption'))).toContain(`${lab.title} (${lab.id}): 2 attendee(s)`);
    const row = (name: string) =>
      table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(name) }) });
    expect(await row('Ada Lovelace').getByLabel('done', { exact: true }).count()).toBe(2);
    expect(await row('Ada Lovelace').getByLabel('not done', { exact: true }).count()).toBe(lab.steps.length - 2);
    expect(await text(row('Ada Lovelace'))).toContain(`2 of ${lab.steps.length}`);
    expect(await text(row('Grace Hopper'))).toContain('complete');

    expect(await seriousViolations(page)).toEqual([]);

    // A pasted file adds a third attendee; pasted text that is not a progress file is refused.
    await panel.getByLabel('Or paste a progress file').fill(JSON.stringify({ ...ada, attendee: 'Alan Turing' }));
    await panel.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => text(table.locator('caption'))).toContain('3 attendee(s)');
    await panel.getByLabel('Or paste a progress file').fill('{"format":"pocket-kms-kit"}');
    await panel.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => text(panel.getByRole('alert'))).toContain('format: expected "pocket-kms-lab-progress"');
    expect(env.browser.errors).toEqual([]);
  }, 90_000);
});
