// Demo keys a kit or a lab asks for (ADR 0018; docs/LABS.md "Demo keys"): the person loaded the kit or opened
// the lab, so demo mode is turned on, then each missing demo key is made as the account root (audited
// CreateKey with the `pocket-kms:demo-key` tag) with its alias. One already here by name is kept as it is.
import { rootCaller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import { DEMO_TAG } from '../kms/demo';
import type { LabDemoKey } from '../labs/format';

/** Makes the demo keys of `wanted` that are not here; returns name → key ID for all of them. */
export async function ensureDemoKeys(kms: Kms, wanted: LabDemoKey[]): Promise<Record<string, string>> {
  if (wanted.length === 0) return {};
  const root = rootCaller(kms.keystore, { userAgent: 'pocket-kms-labs' });
  await kms.demo.setMode(true);
  const here = new Map((await kms.demo.status()).keys.map((k) => [k.name, k.keyId]));
  const out: Record<string, string> = {};
  for (const k of wanted) {
    let keyId = here.get(k.name);
    if (!keyId) {
      const made = (await kms.call(
        'CreateKey',
        {
          ...(k.keySpec ? { KeySpec: k.keySpec } : {}),
          ...(k.keyUsage ? { KeyUsage: k.keyUsage } : {}),
          Description: k.description ?? `Demo key ${k.name}`,
          Tags: [{ TagKey: DEMO_TAG, TagValue: k.name }],
        },
        root,
      )) as { KeyMetadata: { KeyId: string } };
      keyId = made.KeyMetadata.KeyId;
    }
    if (k.alias) {
      const { Aliases } = (await kms.call('ListAliases', { KeyId: keyId }, root)) as {
        Aliases: { AliasName: string }[];
      };
      if (!Aliases.some((a) => a.AliasName === k.alias))
        await kms.call('CreateAlias', { AliasName: k.alias, TargetKeyId: keyId }, root);
    }
    out[k.name] = keyId;
  }
  return out;
}
