// The terminal's `aws` against the real AWS CLI v2 (/usr/bin/aws): the same command lines, run against
// the same recorder, must send the same requests and print the same output, errors and exit codes.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalise, REAL_AWS, runLine, runMine, runReal, scratch, type Env, type Outcome } from './harness';
import { startRecorder, type Recorder } from './recorder';

process.env.TZ = 'UTC';
const HAVE_CLI = existsSync(REAL_AWS);
if (!HAVE_CLI)
  console.warn(`SKIPPED cli-parity: ${REAL_AWS} (AWS CLI v2) is not installed; CI installs Debian's awscli`);

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
/** Command lines as a workshop sheet has them (the seed lab's section 10 first), after `aws`. */
const CASES: (string | [string, Env] | [string, Env, string])[] = [
  // The seed lab, line by line.
  'sts get-caller-identity',
  'sts get-caller-identity --query Arn --output text',
  'sts get-caller-identity --query Account --output text',
  `kms create-key --description "KMS lab key for encrypt/decrypt and S3 SSE-KMS" --key-usage ENCRYPT_DECRYPT --origin AWS_KMS --tags TagKey=Project,TagValue=kms-lab TagKey=Owner,TagValue=me`,
  `kms create-key --description "KMS lab key" --key-usage ENCRYPT_DECRYPT --origin AWS_KMS --query KeyMetadata.KeyId --output text`,
  `kms create-alias --alias-name alias/kms-lab-20240101 --target-key-id ${KEY}`,
  `kms describe-key --key-id ${KEY}`,
  `kms list-aliases --query "Aliases[?AliasName=='alias/kms-lab']"`,
  `kms put-key-policy --key-id ${KEY} --policy-name default --policy file://key-policy.json`,
  `kms get-key-policy --key-id ${KEY} --policy-name default`,
  `kms encrypt --key-id ${KEY} --plaintext fileb://plaintext.txt --encryption-context Purpose=Lab,App=kms-demo --query CiphertextBlob --output text`,
  `kms decrypt --ciphertext-blob fileb://ciphertext.bin --encryption-context Purpose=Lab,App=kms-demo --query Plaintext --output text`,
  's3api create-bucket --bucket kms-lab-111122223333-20240101',
  's3api create-bucket --bucket kms-lab-bucket --create-bucket-configuration LocationConstraint=eu-west-1',
  `s3api put-object --bucket kms-lab-bucket --key hello.txt --body hello.txt --server-side-encryption aws:kms --ssekms-key-id alias/kms-lab`,
  `s3api head-object --bucket kms-lab-bucket --key hello.txt --query '{SSE:ServerSideEncryption, KMSKeyId:SSEKMSKeyId}'`,
  's3api get-object --bucket kms-lab-bucket --key hello.txt downloaded.txt',
  's3api delete-object --bucket kms-lab-bucket --key hello.txt',
  's3api delete-bucket --bucket kms-lab-bucket',
  'kms delete-alias --alias-name alias/kms-lab-20240101',
  `kms schedule-key-deletion --key-id ${KEY} --pending-window-in-days 7`,
  `kms describe-key --key-id ${KEY} --query 'KeyMetadata.{KeyState:KeyState,DeletionDate:DeletionDate}'`,
  // Option styles: inline base64 blobs, JSON values, lists, booleans, integers, abbreviations, --x=value.
  `kms encrypt --key-id alias/kms-lab --plaintext aGVsbG8gd29ybGQ=`,
  `kms encrypt --key-id alias/kms-lab --plaintext file://ciphertext.b64`,
  `kms encrypt --key-id alias/kms-lab --plaintext 'hello world' --cli-binary-format raw-in-base64-out`,
  `kms encrypt --key-id alias/kms-lab --plaintext hello`,
  `kms encrypt --key-id alias/kms-lab --plaintext fileb://plaintext.txt --encryption-context '{"Purpose":"Lab","App":"kms-demo"}'`,
  `kms encrypt --key-id alias/kms-lab --plaintext fileb://plaintext.txt --grant-tokens t1 t2 t3`,
  `kms encrypt --key-id alias/kms-lab --plaintext fileb://plaintext.txt --grant-tokens '["t1","t2"]'`,
  `kms encrypt --key-id=alias/kms-lab --plaintext=fileb://plaintext.txt --encryption-algorithm SYMMETRIC_DEFAULT`,
  `kms encrypt --key alias/kms-lab --plain fileb://plaintext.txt`,
  `kms create-key --tags file://tags.json --bypass-policy-lockout-safety-check`,
  `kms create-key --tags '[{"TagKey":"a","TagValue":"b"}]' --no-multi-region`,
  `kms create-key --tags '{"TagKey":"a","TagValue":"b"}' '{"TagKey":"c","TagValue":"d"}'`,
  `kms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --multi-region`,
  `kms create-key --tags "TagKey=Name,TagValue='a, b'" TagKey=x,TagValue=y\\,z`,
  `kms tag-resource --key-id ${KEY} --tags TagKey=Env,TagValue=dev`,
  `kms untag-resource --key-id ${KEY} --tag-keys Env Owner`,
  `kms generate-data-key --key-id alias/kms-lab --key-spec AES_256 --encryption-context Purpose=Lab`,
  `kms generate-data-key --key-id alias/kms-lab --number-of-bytes 32`,
  `kms generate-random --number-of-bytes 16`,
  `kms generate-random --number-of-bytes 16 --output text`,
  `kms enable-key-rotation --key-id ${KEY} --rotation-period-in-days 90`,
  `kms get-key-rotation-status --key-id ${KEY} --output table`,
  `kms get-key-rotation-status --key-id ${KEY} --output yaml`,
  `kms get-key-rotation-status --key-id ${KEY} --output text`,
  `kms describe-key --key-id ${KEY} --output table`,
  `kms describe-key --key-id ${KEY} --output text`,
  `kms describe-key --key-id ${KEY} --output yaml`,
  `kms list-aliases --output table`,
  `kms list-aliases --output text`,
  `kms list-aliases --output yaml`,
  `kms list-aliases --query 'Aliases[].AliasName' --output text`,
  `kms list-resource-tags --key-id ${KEY} --output table`,
  `kms list-keys`,
  `kms list-keys --output text`,
  `kms list-keys --max-items 1`,
  `kms list-keys --max-items 2 --output text`,
  `kms list-keys --limit 2`,
  `kms list-keys --no-paginate`,
  `kms list-keys --page-size 2 --query 'Keys[].KeyId'`,
  `kms create-grant --key-id ${KEY} --grantee-principal arn:aws:iam::111122223333:role/App --operations Encrypt Decrypt --constraints EncryptionContextSubset={Purpose=Lab}`,
  `kms create-grant --key-id ${KEY} --grantee-principal arn:aws:iam::111122223333:role/App --operations Decrypt --name g1 --retiring-principal arn:aws:iam::111122223333:role/Ops`,
  `kms sign --key-id ${KEY} --message fileb://plaintext.txt --message-type RAW --signing-algorithm ECDSA_SHA_256`,
  `kms encrypt --cli-input-json file://input.json`,
  `kms encrypt --cli-input-json file://input.json --key-id alias/other`,
  `kms describe-key --cli-input-yaml file://input.yaml`,
  `kms re-encrypt --ciphertext-blob fileb://ciphertext.bin --destination-key-id alias/b --source-encryption-context Purpose=Lab --destination-encryption-context Purpose=Lab2`,
  `kms update-key-description --key-id ${KEY} --description ""`,
  `kms cancel-key-deletion --key-id ${KEY} --no-cli-pager`,
  [`kms describe-key --key-id ${KEY}`, { AWS_DEFAULT_OUTPUT: 'text' }],
  [`kms describe-key --key-id ${KEY} --output json`, { AWS_DEFAULT_OUTPUT: 'text' }],
  // Errors as the CLI prints them.
  `kms describe-key --key-id missing`,
  `kms describe-key`,
  `kms describe-key --key-id x --bogus 1`,
  `kms frob`,
  `kmz describe-key`,
  `kms schedule-key-deletion --key-id x --pending-window-in-days abc`,
  `kms create-key --tags TagKey=a,TagValue`,
  `kms create-key --tags TagKey`,
  `kms encrypt --key-id k --plaintext fileb://nope.txt`,
  `kms encrypt --key-id k --plaintext file://binary.dat`,
  `kms describe-key --key-id k --output xml`,
  `kms encrypt --key-id k --plaintext fileb://plaintext.txt --encryption-context '{"Purpose":'`,
  `kms describe-key --key-id`,
  `kms list-keys --no-paginate --max-items 1`,
  `kms enable-key --key-id ${KEY} --region`,
  `kms list-keys --query 'Keys[?'`,
  `kms describe-kee --key-id ${KEY}`,
  `kms list-key`,
  'sts get-caller-identity --output table',
  'sts get-caller-identity --output yaml',
  's3api list-objects-v2 --bucket kms-lab-bucket --max-items 1',
  `kms list-aliases --output json --query 'Aliases[0]' --no-paginate`,
  `kms list-keys --output table`,
  `--output text kms describe-key --key-id ${KEY} --query KeyMetadata.Arn`,
  `kms --region eu-west-1 describe-key --key-id ${KEY} --query KeyMetadata.KeyId`,
  '',
  `kms describe-key --key-id ${KEY} --output text --query 'KeyMetadata.[KeyId,Enabled,EncryptionAlgorithms]'`,
  `kms create-grant --key-id ${KEY} --grantee-principal arn:aws:iam::111122223333:role/App --operations Encrypt --constraints '{"EncryptionContextEquals":{"a":"b"}}' --grant-tokens x`,
  `kms generate-data-key-without-plaintext --key-id alias/kms-lab --key-spec AES_256 --dry-run`,
  `kms enable-key --key-id ${KEY} extra`,
  `kms encrypt --key-id alias/kms-lab --plaintext fileb://plaintext.txt --encryption-context Purpose=`,
  `kms verify --key-id ${KEY} --message fileb://plaintext.txt --signature fileb://ciphertext.bin --signing-algorithm ECDSA_SHA_256 --message-type RAW`,
  // S3 API.
  's3api list-buckets',
  's3api list-buckets --query "Buckets[].Name" --output text',
  's3api list-objects-v2 --bucket kms-lab-bucket',
  's3api list-objects-v2 --bucket kms-lab-bucket --prefix hel --output text',
  `s3api list-objects-v2 --bucket kms-lab-bucket --query 'Contents[].{Key: Key, Size: Size}' --output table`,
  's3api head-bucket --bucket kms-lab-bucket',
  's3api head-object --bucket kms-lab-bucket --key missing',
  's3api get-object --bucket kms-lab-bucket --key missing downloaded.txt',
  's3api get-object --bucket kms-lab-bucket --key hello.txt --range bytes=0-4 part.txt',
  's3api get-object --bucket kms-lab-bucket --key hello.txt',
  's3api head-object --bucket kms-lab-bucket --key hello.txt',
  's3api head-object --bucket kms-lab-bucket --key hello.txt --output yaml',
  's3api put-object --bucket kms-lab-bucket --key a/b.txt --body hello.txt --content-type text/plain --metadata purpose=lab,owner=me',
  's3api put-object --bucket kms-lab-bucket --key a/b.txt --body nope.txt',
  's3api put-object --bucket kms-lab-bucket --key k --body hello.txt --server-side-encryption aws:kms --ssekms-key-id alias/kms-lab --bucket-key-enabled',
  's3api copy-object --bucket kms-lab-bucket --key copy.txt --copy-source kms-lab-bucket/hello.txt --server-side-encryption aws:kms --ssekms-key-id alias/kms-lab',
  's3api put-bucket-encryption --bucket kms-lab-bucket --server-side-encryption-configuration file://encryption.json',
  `s3api put-bucket-encryption --bucket kms-lab-bucket --server-side-encryption-configuration 'Rules=[{ApplyServerSideEncryptionByDefault={SSEAlgorithm=aws:kms,KMSMasterKeyID=alias/kms-lab},BucketKeyEnabled=true}]'`,
  's3api get-bucket-encryption --bucket kms-lab-bucket',
  's3api get-bucket-encryption --bucket kms-lab-bucket --output table',
  's3api create-multipart-upload --bucket kms-lab-bucket --key big.bin --server-side-encryption aws:kms',
  's3api upload-part --bucket kms-lab-bucket --key big.bin --part-number 1 --upload-id upload-1 --body hello.txt',
  's3api complete-multipart-upload --bucket kms-lab-bucket --key big.bin --upload-id upload-1 --multipart-upload file://parts.json',
  `s3api complete-multipart-upload --bucket kms-lab-bucket --key big.bin --upload-id upload-1 --multipart-upload 'Parts=[{ETag=etag-part,PartNumber=1}]'`,
  's3api abort-multipart-upload --bucket kms-lab-bucket --key big.bin --upload-id upload-1',
  // Configuration.
  [`kms describe-key --key-id ${KEY} --query KeyMetadata.KeyId`, { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-west-2' }],
  '--version',
  // aws s3 (high-level), the common forms.
  's3 ls',
  's3 ls s3://kms-lab-bucket',
  's3 ls s3://kms-lab-bucket/hel',
  's3 ls s3://kms-lab-bucket --recursive',
  's3 mb s3://kms-lab-bucket',
  ['s3 mb s3://kms-lab-bucket', { AWS_REGION: 'eu-west-1' }],
  's3 rb s3://kms-lab-bucket',
  's3 rb s3://missing',
  's3 rm s3://kms-lab-bucket/hello.txt',
  's3 cp hello.txt s3://kms-lab-bucket/hello.txt',
  's3 cp hello.txt s3://kms-lab-bucket/',
  's3 cp hello.txt s3://kms-lab-bucket/hello.txt --sse aws:kms --sse-kms-key-id alias/kms-lab',
  's3 cp s3://kms-lab-bucket/hello.txt downloaded.txt',
  's3 cp s3://kms-lab-bucket/missing downloaded.txt',
  's3 cp s3://kms-lab-bucket/hello.txt s3://kms-lab-bucket/copy.txt',
  // aws configure, on $HOME/.aws/config.
  'configure set region eu-west-1 && configure get region',
  'configure set output text && configure set region eu-west-3 && configure list && kms describe-key --key-id k',
  [
    'configure set region eu-central-1 && configure get region',
    {},
    '[default]\noutput = json\n\n[profile other]\nregion = us-west-2\n',
  ],
  [
    'configure set region ap-south-1 --profile other && configure get region --profile other',
    {},
    '[default]\nregion = us-east-2\n[profile other]\noutput = table\n',
  ],
  ['configure get output', { AWS_PROFILE: 'other' }, '[profile other]\noutput = yaml\n'],
  [
    'configure set profile.lab.region eu-north-1 && configure get profile.lab.region',
    {},
    '[default]\nregion = us-east-2',
  ],
  ['configure get region', {}, '[default]\noutput = text\n'],
  ['kms describe-key --key-id k', { AWS_REGION: '' }, '[default]\nregion = eu-west-1\noutput = text\n'],
  ['kms describe-key --key-id k', { AWS_REGION: '' }, '[default]\noutput = text\n'],
  ['configure list', { AWS_REGION: '' }, '[default]\nregion = eu-west-1\n'],
  ['configure list', {}, ''],
  // IAM, as a separation-of-duties sheet starts (policy documents printed as JSON, as botocore decodes them).
  'iam create-user --user-name admin --tags Key=team,Value=security',
  'iam get-user --user-name admin',
  'iam get-user',
  'iam list-users --query "Users[].UserName" --output text',
  `iam create-role --role-name KeyUser --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}' --description "uses keys" --max-session-duration 7200`,
  'iam create-role --role-name KeyUser --assume-role-policy-document file://key-policy.json',
  'iam get-role --role-name KeyUser',
  'iam get-role --role-name KeyUser --output yaml',
  'iam list-roles --output table',
  'iam put-user-policy --user-name app --policy-name kms --policy-document file://key-policy.json',
  'iam get-user-policy --user-name app --policy-name kms',
  'iam list-user-policies --user-name app --output text',
  'iam create-access-key --user-name app',
  'iam list-access-keys --user-name app --output text',
  'iam update-access-key --user-name app --access-key-id AKIAIOSFODNN7EXAMPLE --status Inactive',
  'iam delete-access-key --access-key-id AKIAIOSFODNN7EXAMPLE',
  'iam tag-user --user-name app --tags Key=env,Value=lab Key=team,Value=security',
  'iam untag-user --user-name app --tag-keys env team',
  'iam list-user-tags --user-name app',
  'iam delete-user --user-name ghost',
  'iam get-user --user-name ghost',
  ['iam list-users --output json', { AWS_REGION: '' }],
  'iam update-assume-role-policy --role-name KeyUser --policy-document file://key-policy.json',
  'iam delete-role --role-name KeyUser',
  // STS sessions, as a sheet assumes a role and exports its credentials.
  'sts assume-role --role-arn arn:aws:iam::111122223333:role/KeyUser --role-session-name lab --external-id lab-42',
  'sts assume-role --role-arn arn:aws:iam::111122223333:role/KeyUser --role-session-name lab --duration-seconds 900 --query Credentials.AccessKeyId --output text',
  'sts assume-role --role-arn arn:aws:iam::111122223333:role/KeyUser --role-session-name lab --tags Key=tenant,Value=blue --transitive-tag-keys tenant --policy file://key-policy.json',
  `sts assume-role --role-arn arn:aws:iam::111122223333:role/KeyUser --role-session-name lab --query "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]" --output text`,
  'sts get-session-token --duration-seconds 3600 --output table',
];

/** AWS_PARITY_ONLY=<regex> runs only the matching lines (while working on one behaviour). */
const ONLY = process.env.AWS_PARITY_ONLY ? new RegExp(process.env.AWS_PARITY_ONLY) : undefined;
if (ONLY) CASES.splice(0, CASES.length, ...CASES.filter((c) => ONLY.test(typeof c === 'string' ? c : c[0])));

const BASE_ENV: Env = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'us-east-1',
  AWS_PAGER: '',
};

interface Result {
  line: string;
  real: Outcome;
  mine: Outcome;
  realRequests: unknown[];
  mineRequests: unknown[];
}

describe.skipIf(!HAVE_CLI)('aws (terminal) behaves as AWS CLI v2', () => {
  let rec: Recorder;
  const results: Result[] = [];

  beforeAll(async () => {
    rec = await startRecorder();
    const root = mkdtempSync(join(tmpdir(), 'aws-parity-'));
    const jobs = CASES.map((c, i) => {
      const [line, extra, config] = typeof c === 'string' ? [c, {}, undefined] : c;
      const env: Env = { ...BASE_ENV, ...extra };
      for (const k of Object.keys(env)) if (env[k] === '') delete env[k];
      env.AWS_PAGER = '';
      return { i, line, env, config };
    });
    const real: Outcome[] = [];
    const queue = [...jobs];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let j = queue.shift(); j; j = queue.shift()) {
          const dir = scratch(join(root, `real-${j.i}`), j.config);
          real[j.i] = await runLine(j.line, (argv) => runReal(argv, dir, `${rec.url}/real-${j.i}`, j.env));
        }
      }),
    );
    for (const j of jobs) {
      const dir = scratch(join(root, `mine-${j.i}`), j.config);
      const mine = await runLine(j.line, (argv) => runMine(argv, dir, `${rec.url}/mine-${j.i}`, j.env));
      results.push({
        line: j.line,
        real: real[j.i]!,
        mine,
        realRequests: (rec.runs.get(`real-${j.i}`) ?? []).map(normalise),
        mineRequests: (rec.runs.get(`mine-${j.i}`) ?? []).map(normalise),
      });
    }
    if (process.env.AWS_PARITY_DUMP) writeFileSync(process.env.AWS_PARITY_DUMP, JSON.stringify(results, null, 1));
  }, 600_000);

  afterAll(async () => rec?.close());

  it('covers at least 60 command lines', () => {
    if (!ONLY) expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  /** Lines whose output differs on purpose: what is compared instead. */
  const SPECIAL: Record<string, (r: Result) => void> = {
    // The version names the terminal, not Python and the OS.
    '--version': (r) => {
      expect(r.mine.stdout).toBe(`aws-cli/2.9.19 Pocket-KMS-terminal prompt/off\n`);
      expect(r.real.stdout).toMatch(/^aws-cli\/2\.9\.19 /);
    },
    // The terminal offers three services (and configure), not the CLI's three hundred.
    'kmz describe-key': (r) => {
      const head = 'aws: error: argument command: Invalid choice, valid choices are:\n\n';
      expect(r.real.stderr).toContain(head);
      expect(r.mine.stderr).toBe(
        r.real.stderr.slice(0, r.real.stderr.indexOf(head) + head.length) +
          'kms                                      | iam                                     \n' +
          's3api                                    | sts                                     \n' +
          's3                                       | cloudtrail                              \n' +
          'configure                                | help                                    \n\n',
      );
      expect([r.mine.code, r.mineRequests]).toEqual([r.real.code, r.realRequests]);
    },
  };

  it.each(CASES.map((c, i) => [typeof c === 'string' ? c : c[0], i] as const))('aws %s', (line, i) => {
    const r = results[i]!;
    if (SPECIAL[line]) return SPECIAL[line]!(r);
    // A transfer's progress line shows its measured rate, and the result line is padded to cover it.
    const steady = (s: string) => s.replace(/\([\d.]+ (Bytes|KiB|MiB|GiB)\/s\)/g, '(RATE)').replace(/ +\n/g, '\n');
    r.real.stdout = steady(r.real.stdout);
    r.mine.stdout = steady(r.mine.stdout);
    expect({ code: r.mine.code, stdout: r.mine.stdout, stderr: r.mine.stderr, files: r.mine.files }).toEqual({
      code: r.real.code,
      stdout: r.real.stdout,
      stderr: r.real.stderr,
      files: r.real.files,
    });
    expect(r.mineRequests).toEqual(r.realRequests);
  });
});
