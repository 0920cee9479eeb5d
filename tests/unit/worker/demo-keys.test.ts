// Demo keys a lab file asks for (src/worker/demo-keys.ts, docs/LABS.md "Demo keys"): opening the lab turns demo
// mode on and makes each missing one with its alias; a second time changes nothing; the key ID is the name's.
import { describe, expect, it } from 'vitest';
import { demoKeyId } from '../../../src/kms/demo';
import { ensureDemoKeys } from '../../../src/worker/demo-keys';
import { freshKms, utf8 } from '../helpers/kms';

describe('ensureDemoKeys', () => {
  it('makes the lab’s demo keys and aliases once, in demo mode', async () => {
    const f = await freshKms();
    const wanted = [
      { name: 'lab-sym', alias: 'alias/lab-sym' },
      { name: 'lab-mac', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', alias: 'alias/lab-mac' },
    ];
    const ids = await ensureDemoKeys(f.kms, wanted);
    expect(ids).toEqual({ 'lab-sym': demoKeyId('lab-sym'), 'lab-mac': demoKeyId('lab-mac') });
    expect((await f.kms.demo.status()).mode).toBe(true);
    expect(await ensureDemoKeys(f.kms, wanted)).toEqual(ids);
    expect((await f.call('ListKeys', {})).Keys).toHaveLength(2);
    const d = await f.call('DescribeKey', { KeyId: 'alias/lab-sym' });
    expect(d.KeyMetadata).toMatchObject({ KeyId: ids['lab-sym'], Description: '[INSECURE DEMO KEY] Demo key lab-sym' });
    const mac = await f.call('GenerateMac', {
      KeyId: 'alias/lab-mac',
      Message: utf8('m'),
      MacAlgorithm: 'HMAC_SHA_256',
    });
    expect(mac.Mac).toHaveLength(32);
  });
});
