// Writes src/terminal/aws/models/*.json: the operations, input and output shapes the terminal's `aws`
// command parses and prints, read from the runtime service schemas the AWS SDK v3 clients ship
// (@aws-sdk/client-kms, -sts, -s3, -iam), so the CLI's options follow the same service model as AWS CLI v2.
// Run `node scripts/gen-cli-models.js`; tests/unit/terminal/aws/models.test.ts regenerates and compares.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** What the terminal offers of each service: KMS whole (as the CLI does), STS and S3 as the lab needs. */
const SERVICES = {
  kms: { pkg: '@aws-sdk/client-kms', operations: 'all' },
  sts: { pkg: '@aws-sdk/client-sts', operations: ['AssumeRole', 'GetCallerIdentity', 'GetSessionToken'] },
  // What /cloudtrail answers (src/endpoint/wire.ts): the event history, for the audit-forensics lab.
  cloudtrail: { pkg: '@aws-sdk/client-cloudtrail', operations: ['LookupEvents'] },
  // What /iam answers (src/endpoint/iam.ts IAM_ACTIONS).
  iam: {
    pkg: '@aws-sdk/client-iam',
    operations: [
      'CreateAccessKey',
      'CreateRole',
      'CreateUser',
      'DeleteAccessKey',
      'DeleteRole',
      'DeleteRolePolicy',
      'DeleteUser',
      'DeleteUserPolicy',
      'GetRole',
      'GetRolePolicy',
      'GetUser',
      'GetUserPolicy',
      'ListAccessKeys',
      'ListRolePolicies',
      'ListRoleTags',
      'ListRoles',
      'ListUserPolicies',
      'ListUserTags',
      'ListUsers',
      'PutRolePolicy',
      'PutUserPolicy',
      'TagRole',
      'TagUser',
      'UntagRole',
      'UntagUser',
      'UpdateAccessKey',
      'UpdateAssumeRolePolicy',
      // Managed policies (src/endpoint/iam-managed.ts).
      'AttachRolePolicy',
      'AttachUserPolicy',
      'CreatePolicy',
      'CreatePolicyVersion',
      'DeletePolicy',
      'DeletePolicyVersion',
      'DetachRolePolicy',
      'DetachUserPolicy',
      'GetPolicy',
      'GetPolicyVersion',
      'ListAttachedRolePolicies',
      'ListAttachedUserPolicies',
      'ListEntitiesForPolicy',
      'ListPolicies',
      'ListPolicyVersions',
      'SetDefaultPolicyVersion',
    ],
  },
  s3: {
    pkg: '@aws-sdk/client-s3',
    operations: [
      'AbortMultipartUpload',
      'CompleteMultipartUpload',
      'CopyObject',
      'CreateBucket',
      'CreateMultipartUpload',
      'DeleteBucket',
      'DeleteObject',
      'GetBucketEncryption',
      'GetObject',
      'HeadBucket',
      'HeadObject',
      'ListBuckets',
      'ListObjectsV2',
      'PutBucketEncryption',
      'PutObject',
      'UploadPart',
    ],
  },
};

/** The runtime schemas have one numeric kind; botocore's model tells integer from long, and the CLI
 * parses a long option with argparse's int (a usage error) but an integer one later (a Python error).
 * These are the long members of the operations above (S3's model: Content-Length and byte offsets). */
const LONG_MEMBERS = new Set(['ContentLength', 'WriteOffsetBytes', 'ObjectSize', 'Size']);

/** ListBuckets gained a paginator after AWS CLI 2.9; its merged output keeps Owner and Prefix, which the
 * SDK's paginator does not record, so the terminal calls it once, as CLI 2.9 does. */
const NOT_PAGINATED = new Set(['ListBuckets']);

function simple(code, name) {
  if (code === 0) return { t: 'string' };
  if (code === 1) return { t: LONG_MEMBERS.has(name) ? 'long' : 'integer' };
  if (code === 2) return { t: 'boolean' };
  if (code >= 4 && code <= 7) return { t: 'timestamp' };
  if (code === 15) return { t: 'document' };
  if (code === 21 || code === 42) return { t: 'blob' };
  if (code & 64) return { t: 'list', m: simple(code & 63, name) };
  if (code & 128) return { t: 'map', v: simple(code & 127, name) };
  throw new Error(`unknown schema code ${code}`);
}

/** Member order as the service model declares it: the runtime schemas put required members first, but the
 * CLI (botocore) prints and lists members in model order, which the SDK's declarations keep. */
