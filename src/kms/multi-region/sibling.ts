// A new Region's keystore, made from an open one (ADR 0015): the same account, the same custody, and a
// copy of the account's IAM, kept in step afterwards (ADR 0017). Nothing else: keys, aliases, grants and
// the audit trail are the Region's own, as in AWS.

import type { Kms } from '../kms';
import type { Store } from '../ports';
import { applyIam, readIam } from '../iam';
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
 * - IAM is global in AWS: the account's copy of IAM (principals, access keys and STS credentials, managed
 *   policies, accounts) is copied with its revision, so the same access key signs for every Region; later
 *   changes reach it as they reach every Region (iam/global.ts, ADR 0017).
 * A store that already holds a keystore is left alone (another instance made it first).
 */
export async function seedSibling(from: Kms, target: Store, region: string): Promise<void> {
  const src = from.peerEnv();
  const copied = await src.store.read(async (tx) => ({
    custody: await tx.getMeta<SecretCustody>(CUSTODY_META),
    domainKey: await tx.getMeta<CryptoKey>('domainKey'),
    wrappingKey: await tx.getMeta<CryptoKey>('wrappingKey'),
    iam: await readIam(tx),
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
      // After the custody record: the secrets are carried as stored because the roots are the same.
      await applyIam(tx, copied.iam);
    },
    { durable: true },
  );
}
