// User story: the lab sheet "a central security account, both ways" of docs/AUTHORIZATION.md, run as written in
// the terminal: the first account's central key used by the application account's user by ARN, and the
// application account's own key (same alias name) described and used by the security account. The header's account
// switcher changes account between the sheet's blocks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shell, useApp } from './harness';

const env = useApp();
const B = '222233334444';

/** The lab's `sh` blocks, in order, each with the account its first line names. */
function labBlocks(): { account: string; script: string }[] {
  const doc = readFileSync('docs/AUTHORIZATION.md', 'utf8');
  const start = doc.indexOf('### Lab: a central security account, both ways');
  const section = doc.slice(start, doc.indexOf('\n## ', start));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => ({
    account: /^# Account: (.+)$/m.exec(m[1]!)![1]!,
    script: m[1]!,
  }));
}

describe('the central security account lab', () => {
  it('runs as written, both ways round', async () => {
    const { page } = env.browser;
    await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
    const A = await page.evaluate(() => (globalThis as any).pocketKms.info.accountId as string);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identities' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.getByLabel('Account name').fill('Applications');
    await dialog.getByLabel('Account ID (optional)').fill(B);
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const switcher = page.getByRole('banner').getByLabel('Account', { exact: true });

    const blocks = labBlocks();
    expect(blocks.map((b) => b.account)).toEqual(['Main account', 'Applications', 'Main account']);
    const outputs: string[] = [];
    for (const block of blocks) {
      const account = block.account === 'Applications' ? B : A;
      await switcher.selectOption({ value: account });
      await expect
        .poll(() => page.evaluate(() => (globalThis as any).pocketKms.info.caller.arn as string))
        .toBe(`arn:aws:iam::${account}:root`);
      const out = await shell(page, block.script);
      expect(out.stderr).toBe('');
      outputs.push(out.stdout);
    }
    expect(outputs).toEqual([
      `central key in ${A}\n`,
      `own keys: 1\n${A}\nby key ID: not in this account\ndisable-key: not a cross-account operation\n`,
      `${B}\nreport\nalias/data: central\n`,
    ]);

    // In the application account the console's trail is that account's: its callers' events and those on its keys
    // (the security account's Decrypt of the report included), not the security account's own.
    await switcher.selectOption({ value: B });
    await expect.poll(() => page.evaluate(() => (globalThis as any).pocketKms.info.caller.accountId as string)).toBe(B);
    const rows = (await page.evaluate(() => (globalThis as any).pocketKms.api.auditEvents({ limit: 500 }))) as {
      eventName: string;
      record: { userIdentity: { accountId?: string }; resources?: { accountId: string }[] };
    }[];
    const mine = (r: (typeof rows)[number]) =>
      r.record.userIdentity.accountId === B || (r.record.resources ?? []).some((x) => x.accountId === B);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every(mine)).toBe(true);
    expect(rows.some((r) => r.eventName === 'Decrypt' && r.record.userIdentity.accountId === A)).toBe(true);
    expect(rows.filter((r) => r.eventName === 'CreateKey')).toHaveLength(1);
  });
});
