// A local stand-in for AWS used by the terminal `aws` tests: records every request (method, path, query,
// headers, body) under the run it belongs to (the first path segment) and answers canned AWS-shaped
// responses: KMS (JSON 1.1), STS (query/XML), S3 (REST/XML), with errors for resources named "missing".
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Buffer;
}

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const META = {
  AWSAccountId: '111122223333',
  KeyId: KEY_ID,
  Arn: ARN,
  CreationDate: 1700000000.123,
  Enabled: true,
  Description: 'KMS lab key for encrypt/decrypt and S3 SSE-KMS',
  KeyUsage: 'ENCRYPT_DECRYPT',
  KeyState: 'Enabled',
  Origin: 'AWS_KMS',
  KeyManager: 'CUSTOMER',
  CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
  KeySpec: 'SYMMETRIC_DEFAULT',
  EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
  MultiRegion: false,
};

function kms(op: string, body: Record<string, unknown>): [number, unknown] {
  if (body.KeyId === 'missing' || body.TargetKeyId === 'missing')
    return [400, { __type: 'NotFoundException', message: `Key '${ARN.replace(KEY_ID, 'missing')}' does not exist` }];
  switch (op) {
    case 'CreateKey':
    case 'DescribeKey':
      return [200, { KeyMetadata: META }];
    case 'ScheduleKeyDeletion':
      return [200, { KeyId: ARN, DeletionDate: 1700604800, KeyState: 'PendingDeletion', PendingWindowInDays: 7 }];
    case 'Encrypt':
      return [
        200,
        { CiphertextBlob: 'AQICAHh4ZXhhbXBsZWNpcGhlcnRleHQ=', KeyId: ARN, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      ];
    case 'Decrypt':
      return [200, { KeyId: ARN, Plaintext: 'bXktZGVtby1zZWNyZXQtdmFsdWU=', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }];
    case 'GenerateDataKey':
      return [
        200,
        { CiphertextBlob: 'AQIDBA==', Plaintext: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=', KeyId: ARN },
      ];
    case 'GenerateRandom':
      return [200, { Plaintext: 'AAECAwQFBgcICQoLDA0ODw==' }];
    case 'GetKeyPolicy':
      return [200, { Policy: '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1"\n}', PolicyName: 'default' }];
    case 'ListAliases':
      return [
        200,
        {
          Aliases: [
            {
              AliasName: 'alias/kms-lab',
              AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/kms-lab',
              TargetKeyId: KEY_ID,
              CreationDate: 1700000000,
              LastUpdatedDate: 1700000000,
            },
            { AliasName: 'alias/aws/s3', AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/aws/s3' },
          ],
          Truncated: false,
        },
      ];
    case 'ListKeys': {
      // Two pages, to exercise the CLI's pagination and --max-items.
      if (body.Marker === 'page2') return [200, { Keys: [{ KeyId: 'k3', KeyArn: `${ARN}3` }], Truncated: false }];
      return [
        200,
        {
          Keys: [
            { KeyId: 'k1', KeyArn: `${ARN}1` },
            { KeyId: 'k2', KeyArn: `${ARN}2` },
          ],
          NextMarker: 'page2',
          Truncated: true,
        },
      ];
    }
    case 'ListResourceTags':
      return [
        200,
        {
          Tags: [
            { TagKey: 'Project', TagValue: 'kms-lab' },
            { TagKey: 'Owner', TagValue: 'me' },
          ],
          Truncated: false,
        },
      ];
    case 'GetKeyRotationStatus':
      return [200, { KeyRotationEnabled: true, KeyId: ARN, RotationPeriodInDays: 365 }];
    case 'Sign':
      return [200, { KeyId: ARN, Signature: 'c2lnbmF0dXJl', SigningAlgorithm: 'ECDSA_SHA_256' }];
    default:
      return [200, {}];
  }
}

/** The bucket's objects for ListObjectsV2 (prefix and delimiter honoured, as S3 does). */
const OBJECTS: [key: string, size: number, modified: string, etag: string][] = [
  ['b.txt', 3, '2023-11-14T22:13:21.000Z', 'def'],
  ['hello.txt', 22, '2023-11-14T22:13:20.000Z', 'abc'],
  ['web/css/site.css', 22, '2023-11-14T22:13:22.000Z', 'abc'],
  ['web/index.html', 22, '2023-11-14T22:13:23.000Z', 'abc'],
];

function listing(bucket: string, q: Record<string, string>): string {
  const prefix = q.prefix ?? '';
  const contents: string[] = [];
  const common = new Set<string>();
  for (const [key, size, modified, etag] of OBJECTS) {
    if (!key.startsWith(prefix)) continue;
    const cut = q.delimiter ? key.indexOf(q.delimiter, prefix.length) : -1;
    if (cut >= 0) common.add(key.slice(0, cut + 1));
    else
      contents.push(
        `<Contents><Key>${key}</Key><LastModified>${modified}</LastModified><ETag>"${etag}"</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
  }
  const prefixes = [...common].map((p) => `<CommonPrefixes><Prefix>${p}</Prefix></CommonPrefixes>`).join('');
  const delimiter = q.delimiter ? `<Delimiter>${q.delimiter}</Delimiter>` : '';
  const encoding = q['encoding-type'] ? `<EncodingType>${q['encoding-type']}</EncodingType>` : '';
  return `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${prefix}</Prefix>${delimiter}${encoding}<KeyCount>${contents.length + common.size}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join('')}${prefixes}</ListBucketResult>`;
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const TRUST = encodeURIComponent(
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}',
);
const USER = (name: string) =>
  `<Path>/</Path><UserName>${name}</UserName><UserId>AIDAEXAMPLE${name.length}</UserId><Arn>arn:aws:iam::111122223333:user/${name}</Arn><CreateDate>2023-11-14T22:13:20Z</CreateDate>`;
const ROLE = (name: string) =>
  `<Path>/</Path><RoleName>${name}</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::111122223333:role/${name}</Arn><CreateDate>2023-11-14T22:13:20Z</CreateDate><AssumeRolePolicyDocument>${TRUST}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration>`;

/** IAM's Query answers for the actions the tables use; a name 'ghost' does not exist. */
function iam(form: URLSearchParams): [number, string] {
  const action = form.get('Action')!;
  const name = form.get('UserName') ?? form.get('RoleName') ?? 'lab';
  if (name === 'ghost')
    return [
      404,
      `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name ghost cannot be found.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
    ];
  const results: Record<string, string> = {
    CreateUser: `<User>${USER(name)}</User>`,
    GetUser: `<User>${USER(name)}<Tags><member><Key>team</Key><Value>security</Value></member></Tags></User>`,
    ListUsers: `<Users><member>${USER('admin')}</member><member>${USER('app')}</member></Users><IsTruncated>false</IsTruncated>`,
    CreateRole: `<Role>${ROLE(name)}</Role>`,
    GetRole: `<Role>${ROLE(name)}</Role>`,
    ListRoles: `<Roles><member>${ROLE('KeyUser')}</member></Roles><IsTruncated>false</IsTruncated>`,
    GetUserPolicy: `<UserName>${name}</UserName><PolicyName>kms</PolicyName><PolicyDocument>${encodeURIComponent('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}')}</PolicyDocument>`,
    ListUserPolicies: '<PolicyNames><member>kms</member></PolicyNames><IsTruncated>false</IsTruncated>',
    CreateAccessKey: `<AccessKey><UserName>${name}</UserName><AccessKeyId>AKIAEXAMPLE</AccessKeyId><Status>Active</Status><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey><CreateDate>2023-11-14T22:13:20Z</CreateDate></AccessKey>`,
    ListAccessKeys: `<AccessKeyMetadata><member><UserName>${name}</UserName><AccessKeyId>AKIAEXAMPLE</AccessKeyId><Status>Active</Status><CreateDate>2023-11-14T22:13:20Z</CreateDate></member></AccessKeyMetadata><IsTruncated>false</IsTruncated>`,
    ListUserTags:
      '<Tags><member><Key>team</Key><Value>security</Value></member></Tags><IsTruncated>false</IsTruncated>',
  };
  const result = results[action];
  return [
    200,
    `<${action}Response xmlns="${IAM_NS}">${result === undefined ? '' : `<${action}Result>${result}</${action}Result>`}<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`,
  ];
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;

function s3(r: Recorded, rest: string[]): [number, Record<string, string>, string | Buffer] {
  const [bucket, ...keyParts] = rest;
  const key = keyParts.join('/');
  if (bucket === 'missing' || key === 'missing') {
    if (r.method === 'HEAD') return [404, {}, ''];
    return [
      404,
      { 'content-type': 'application/xml' },
      xml(
        '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing</Key></Error>',
      ),
    ];
  }
  if (!bucket)
    return [
      200,
      { 'content-type': 'application/xml' },
      xml(
        '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>abc</ID><DisplayName>me</DisplayName></Owner><Buckets><Bucket><Name>kms-lab-bucket</Name><CreationDate>2023-11-14T22:13:20.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>',
      ),
    ];
  const q = r.query;
  if ('encryption' in q) {
    if (r.method === 'GET')
      return [
        200,
        { 'content-type': 'application/xml' },
        xml(
          `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>${ARN}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
        ),
      ];
    return [200, {}, ''];
  }
  if ('uploads' in q)
    return [
      200,
      { 'content-type': 'application/xml' },
      xml(
        `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>upload-1</UploadId></InitiateMultipartUploadResult>`,
      ),
    ];
  if ('uploadId' in q && r.method === 'POST')
    return [
      200,
      { 'content-type': 'application/xml' },
      xml(
        `<CompleteMultipartUploadResult><Location>http://x/${bucket}/${key}</Location><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"etag-mpu-2"</ETag></CompleteMultipartUploadResult>`,
      ),
    ];
  if ('uploadId' in q && r.method === 'PUT') return [200, { etag: '"etag-part"' }, ''];
  if ('uploadId' in q && r.method === 'DELETE') return [204, {}, ''];
  if (q['list-type'] === '2') return [200, { 'content-type': 'application/xml' }, xml(listing(bucket!, q))];
  const objectHeaders = {
    'last-modified': 'Tue, 14 Nov 2023 22:13:20 GMT',
    etag: '"abc"',
    'content-type': 'text/plain',
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': ARN,
    'x-amz-meta-purpose': 'lab',
  };
  if (r.method === 'HEAD' && key) return [200, { ...objectHeaders, 'content-length': '22' }, ''];
  if (r.method === 'HEAD') return [200, { 'x-amz-bucket-region': 'us-east-1' }, ''];
  if (r.method === 'GET' && key) {
    const body = Buffer.from('hello from kms s3 lab\n');
    const range = r.headers.range;
    if (range) {
      const [a, b] = range.replace('bytes=', '').split('-').map(Number);
      return [
        206,
        { ...objectHeaders, 'content-range': `bytes ${a}-${b}/${body.length}`, 'content-length': String(b! - a! + 1) },
        body.subarray(a!, b! + 1),
      ];
    }
    return [200, { ...objectHeaders, 'content-length': String(body.length) }, body];
  }
  if (r.method === 'PUT' && key && r.headers['x-amz-copy-source'])
    return [
      200,
      { 'content-type': 'application/xml' },
      xml(
        '<CopyObjectResult><LastModified>2023-11-14T22:13:20.000Z</LastModified><ETag>"abc"</ETag></CopyObjectResult>',
      ),
    ];
  if (r.method === 'PUT' && key)
    return [
      200,
      { etag: '"abc"', 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': ARN },
      '',
    ];
  if (r.method === 'PUT') return [200, { location: `/${bucket}` }, ''];
  if (r.method === 'DELETE') return [204, {}, ''];
  return [400, {}, ''];
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface Recorder {
  url: string;
  runs: Map<string, Recorded[]>;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const runs = new Map<string, Recorded[]>();
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url!, 'http://x');
    const segments = url.pathname.split('/').slice(1);
    const run = decodeURIComponent(segments.shift() ?? '');
    // Our SDK endpoints add the service segment (/kms, /sts, /s3); the CLI's --endpoint-url does not.
    if (['kms', 'sts', 's3', 'iam'].includes(segments[0] ?? '') && run.startsWith('mine')) segments.shift();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = String(v);
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => (query[k] = v));
    const rec: Recorded = {
      method: req.method!,
      path: '/' + segments.map(decodeURIComponent).join('/'),
      query,
      headers,
      body,
    };
    (runs.get(run) ?? runs.set(run, []).get(run)!).push(rec);
    const target = headers['x-amz-target'];
    if (target?.startsWith('TrentService.')) {
      const [status, out] = kms(target.slice('TrentService.'.length), JSON.parse(body.toString() || '{}'));
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' });
      return res.end(JSON.stringify(out));
    }
    const form = new URLSearchParams(body.toString());
    if (form.get('Action') === 'GetCallerIdentity') {
      res.writeHead(200, { 'content-type': 'text/xml' });
      return res.end(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/lab</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
      );
    }
    const sessionCreds =
      '<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey><SessionToken>IQoJb3JpZ2luX2VjEXAMPLE</SessionToken><Expiration>2023-11-14T23:13:20Z</Expiration></Credentials>';
    if (form.get('Action') === 'AssumeRole' || form.get('Action') === 'GetSessionToken') {
      const action = form.get('Action')!;
      const extra =
        action === 'AssumeRole'
          ? `<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:${form.get('RoleSessionName')}</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/KeyUser/${form.get('RoleSessionName')}</Arn></AssumedRoleUser>${form.has('Policy') ? '<PackedPolicySize>6</PackedPolicySize>' : ''}`
          : '';
      res.writeHead(200, { 'content-type': 'text/xml' });
      return res.end(
        `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${sessionCreds}${extra}</${action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`,
      );
    }
    if (form.get('Version') === '2010-05-08') {
      const [status, out] = iam(form);
      res.writeHead(status, { 'content-type': 'text/xml' });
      return res.end(out);
    }
    const [status, hdrs, out] = s3(rec, segments.map(decodeURIComponent));
    res.writeHead(status, { 'x-amz-request-id': 'req-1', ...hdrs });
    res.end(req.method === 'HEAD' ? undefined : out);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    runs,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
