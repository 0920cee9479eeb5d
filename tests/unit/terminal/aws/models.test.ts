// The committed CLI tables (src/terminal/aws/models/*.json) are what scripts/gen-cli-models.js makes
// from the installed AWS SDK; an SDK upgrade that changes the model fails here until they are regenerated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCliModels } from '../../../../scripts/gen-cli-models.js';
import { SERVICES, structure, xformName } from '../../../../src/terminal/aws/model';

const DIR = join(__dirname, '../../../../src/terminal/aws/models');

describe('CLI models', () => {
  it('match what the generator makes from the installed SDK (run `node scripts/gen-cli-models.js`)', () => {
    for (const [name, text] of Object.entries(generateCliModels()))
      expect(JSON.parse(readFileSync(join(DIR, name), 'utf8')), name).toEqual(JSON.parse(text));
  });

  it('give the lab its option names, types and required flags', () => {
    const kms = SERVICES.kms!;
    const members = (op: string) => structure(kms, kms.operations[op]!.input!);
    expect(Object.keys(members('Encrypt').members).map(xformName)).toEqual([
      'key-id',
      'plaintext',
      'encryption-context',
      'grant-tokens',
      'encryption-algorithm',
      'dry-run',
    ]);
    expect(members('Encrypt').required).toEqual(['KeyId', 'Plaintext']);
    expect(members('ScheduleKeyDeletion').members.PendingWindowInDays).toEqual({ t: 'integer' });
    expect(members('CreateKey').members.Tags).toEqual({ t: 'list', m: { t: 'structure', ref: 'Tag' } });
    expect(members('Encrypt').members.EncryptionContext).toEqual({ t: 'map', v: { t: 'string' } });
    const s3 = SERVICES.s3api!;
    const put = structure(s3, s3.operations.PutObject!.input!);
    expect(put.members.Body).toEqual({ t: 'blob', streaming: true });
    expect(put.members.ContentLength).toEqual({ t: 'long' });
    expect(Object.keys(put.members).map(xformName)).toContain('ssekms-key-id');
    expect(Object.keys(put.members).map(xformName)).toContain('content-md5');
    expect(kms.operations.ListKeys!.paginator).toEqual({
      input: 'Marker',
      output: 'NextMarker',
      limit: 'Limit',
      results: ['Keys'],
    });
  });

  it('name options as botocore xform_name does', () => {
    expect(
      ['SSEKMSKeyId', 'ContentMD5', 'ListObjectsV2', 'SSECustomerKeyMD5', 'ChecksumCRC32C', 'GrantTokens'].map(
        xformName,
      ),
    ).toEqual([
      'ssekms-key-id',
      'content-md5',
      'list-objects-v2',
      'sse-customer-key-md5',
      'checksum-crc32-c',
      'grant-tokens',
    ]);
    expect(xformName('KeyARNs')).toBe('key-arns');
  });
});
