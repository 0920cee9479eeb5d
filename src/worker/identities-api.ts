// The console's side of principals: the Identities page (users, roles, policies, access keys), the
// "Acting as" switcher, and the policy simulator. IAM changes are made by the keystore's owner and
// recorded as the account root, whoever the console is acting as; KMS calls run as the chosen principal.
import { roleOfSession, rootCaller, type Caller } from '../kms/ids';
import type { Kms } from '../kms/kms';
import { grantOperations } from '../kms/ops/grants';
import type { IdentitiesWorkerApi, KeystoreInfo } from './api';

export class ActingAs {
  private caller?: Caller;

  constructor(private readonly userAgent: string) {}

  /** The principal console calls run as (the account root until another is chosen). */
  current(kms: Kms): Caller {
    return this.caller ?? rootCaller(kms.keystore, { userAgent: this.userAgent });
  }

  owner(kms: Kms): Caller {
    return rootCaller(kms.keystore, { userAgent: this.userAgent });
  }

  async set(kms: Kms, principalArn: string): Promise<void> {
    this.caller = await kms.iam.callerFor(principalArn, { userAgent: this.userAgent });
  }

  /** Back to the root when the chosen principal was deleted. */
  forget(arn: string): void {
    const c = this.caller;
    if (c && (c.arn === arn || (c.type === 'AssumedRole' && roleOfSession(c.arn)?.roleArn === arn))) this.caller = undefined;
  }
}

export function keystoreInfo(kms: Kms, caller: Caller): KeystoreInfo {
  const principalArn = (caller.type === 'AssumedRole' && roleOfSession(caller.arn)?.roleArn) || caller.arn;
  const name = caller.type === 'Root' ? 'root' : principalArn.split('/').pop()!;
  return { ...kms.keystore, callerArn: caller.arn, caller: { arn: caller.arn, type: caller.type, name, principalArn } };
}

export function identitiesApi(ready: Promise<Kms>, acting: ActingAs): IdentitiesWorkerApi {
  const owner = async () => {
    const kms = await ready;
    return { kms, owner: acting.owner(kms) };
  };
  return {
    async listPrincipals() {
      return (await ready).iam.list();
    },
    async createPrincipal(kind, name, tags) {
      const { kms, owner: o } = await owner();
      return kms.iam.createPrincipal(o, kind, name, tags);
    },
    async deletePrincipal(arn) {
      const { kms, owner: o } = await owner();
      await kms.iam.deletePrincipal(o, arn);
      acting.forget(arn);
    },
    async tagPrincipal(arn, tags) {
      const { kms, owner: o } = await owner();
      return kms.iam.tagPrincipal(o, arn, tags);
    },
    async untagPrincipal(arn, tagKeys) {
      const { kms, owner: o } = await owner();
      return kms.iam.untagPrincipal(o, arn, tagKeys);
    },
    async putPrincipalPolicy(arn, policyName, document) {
      const { kms, owner: o } = await owner();
      return kms.iam.putPolicy(o, arn, policyName, document);
    },
    async deletePrincipalPolicy(arn, policyName) {
      const { kms, owner: o } = await owner();
      return kms.iam.deletePolicy(o, arn, policyName);
    },
    async createAccessKey(principalArn) {
      const { kms, owner: o } = await owner();
      return kms.iam.createAccessKey(o, principalArn);
    },
    async updateAccessKey(accessKeyId, status) {
      const { kms, owner: o } = await owner();
      return kms.iam.updateAccessKey(o, accessKeyId, status);
    },
    async deleteAccessKey(accessKeyId) {
      const { kms, owner: o } = await owner();
      return kms.iam.deleteAccessKey(o, accessKeyId);
    },
    async actAs(principalArn) {
      const kms = await ready;
      await acting.set(kms, principalArn);
      return keystoreInfo(kms, acting.current(kms));
    },
    async simulate(principalArn, request) {
      const kms = await ready;
      const caller = await kms.iam.callerFor(principalArn, { userAgent: 'pocket-kms-console (policy simulator)' });
      return kms.simulate(caller, request);
    },
    async grantOperations(keyUsage, keySpec) {
      return grantOperations(keyUsage, keySpec);
    },
  };
}
