// A new Region's keystore, made from an open one (ADR 0015): the same account, the same custody, and a
// copy of the account's principals and access keys. Nothing else: keys, aliases, grants and the audit
// trail are the Region's own, as in AWS.

import type { Kms } from '../kms';
import type { Store } from '../ports';
import type { AccessKeyRecord, PrincipalRecord } from '../records';
import { CUSTODY_META, type SecretCustody } from '../material';

interface KeystoreMeta {
  region: string;
  accountId: string;
  createdAt: number;
}

/**
 * Fills `target` (an empty store) as `region`'s keystore of `from`'s account:
 * - custody: a secret keystore's custody record is copied as it is stored (root keys wrapped under the
 *   vault key, the vault key under each secret's KEK): the same passphrase or passkey opens the new Region
 *   and nothing is stored that was not stored already. A device keystore's root keys (non-extractable
 *   CryptoKeys) are copied too: they are as readable in one database as in the other.
 * - IAM is global in AWS: principals and access keys are copied, so the same access key signs for every
 *   Region. Changes made afterwards in one Region are not carried to the others (docs/API.md says so).
 * A store that already holds a keystore is left alone (another instance made it first).
 */
export async function seedSibling(from: Kms, target: Store, region: string): Promise<void> {
  const src = from.peerEnv();
  const copied = await src.store.read(async (tx) => ({
    custody: await tx.getMeta<SecretCustody>(CUSTODY_META),
    domainKey: await tx.getMeta<CryptoKey>('domainKey'),
    wrappingKey: await tx.getMeta<CryptoKey>('wrappingKey'),
    principals: await tx.listPrincipals(),
    accessKeys: await tx.listAccessKeys(),
  }));
  await target.write(
    async (tx) => {
      if (await tx.getMeta('keystore')) return;
      const meta: KeystoreMeta = { region, accountId: src.keystore.accountId, createdAt: src.clock.now() };
      await tx.putMeta('keystore', meta);
      if (copied.custody) await tx.putMeta(CUSTODY_META, copied.custody);
      else {
        if (copied.domainKey) await tx.putMeta('domainKey', copied.domainKey);
        if (copied.wrappingKey) await tx.putMeta('wrappingKey', copied.wrappingKey);
      }
      for (const p of copied.principals) await tx.putPrincipal(p satisfies PrincipalRecord);
      for (const k of copied.accessKeys) await tx.putAccessKey(k satisfies AccessKeyRecord);
    },
    { durable: true },
  );
}
