// The handler of every operation Pocket KMS implements, by AWS name (src/kms/ops/), checked at compile time
// against the handler-free catalogue (operations/index.ts): an implemented operation without a handler, or a
// handler for one the catalogue says is "not yet", fails to compile here. Kms.call dispatches through HANDLERS.

import type { OpContext } from './context';
import { IMPLEMENTED_OPERATIONS, type ImplementedOperation, type OperationName } from './operations';
import * as aliases from './ops/aliases';
import * as crypto from './ops/crypto';
import * as keys from './ops/keys';
import * as policies from './ops/policies';
import * as rotation from './ops/rotation';
import * as tags from './ops/tags';
import * as sign from './ops/sign';
import * as mac from './ops/mac';
import * as keyPairs from './ops/key-pairs';
import * as agreement from './ops/agreement';
import * as kem from './ops/kem';
import * as grants from './ops/grants';
import * as imports from './ops/import';
import * as multiRegion from './ops/multi-region';
import * as keyStores from './ops/custom-key-stores';
import type { Req } from './validate';

type Handler = (c: OpContext, req: Req) => Promise<object>;

const OPS = {
  CreateKey: keys.createKey,
  DescribeKey: keys.describeKey,
  ListKeys: keys.listKeys,
  UpdateKeyDescription: keys.updateKeyDescription,
  EnableKey: keys.enableKey,
  DisableKey: keys.disableKey,
  ScheduleKeyDeletion: keys.scheduleKeyDeletion,
  CancelKeyDeletion: keys.cancelKeyDeletion,
  GetKeyLastUsage: keys.getKeyLastUsage,
  CreateAlias: aliases.createAlias,
  UpdateAlias: aliases.updateAlias,
  DeleteAlias: aliases.deleteAlias,
  ListAliases: aliases.listAliases,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListResourceTags: tags.listResourceTags,
  GetKeyPolicy: policies.getKeyPolicy,
  PutKeyPolicy: policies.putKeyPolicy,
  ListKeyPolicies: policies.listKeyPolicies,
  Encrypt: crypto.encrypt,
  Decrypt: crypto.decrypt,
  ReEncrypt: crypto.reEncrypt,
  GenerateDataKey: crypto.generateDataKey,
  GenerateDataKeyWithoutPlaintext: crypto.generateDataKeyWithoutPlaintext,
  GenerateRandom: crypto.generateRandom,
  EnableKeyRotation: rotation.enableKeyRotation,
  DisableKeyRotation: rotation.disableKeyRotation,
  GetKeyRotationStatus: rotation.getKeyRotationStatus,
  RotateKeyOnDemand: rotation.rotateKeyOnDemand,
  ListKeyRotations: rotation.listKeyRotations,
  Sign: sign.signOp,
  Verify: sign.verifyOp,
  GetPublicKey: sign.getPublicKey,
  GenerateMac: mac.generateMac,
  VerifyMac: mac.verifyMac,
  GenerateDataKeyPair: keyPairs.generateDataKeyPair,
  GenerateDataKeyPairWithoutPlaintext: keyPairs.generateDataKeyPairWithoutPlaintext,
  DeriveSharedSecret: agreement.deriveSharedSecret,
  Encapsulate: kem.encapsulate,
  Decapsulate: kem.decapsulate,
  CreateGrant: grants.createGrant,
  ListGrants: grants.listGrants,
  ListRetirableGrants: grants.listRetirableGrants,
  RetireGrant: grants.retireGrant,
  RevokeGrant: grants.revokeGrant,
  GetParametersForImport: imports.getParametersForImport,
  ImportKeyMaterial: imports.importKeyMaterial,
  DeleteImportedKeyMaterial: imports.deleteImportedKeyMaterial,
  ReplicateKey: multiRegion.replicateKey,
  UpdatePrimaryRegion: multiRegion.updatePrimaryRegion,
  CreateCustomKeyStore: keyStores.createCustomKeyStore,
  DescribeCustomKeyStores: keyStores.describeCustomKeyStores,
  ConnectCustomKeyStore: keyStores.connectCustomKeyStore,
  DisconnectCustomKeyStore: keyStores.disconnectCustomKeyStore,
  UpdateCustomKeyStore: keyStores.updateCustomKeyStore,
  DeleteCustomKeyStore: keyStores.deleteCustomKeyStore,
} as const satisfies Record<ImplementedOperation, Handler>;

export const HANDLERS: Partial<Record<OperationName, Handler>> = OPS;

/** Response shape of each implemented operation, for typed callers (the console). */
export type KmsResponses = { [K in keyof typeof OPS]: Awaited<ReturnType<(typeof OPS)[K]>> };
export type SupportedOperation = keyof typeof OPS;

/** The operations Pocket KMS implements (status other than "not yet" in the catalogue). */
export const SUPPORTED_OPERATIONS: readonly SupportedOperation[] = IMPLEMENTED_OPERATIONS;
