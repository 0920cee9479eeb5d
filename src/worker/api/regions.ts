// The console's Region switcher (ADR 0015): the Regions in use in this browser, and moving the console to
// another one, made on demand as a sibling of the current Region (same account, custody and principals);
// and replicas to and from another device or browser (docs/FORMAT.md "Replica requests and packages").
import type { WorkerContext } from '../context';
import type { SecretInput } from './custody';
import { keystoreInfo, type KeystoreInfo } from './identities';

export interface RegionsInfo {
  /** The console's Region. */
  current: string;
  /** Every Region with a keystore in this browser, sorted. */
  inUse: string[];
}

export interface RegionsWorkerApi {
  regions(): Promise<RegionsInfo>;
  /** Moves the console to `region`, creating its keystore when this browser has none there ("Acting as" is
   * kept: the Region has the same account and a copy of its principals). @throws InvalidArnException for a name that is not a Region ID */
  useRegion(region: string): Promise<KeystoreInfo>;
  /** Destination: a replica request for the console's Region (text to send to the source) and its fingerprint.
   * @throws ValidationException (no secret set), KMSInvalidStateException (locked) */
  createReplicaRequest(): Promise<{ text: string; requestId: string; fingerprint: string }>;
  /** Source: the replica package answering `requestText` with multi-Region primary `keyId`, once `secret` (the
   * keystore's passphrase or passkey) is presented again. @throws IncorrectSecretException, ReplicaFormatException,
   * UnsupportedOperationException, DisabledException, KMSInvalidStateException, AccessDeniedException */
  answerReplicaRequest(
    keyId: string,
    requestText: string,
    secret: SecretInput,
  ): Promise<{ text: string; fingerprint: string }>;
  /** Destination: imports a package answering one of this keystore's requests as a replica here.
   * @throws ReplicaFormatException, ReplicaPackageSignatureException, ReplicaPackageMismatchException, AlreadyExistsException */
  importReplicaPackage(text: string): Promise<{
    keyId: string;
    keyArn: string;
    requestFingerprint: string;
    source: { keyArn: string; region: string; accountId: string; signerFingerprint: string };
  }>;
}

export function regionsApi(ctx: WorkerContext): RegionsWorkerApi {
  return {
    async regions() {
      const kms = await ctx.ready;
      return { current: kms.keystore.region, inUse: await ctx.regions.inUse() };
    },
    async useRegion(region) {
      const kms = await ctx.useRegion(region);
      return keystoreInfo(kms, ctx.acting.current(kms));
    },
    async createReplicaRequest() {
      const kms = await ctx.ready;
      return kms.deviceReplicas.request(ctx.acting.current(kms));
    },
    async answerReplicaRequest(keyId, requestText, secret) {
      const kms = await ctx.ready;
      const { text, fingerprint } = await kms.deviceReplicas.answer(
        ctx.acting.current(kms),
        keyId,
        requestText,
        secret,
      );
      return { text, fingerprint };
    },
    async importReplicaPackage(text) {
      const kms = await ctx.ready;
      const r = await kms.deviceReplicas.import(ctx.acting.current(kms), text);
      ctx.folderBackup.changed();
      const { keyArn, region, accountId, signerFingerprint } = r.source;
      return {
        keyId: r.keyId,
        keyArn: r.keyArn,
        requestFingerprint: r.requestFingerprint,
        source: { keyArn, region, accountId, signerFingerprint },
      };
    },
  };
}
