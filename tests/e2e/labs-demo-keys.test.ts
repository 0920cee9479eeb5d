// User story (ADR 0018, docs/LABS.md "Demo keys"): a facilitator turns demo mode on in Settings, makes two demo
// keys in the Terminal and exports a kit; two attendees in fresh profiles load it and run the sheet's commands:
// every output matches the sheet, which is computed here with Node's crypto from the published derivation.
// The banner and the keys' notes say they are insecure demo keys, and the page with the banner passes axe.
import { createCipheriv, createHmac, hkdfSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe-scan';
import { loadApp, openBrowser, shell, useApp } from './harness';

const env = useApp();

const SEED = 'Pocket KMS demo keys: published material, insecure, for workshops only';
const hkdf = (info: string, n: number) => Buffer.from(hkdfSync('sha256', SEED, 'pocket-kms/demo-keys/v1', info, n));
function demoKeyId(name: string): string {
  const b = hkdf(`key-id/${name}`, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const MESSAGE = 'hello, workshop';
/** The sheet: what every attendee's commands print, computed outside Pocket KMS. */
function sheet(): string {
  const keyId = demoKeyId('workshop');
  const head = Buffer.concat([
    Buffer.from([1, 0]),
    Buffer.from(keyId.replaceAll('-', ''), 'hex'),
    Buffer.from([0, 0, 0, 1]),
  ]);
  // The canonical encryption context {project: lab} (docs/FORMAT.md): count, then length-prefixed key and value.
  const ec = Buffer.concat([
    Buffer.from([0, 1, 0, 7]),
    Buffer.from('project'),
    Buffer.from([0, 3]),
    Buffer.from('lab'),
  ]);
  const pt = Buffer.from(MESSAGE);
  const iv = createHmac('sha256', hkdf('iv/workshop', 32)).update(head).update(ec).update(pt).digest().subarray(0, 12);
  const gcm = createCipheriv('aes-256-gcm', hkdf('material/SYMMETRIC_DEFAULT/workshop', 32), iv);
  gcm.setAAD(Buffer.concat([head, iv, ec]));
  const blob = Buffer.concat([head, iv, gcm.update(pt), gcm.final(), gcm.getAuthTag()]);
  const mac = createHmac('sha256', hkdf('material/HMAC_256/workshop-mac', 32)).update(pt).digest();
  return `${keyId}\t[INSECURE DEMO KEY] Workshop key\n${blob.toString('base64')}\n${mac.toString('base64')}\n`;
}

const SHEET_COMMANDS = `printf '${MESSAGE}' > msg.txt
aws kms describe-key --key-id alias/workshop --query 'KeyMetadata.[KeyId,Description]' --output text
aws kms encrypt --key-id alias/workshop --plaintext fileb://msg.txt --encryption-context project=lab --query CiphertextBlob --output text
aws kms generate-mac --key-id alias/workshop-mac --message fileb://msg.txt --mac-algorithm HMAC_SHA_256 --query Mac --output text`;

const DEMO_KEYS = `set -e
aws kms create-key --description "Workshop key" --tags TagKey=pocket-kms:demo-key,TagValue=workshop --query KeyMetadata.KeyId --output text > k1
aws kms create-alias --alias-name alias/workshop --target-key-id "$(cat k1)"
aws kms create-key --key-spec HMAC_256 --key-usage GENERATE_VERIFY_MAC --tags TagKey=pocket-kms:demo-key,TagValue=workshop-mac --query KeyMetadata.KeyId --output text > k2
aws kms create-alias --alias-name alias/workshop-mac --target-key-id "$(cat k2)"
echo ok`;

const ready = (page: Page) =>
  page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });

describe('demo keys in a workshop', () => {
  it('gives every attendee the sheet’s outputs, marked everywhere as insecure demo keys', async () => {
    const facilitator = env.browser.page;
    await ready(facilitator);
    // Without demo mode, CreateKey from the terminal refuses a demo key.
    const refused = await shell(facilitator, DEMO_KEYS);
    expect(refused.stderr).toContain('UnsupportedOperationException');
    await facilitator.goto(`${env.app.url}/#/settings`);
    await facilitator.getByLabel(/Demo mode: let CreateKey/).check();
    await facilitator.getByRole('region', { name: 'Insecure demo keys' }).getByText('Demo mode is on').waitFor();
    const made = await shell(facilitator, DEMO_KEYS);
    expect(made.stderr).toBe('');
    expect(made.stdout).toBe('ok\n');
    const expected = sheet();
    expect((await shell(facilitator, SHEET_COMMANDS)).stdout).toBe(expected);

    await facilitator.goto(`${env.app.url}/#/labs`);
    const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-demo-kit-'));
    try {
      const [download] = await Promise.all([
        facilitator.waitForEvent('download'),
        facilitator.getByRole('button', { name: 'Export a kit' }).click(),
      ]);
      const file = join(dir, 'kit.json');
      await download.saveAs(file);
      for (let i = 0; i < 2; i++) {
        const attendee = await openBrowser();
        try {
          await loadApp(attendee.page, env.app.url);
          await ready(attendee.page);
          await attendee.page.goto(`${env.app.url}/#/labs`);
          await attendee.page.getByLabel('Load a kit').setInputFiles(file);
          await attendee.page.getByRole('status').filter({ hasText: 'Kit loaded:' }).waitFor();
          const run = await shell(attendee.page, SHEET_COMMANDS);
          expect(run.stderr).toBe('');
          expect(run.stdout).toBe(expected);
          // Marked everywhere: the banner names both, the key list and the key's page carry the note.
          await attendee.page.goto(`${env.app.url}/#/keys`);
          const banner = attendee.page.getByRole('region', { name: 'Insecure demo keys' });
          await banner.getByText('This keystore holds 2 demo keys').waitFor();
          await expect.poll(() => attendee.page.getByText('Insecure demo key', { exact: true }).count()).toBe(2);
          if (i === 0) expect(await seriousViolations(attendee.page)).toEqual([]);
          await attendee.page.goto(`${env.app.url}/#/keys/${demoKeyId('workshop')}`);
          await attendee.page.getByRole('note').getByText('Insecure demo key “workshop”.').waitFor();
        } finally {
          await attendee.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a lab file’s demoKeys when the lab opens, so its command prints the sheet’s MAC', async () => {
    const yaml = [
      'id: demo-mac',
      'title: Demo MAC',
      'summary: A lab with a demo key.',
      'demoKeys:',
      '  - { name: lab-mac, keySpec: HMAC_256, keyUsage: GENERATE_VERIFY_MAC, alias: alias/lab-mac }',
      'steps:',
      '  - title: MAC a message',
      '    explanation: The sheet prints the MAC.',
      `    commands: ["printf '${MESSAGE}' > msg.txt"]`,
      '    expected: The MAC on the sheet.',
      '    check: { kind: keyExists, alias: alias/lab-mac, bind: m }',
      '  - title: Clean up',
      '    cleanup: true',
      '    explanation: Schedule its deletion.',
      '    console: On the key page.',
      '    expected: Pending deletion.',
      '    check: { kind: keyState, key: $m, state: PendingDeletion }',
    ].join('\n');
    const attendee = await openBrowser();
    try {
      await loadApp(attendee.page, env.app.url);
      await ready(attendee.page);
      await attendee.page.goto(`${env.app.url}/#/labs?lab=${Buffer.from(yaml).toString('base64url')}`);
      await attendee.page.getByRole('heading', { level: 1, name: 'Demo MAC' }).waitFor();
      await attendee.page.getByRole('region', { name: 'Insecure demo keys' }).getByText('lab-mac').waitFor();
      const run = await shell(
        attendee.page,
        `printf '${MESSAGE}' > msg.txt
aws kms generate-mac --key-id alias/lab-mac --message fileb://msg.txt --mac-algorithm HMAC_SHA_256 --query Mac --output text
aws kms describe-key --key-id alias/lab-mac --query KeyMetadata.KeyId --output text`,
      );
      expect(run.stderr).toBe('');
      const mac = createHmac('sha256', hkdf('material/HMAC_256/lab-mac', 32)).update(MESSAGE).digest('base64');
      expect(run.stdout).toBe(`${mac}\n${demoKeyId('lab-mac')}\n`);
    } finally {
      await attendee.close();
    }
  });
});
