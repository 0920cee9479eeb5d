// User story: on the Buckets page a person creates a bucket, sets its default encryption to SSE-KMS with
// the lab's alias, uploads a file, sees it encrypted under the key, downloads it back, and deletes both.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAliasedKeys, useApp } from './harness';

const env = useApp();

describe('the Buckets page', () => {
  it('creates a bucket with default SSE-KMS, uploads, lists, downloads and deletes', async () => {
    const { page } = env.browser;
    await createAliasedKeys(page, [{ alias: 'alias/page-lab', description: 'Buckets page key' }]);
    const arn = await page.evaluate(
      async () =>
        (await (globalThis as any).pocketKms.call('DescribeKey', { KeyId: 'alias/page-lab' })).KeyMetadata.Arn,
    );
    await page.getByRole('link', { name: 'Buckets' }).click();
    await page.getByLabel('Bucket name').fill('page-lab-bucket');
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.getByText('Bucket page-lab-bucket created.').waitFor();
    await page.getByRole('button', { name: 'page-lab-bucket', exact: true }).click();

    await page.getByLabel('Encryption type').selectOption('aws:kms');
    await page.getByLabel('KMS key (key ID, ARN or alias)').fill('alias/page-lab');
    await page.getByRole('button', { name: 'Save encryption' }).click();
    await page.getByText('Default encryption saved.').waitFor();
    await page.getByRole('cell', { name: 'SSE-KMS with alias/page-lab' }).waitFor();

    const content = 'uploaded from the Buckets page\n'.repeat(1000);
    await page
      .getByLabel('Upload a file')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText('notes.txt uploaded.').waitFor();
    await page.getByRole('cell', { name: `SSE-KMS with ${arn}` }).waitFor();

    const [d] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download notes.txt' }).click(),
    ]);
    expect(d.suggestedFilename()).toBe('notes.txt');
    expect(readFileSync((await d.path())!, 'utf8')).toBe(content);

    await page.getByRole('button', { name: 'Delete bucket page-lab-bucket' }).click();
    await page.getByText('The bucket you tried to delete is not empty').waitFor();
    await page.getByRole('button', { name: 'Delete notes.txt' }).click();
    await page.getByText('notes.txt deleted.').waitFor();
    await page.getByRole('button', { name: 'Delete bucket page-lab-bucket' }).click();
    await page.getByText('Bucket page-lab-bucket deleted.').waitFor();
    expect(env.browser.errors).toEqual([]);
  });
});
