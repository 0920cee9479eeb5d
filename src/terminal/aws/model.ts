// The service models the terminal's `aws` command parses and prints (models/*.json, generated from the AWS
// SDK's runtime schemas by scripts/gen-cli-models.js) and botocore's name rule, xform_name, which turns an
// operation or member name into the CLI's (CreateKey → create-key, SSEKMSKeyId → ssekms-key-id).
import cloudtrail from './models/cloudtrail.json';
import iam from './models/iam.json';
import kms from './models/kms.json';
import s3 from './models/s3.json';
import sts from './models/sts.json';

export type Shape =
  | { t: 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'document' }
  | { t: 'blob'; streaming?: boolean }
  | { t: 'list'; m: Shape }
  | { t: 'map'; v: Shape }
  | { t: 'structure'; ref: string };

export interface Structure {
  members: Record<string, Shape>;
  required?: string[];
}

export interface Paginator {
  input: string;
  output: string;
  limit?: string;
  results: string[];
}

export interface Operation {
  input?: string;
  output?: string;
  paginator?: Paginator;
}

export interface ServiceModel {
  service: string;
  sdk: string;
  operations: Record<string, Operation>;
  shapes: Record<string, Structure>;
}

/** The SDK service name (as `send` takes it) behind each CLI command name. */
export const SERVICES: Record<string, ServiceModel> = {
  kms: kms as ServiceModel,
  iam: iam as ServiceModel,
  s3api: s3 as ServiceModel,
  sts: sts as ServiceModel,
  cloudtrail: cloudtrail as ServiceModel,
};

/** A structure by name; the generator wrote every one a shape refers to. */
export function structure(model: ServiceModel, ref: string): Structure {
  const s = model.shapes[ref];
  if (!s) throw new Error(`model ${model.service} has no structure ${ref}`);
  return s;
}

const SPECIAL = /[A-Z]{2,}s$/;

/** botocore.xform_name with sep '-': CamelCase to kebab-case, acronyms kept together (KeyARNs → key-arns). */
export function xformName(name: string): string {
  if (name.includes('-')) return name;
  let n = name;
  const special = SPECIAL.exec(n);
  if (special) n = n.slice(0, -special[0].length) + '-' + special[0].toLowerCase();
  // Python's re.sub scans left to right without overlap: emulate with a global replace over the same regexes.
  const s1 = n.replace(/(.)([A-Z][a-z]+)/g, '$1-$2');
  return s1.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
