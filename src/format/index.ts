// The AWS Encryption SDK message format, as Pocket KMS reads and writes it (docs/FORMAT.md).
export * from './errors';
export * from './suites';
export * from './header';
export * from './body';
export * from './keyring';
export * from './encrypt-stream';
export * from './decrypt-stream';
export { PUBLIC_KEY_CONTEXT_KEY } from './signature';
export type { EncryptionContext } from './encryption-context';