function declaredOrder(pkg) {
  const dir = join(dirname(require.resolve(pkg)), '../dist-types/models');
  const out = {};
  for (const f of ['models_0.d.ts', 'models_1.d.ts', 'models_2.d.ts']) {
    let text;
    try {
      text = readFileSync(join(dir, f), 'utf8');
    } catch {
      continue;
    }
    for (const block of text.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm))
      out[block[1]] = [...block[2].matchAll(/^ {4}(\w+)\??: /gm)].map((m) => m[1]);
  }
  return out;
}

let ORDER = {};

/** Decodes one smithy runtime schema into the compact shape the terminal reads; structures go to `shapes`. */
function decode(s, shapes, name) {
  if (s === 'unit' || s == null) return undefined;
  if (typeof s === 'function') return decode(s(), shapes, name);
  if (typeof s === 'number') return simple(s, name);
  if (s.length === 2) return decode(s[0], shapes, name);
  switch (s[0]) {
    case 0: {
      const inner = decode(s[4], shapes, name);
      return s[3] && s[3].streaming ? { ...inner, streaming: true } : inner;
    }
    case 1:
      return { t: 'list', m: decode(s[4], shapes, name) };
    case 2:
      return { t: 'map', v: decode(s[5], shapes, name) };
    case 3: {
      const ref = s[2];
      if (!(ref in shapes)) {
        shapes[ref] = null; // placeholder against recursion
        const names = s[4];
        const decoded = {};
        names.forEach((m, i) => (decoded[m] = decode(s[5][i], shapes, m)));
        const declared = (ORDER[ref] ?? []).filter((m) => m in decoded);
        const order = [...declared, ...names.filter((m) => !declared.includes(m))];
        const members = Object.fromEntries(order.map((m) => [m, decoded[m]]));
        const required = names.slice(0, s[6] ?? 0);
        shapes[ref] = required.length ? { members, required } : { members };
      }
      return { t: 'structure', ref };
    }
  }
  throw new Error(`unknown schema ${JSON.stringify(s.slice(0, 3))}`);
}

/** The SDK's paginators: createPaginator(Client, XCommand, "inputToken", "outputToken", "limitKey"). */
function paginators(pkg) {
  const text = readFileSync(require.resolve(pkg), 'utf8');
  const out = {};
  for (const m of text.matchAll(/createPaginator\(\w+, (\w+)Command, "(\w+)", "(\w+)"(?:, "(\w+)")?\)/g))
    out[m[1]] = m[4] ? { input: m[2], output: m[3], limit: m[4] } : { input: m[2], output: m[3] };
  return out;
}

/** One service's table: operation → input/output structure names and paging; structures by name. */
function serviceModel(key) {
  const { pkg, operations } = SERVICES[key];
  const sdk = require(pkg);
  const version = JSON.parse(readFileSync(join(dirname(require.resolve(pkg)), '../package.json'), 'utf8')).version;
  const names =
    operations === 'all'
      ? Object.keys(sdk)
          .filter((k) => k.endsWith('$') && Array.isArray(sdk[k]) && sdk[k][0] === 9)
          .map((k) => k.slice(0, -1))
          .sort()
      : operations;
  const pages = paginators(pkg);
  ORDER = declaredOrder(pkg);
  const shapes = {};
  const ops = {};
  for (const op of names) {
    const s = sdk[`${op}$`];
    if (!s) throw new Error(`${pkg} has no operation ${op}`);
    const input = decode(s[4], shapes, op);
    const output = decode(s[5], shapes, op);
    const entry = {};
    if (input) entry.input = input.ref;
    if (output) entry.output = output.ref;
    if (pages[op] && !NOT_PAGINATED.has(op)) {
      const out = shapes[output.ref].members;
      entry.paginator = { ...pages[op], results: Object.keys(out).filter((m) => out[m].t === 'list') };
    }
    ops[op] = entry;
  }
  const sorted = Object.fromEntries(
    Object.keys(shapes)
      .sort()
      .map((k) => [k, shapes[k]]),
  );
  return { service: key, sdk: `${pkg}@${version}`, operations: ops, shapes: sorted };
}

/** Every table, as the text of its file (the file name → JSON). */
export function generateCliModels() {
  return Object.fromEntries(
    Object.keys(SERVICES).map((k) => [`${k}.json`, JSON.stringify(serviceModel(k), null, 1) + '\n']),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../src/terminal/aws/models');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(generateCliModels())) {
    writeFileSync(join(dir, name), text);
    console.log(`wrote ${join('src/terminal/aws/models', name)} (${text.length} bytes)`);
  }
}
