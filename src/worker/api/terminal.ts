// The terminal's credentials (#/terminal, src/terminal/signer.ts): the page signs AWS CLI requests
// without ever holding a secret access key. The worker picks or creates the access key a profile uses
// and computes each SigV4 signature with the key's stored secret, a non-extractable HMAC key.
import { importSecret, sigV4Signature, UnrecognizedClientException, type SigningScope } from '../../endpoint/sigv4';
import type { WorkerContext } from '../context';

export interface TerminalWorkerApi {
  /** An active access key of `principalArn` for the terminal: its newest active one, else a new one
   * (CreateAccessKey, recorded as the keystore's owner; its secret is not returned).
   * @throws NoSuchEntityException, LimitExceededException (two inactive keys) */
  terminalAccessKey(principalArn: string): Promise<{ accessKeyId: string; created: boolean }>;
  /** The hex SigV4 signature of `stringToSign` under access key `accessKeyId`, scoped to `scope`.
   * @throws UnrecognizedClientException when the key is unknown or inactive */
  signV4(accessKeyId: string, scope: SigningScope, stringToSign: string): Promise<string>;
  /** Whether `secretAccessKey` is the secret of `accessKeyId` (`aws configure` checks what is typed,
   * then keeps only the key ID: the worker signs). */
  isAccessKeySecret(accessKeyId: string, secretAccessKey: string): Promise<boolean>;
}

const PROBE = { date: '20000101', region: 'probe', service: 'probe' };

export function terminalApi(ctx: WorkerContext): TerminalWorkerApi {
  const stored = async (accessKeyId: string) => {
    const kms = await ctx.ready;
    const found = await kms.iam.authenticate(accessKeyId, { userAgent: ctx.userAgent });
    if (!found) throw new UnrecognizedClientException(`The access key ${accessKeyId} is unknown or inactive.`);
    return found.secret;
  };
  return {
    async terminalAccessKey(principalArn) {
      const kms = await ctx.ready;
      const p = (await kms.iam.list()).find((x) => x.arn === principalArn);
      const active = p?.accessKeys.filter((k) => k.status === 'Active').sort((a, b) => b.createdAt - a.createdAt);
      if (active?.[0]) return { accessKeyId: active[0].accessKeyId, created: false };
      const k = await kms.iam.createAccessKey(ctx.acting.owner(kms), principalArn);
      return { accessKeyId: k.AccessKeyId, created: true };
    },
    async signV4(accessKeyId, scope, stringToSign) {
      return sigV4Signature(await stored(accessKeyId), scope, stringToSign);
    },
    async isAccessKeySecret(accessKeyId, secretAccessKey) {
      const mine = await stored(accessKeyId).catch(() => undefined);
      if (!mine) return false;
      const probe = `pocket-kms:terminal:${accessKeyId}`;
      const [a, b] = await Promise.all([
        sigV4Signature(mine, PROBE, probe),
        sigV4Signature(await importSecret(secretAccessKey), PROBE, probe),
      ]);
      return a === b;
    },
  };
}
