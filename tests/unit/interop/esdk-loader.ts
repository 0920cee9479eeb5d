// Loads @aws-crypto/client-node 5 with one copy of each shared ESDK package. The install nests a
// separate 5.0.2 copy of material-management, serialize, cache-material and raw-keyring under
// each ESDK package (the 4.x browser client took the top-level slot), and the ESDK checks
// `instanceof` across packages, so two copies make it refuse its own data keys
// ("Unsupported EncryptedDataKey type"). A resolve hook points every nested copy at one.
import Module, { createRequire } from 'node:module';

const NESTED =
  /^(.*\/node_modules\/@aws-crypto\/)[^/]+\/node_modules\/@aws-crypto\/(material-management|serialize|cache-material|raw-keyring)\//;
const CANONICAL: Record<string, string> = {
  'material-management': 'material-management-node',
  serialize: 'material-management-node',
  'cache-material': 'caching-materials-manager-node',
  'raw-keyring': 'raw-aes-keyring-node',
};

type Resolve = (request: string, parent: unknown, ...rest: unknown[]) => string;
const M = Module as unknown as { _resolveFilename: Resolve };
const original = M._resolveFilename;
M._resolveFilename = function (this: unknown, request, parent, ...rest) {
  const resolved = original.call(this, request, parent, ...rest);
  return resolved.replace(
    NESTED,
    (_all, root: string, name: string) => `${root}${CANONICAL[name]}/node_modules/@aws-crypto/${name}/`,
  );
};

const require = createRequire(import.meta.url);
export const esdkNode = require('@aws-crypto/client-node') as typeof import('@aws-crypto/client-node');
