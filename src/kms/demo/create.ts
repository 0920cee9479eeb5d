// CreateKey of a demo key (ADR 0018): asked for with the tag `pocket-kms:demo-key` = <name>, made only while demo
// mode is on (the console's switch; a kit that holds demo keys turns it on when the person loads it). Its key ID
// and material derive from the published seed and the name (derive.ts); everything else is an ordinary key.
import type { OpContext } from '../context';
import { AlreadyExistsException, UnsupportedOperationException, ValidationException } from '../errors';
import { keyArn } from '../ids';
import { checkPolicyDocument, defaultKeyPolicy } from '../authz';
import { materialFromBytes } from '../import';
import { SPECS } from '../asymmetric';
import type { KeyRecord, KeyUsage, MaterialRecord, Tag } from '../records';
import { optString, type Req } from '../validate';
import { lockoutCheck } from '../ops/policies';
import { mergeTags, readTags } from '../ops/tags';
import { keyMetadata } from '../ops/metadata';
import {
  DEMO_DESCRIPTION_PREFIX,
  DEMO_NAME,
  DEMO_SPECS,
  DEMO_TAG,
  demoDescription,
  demoKeyId,
  demoMaterial,
  type DemoSpec,
} from './derive';

/** Meta record: whether this keystore accepts demo keys from CreateKey (the console's switch). */
export const DEMO_MODE_META = 'demo-mode';

/** The demo key name a CreateKey request asks for (its `pocket-kms:demo-key` tag), if any. */
export function demoKeyName(req: Req): string | undefined {
  const tags = Array.isArray(req.Tags) ? (req.Tags as Partial<Tag>[]) : [];
  return tags.find((t) => t?.TagKey === DEMO_TAG)?.TagValue;
}

const refuseUnlessDemoMode = (on: unknown) => {
  if (on !== true)
    throw new UnsupportedOperationException(
      `Demo keys (tag ${DEMO_TAG}) have published, insecure key material: this keystore makes them only while demo mode is on (Settings, or loading a kit that holds demo keys).`,
    );
};

/**
 * Creates the demo key `name` (CreateKey's fields: KeySpec, KeyUsage, Description, Policy, Tags).
 * @throws UnsupportedOperationException (demo mode off, a spec without a demo derivation, Origin, MultiRegion,
 * CustomKeyStoreId); ValidationException (the name); AlreadyExistsException (the demo key is here already)
 */
export async function createDemoKey(c: OpContext, req: Req, name: string) {
  if (!DEMO_NAME.test(name))
    throw new ValidationException(
      `Tag ${DEMO_TAG} names a demo key: 1 to 63 lowercase letters, digits and "-", starting with a letter or digit; got '${name.slice(0, 80)}'.`,
    );
  const spec = (req.KeySpec ?? req.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as DemoSpec;
  if (!(DEMO_SPECS as readonly string[]).includes(spec))
    throw new UnsupportedOperationException(
      `A demo key's material is derived from its name for ${DEMO_SPECS.join(', ')} only; ${String(spec)} is not offered.`,
    );
  const usage = (req.KeyUsage ?? 'ENCRYPT_DECRYPT') as KeyUsage;
  if (!SPECS[spec].usages.includes(usage))
    throw new ValidationException(
      `KeyUsage ${usage} is not compatible with KeySpec ${spec}; use ${SPECS[spec].usages.join(' or ')}.`,
    );
  if ((req.Origin ?? 'AWS_KMS') !== 'AWS_KMS' || req.MultiRegion === true || req.CustomKeyStoreId !== undefined)
    throw new UnsupportedOperationException(
      'A demo key has Origin AWS_KMS, is single-Region and in no custom key store.',
    );
  const description = demoDescription(optString(req, 'Description', 0, 8192 - DEMO_DESCRIPTION_PREFIX.length) ?? '');
  const policy = optString(req, 'Policy', 1, 131072);
  if (policy !== undefined) checkPolicyDocument(policy);
  const tags = mergeTags([], readTags(req) ?? [], 'The new key');

  const keyId = demoKeyId(name);
  const bytes = await demoMaterial(spec, name);
  let material: MaterialRecord;
  try {
    const target = { keyId, keySpec: spec, keyUsage: usage };
    const base = { keyId, version: 1, createdAt: c.now };
    ({ material } = await materialFromBytes(bytes, target, base, c.env.custodian.roots(), (n) =>
      c.env.random.bytes(n),
    ));
  } finally {
    bytes.fill(0);
  }
  // Symmetric material remembers the name: sealing derives its nonce from it (sealing.ts, derive.ts demoIv).
  if (!material.kind) material = { ...material, demo: name };
  const key: KeyRecord = {
    keyId,
    arn: keyArn(c.ks, keyId),
    createdAt: c.now,
    description,
    keyUsage: usage,
    keySpec: spec,
    origin: 'AWS_KMS',
    state: 'Enabled',
    tags,
    policy: policy ?? defaultKeyPolicy(c.ks),
    rotationEnabled: false,
    currentVersion: 1,
    currentMaterialId: material.materialId,
    demo: name,
  };
  c.keyIds.add(keyId);
  return c.writeDurable(async (tx) => {
    await c.authorizeAccount(tx);
    refuseUnlessDemoMode(await tx.getMeta(DEMO_MODE_META));
    if (await tx.getKey(keyId))
      throw new AlreadyExistsException(`Demo key '${name}' (${keyArn(c.ks, keyId)}) already exists in this keystore.`);
    if (policy !== undefined) await lockoutCheck(c, tx, key, req);
    await c.env.custodian.requireCurrent(tx);
    await tx.putMaterial(c.env.custodian.forStorage(material));
    await tx.putKey(key);
    return { KeyMetadata: keyMetadata(c.ks, key) };
  });
}
