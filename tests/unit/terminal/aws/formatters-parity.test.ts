// The shorthand parser and the json/text/table/yaml formatters against the installed AWS CLI v2's own
// (awscli.shorthand, awscli.formatter run by python-oracle.py): many inputs, one Python process.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyQuery, formatOutput, type Json } from '../../../../src/terminal/aws/output';
import { ShorthandParseError, ShorthandParser } from '../../../../src/terminal/aws/shorthand';

const PYTHON = '/usr/bin/python3';
const HAVE = existsSync('/usr/bin/aws') && existsSync(PYTHON);
if (!HAVE) console.warn('SKIPPED formatters-parity: /usr/bin/aws (AWS CLI v2) is not installed');

type Req =
  { kind: 'shorthand'; value: string } | { kind: 'format'; format: string; data: Json; query?: string; title?: string };

function oracle(reqs: Req[]): ({ ok: unknown } | { error: string })[] {
  const out = execFileSync(PYTHON, [join(__dirname, 'python-oracle.py')], {
    input: reqs.map((r) => JSON.stringify(r)).join('\n') + '\n',
    encoding: 'utf8',
  });
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const SHORTHAND = [
  'TagKey=Project,TagValue=kms-lab',
  'Purpose=Lab,App=kms-demo',
  'a=b,c,d',
  'a=b,c=d,e',
  'a=\'x, y\',b="q\\"r"',
  'a=[b,c],d={e=f,g=[h,i]}',
  'a=b\\,c',
  'a= b ,c = d',
  'a=',
  'a=b,a=c',
  'a',
  'a=b c',
  'a=[b,{c=d}]',
  'Key=k,Values=v1,v2,v3',
  'EncryptionContextSubset={Purpose=Lab,App=x}',
  'Rules=[{ApplyServerSideEncryptionByDefault={SSEAlgorithm=aws:kms,KMSMasterKeyID=alias/kms-lab},BucketKeyEnabled=true}]',
  'a=https://example.com/x?y=z',
  'a=b=c',
  'a={b=c',
  "a='unterminated",
  'x.y:z#w/v-u_t=1',
  'a=[]',
  'a={}',
  'a=ü,b=日本',
];

const DESCRIBE: Json = {
  KeyMetadata: {
    AWSAccountId: '111122223333',
    KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    CreationDate: '2023-11-14T22:13:20.123000+00:00',
    Enabled: true,
    Description: '',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    PendingDeletionWindowInDays: 7,
  },
};
const POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  },
  null,
  2,
);
const DATA: { data: Json; query?: string; title?: string }[] = [
  { data: DESCRIBE },
  { data: DESCRIBE, query: 'KeyMetadata.KeyId' },
  { data: DESCRIBE, query: 'KeyMetadata.{Id:KeyId,On:Enabled}' },
  { data: { Aliases: [{ AliasName: 'alias/a', TargetKeyId: 'k' }, { AliasName: 'alias/aws/s3' }] } },
  {
    data: { Aliases: [{ AliasName: 'alias/a', TargetKeyId: 'k' }, { AliasName: 'alias/aws/s3' }] },
    query: 'Aliases[].AliasName',
  },
  {
    data: {
      Tags: [
        { TagKey: 'Project', TagValue: 'kms-lab' },
        { TagKey: 'Owner', TagValue: 'me' },
      ],
    },
  },
  { data: { Keys: [] } },
  { data: {} },
  { data: { Plaintext: 'AAECAwQFBgcICQoLDA0ODw==', KeyId: null } },
  {
    data: {
      Grants: [
        {
          GrantId: 'g',
          Operations: ['Encrypt', 'Decrypt'],
          Constraints: { EncryptionContextSubset: { Purpose: 'Lab' } },
        },
      ],
    },
  },
  {
    data: {
      A: 'yes',
      B: 'no',
      C: 'true',
      D: '123',
      E: '1.5',
      F: 'null',
      G: '~',
      H: '',
      I: 'a: b',
      J: '- x',
      K: '#c',
      L: "it's",
      M: 'x\ny',
    },
  },
  { data: { Arn: `arn:aws:kms:us-east-1:111122223333:key/${'a'.repeat(90)}` } },
  {
    data: {
      Nested: [
        [1, 2],
        [3, 4],
      ],
      Mixed: [1, 'a', true, null],
    },
  },
  { data: { Wide: [{ A: 'x'.repeat(60), B: 'y'.repeat(40) }] }, title: 'Wide' },
  {
    data: {
      Contents: [
        { Key: 'a.txt', Size: 1, Owner: { ID: 'o' } },
        { Key: 'b.txt', Size: 22, Owner: { ID: 'p' } },
      ],
    },
    title: 'ListObjectsV2',
  },
  { data: { Unicode: 'naïve 日本語', Number: 3 } },
];
const FORMATS = ['json', 'text', 'table', 'yaml'];

describe.skipIf(!HAVE)('shorthand and formatters behave as AWS CLI v2', () => {
  it('parses shorthand as the CLI does, and fails where it fails with its message', () => {
    const expected = oracle(SHORTHAND.map((value) => ({ kind: 'shorthand', value })));
    const parser = new ShorthandParser();
    const got = SHORTHAND.map((v) => {
      try {
        return { ok: parser.parse(v) };
      } catch (e) {
        if (!(e instanceof ShorthandParseError)) throw e;
        return { error: e.message };
      }
    });
    expect(got).toEqual(expected);
  });

  it('prints json, text, table and yaml as the CLI does', () => {
    const reqs: Req[] = DATA.flatMap((d) =>
      FORMATS.map((format) => ({ kind: 'format' as const, format, ...d, title: d.title ?? 'DescribeKey' })),
    );
    const expected = oracle(reqs);
    const got = reqs.map((r) => {
      if (r.kind !== 'format') throw new Error('format requests only');
      return { ok: formatOutput(r.format, applyQuery(r.data, r.query), r.title!, 80) };
    });
    const differ = reqs.flatMap((r, i) =>
      JSON.stringify(got[i]) === JSON.stringify(expected[i])
        ? []
        : [{ request: r, expected: expected[i], got: got[i] }],
    );
    expect(differ).toEqual([]);
  });

  it('prints long, multi-line, quoted and non-ASCII strings in yaml as the CLI does (libyaml folding and styles)', () => {
    const awkward = [
      'word '.repeat(30).trim(),
      'a b '.repeat(30),
      'x\ny',
      'x\n y',
      'x \ny',
      'very '.repeat(10) + 'x\ny',
      'x\ty',
      'café ☃',
      'emoji 🔑 key',
      "it's",
      '- dash',
      ': colon',
      ':x',
      'a: b',
      'a #b',
      'a#b',
      '',
      ' lead',
      'trail ',
      '2024-01-01',
      '2024-01-01T10:00:00Z',
      'yes',
      'null',
      'Null',
      '~',
      '123',
      '1_000',
      '0o17',
      '0x1F',
      '1e3',
      '.5',
      '.inf',
      'true',
      'True',
      '=',
      '<<',
      '*',
      '---',
      '...x',
      'back\\slash "quoted"',
      'nel\u0085 and nbsp\u00a0',
      'tab\tand long '.repeat(8),
      '  many   spaces   '.repeat(6),
      '"' + 'x'.repeat(90) + '"',
      'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab '.repeat(3).trim(),
    ];
    const reqs: Req[] = [
      { kind: 'format', format: 'yaml', data: { Policy: POLICY, PolicyName: 'default' } },
      { kind: 'format', format: 'yaml', data: { L: awkward } },
      { kind: 'format', format: 'yaml', data: Object.fromEntries(awkward.map((v, i) => [`K${i}`, v])) },
      { kind: 'format', format: 'yaml', data: Object.fromEntries(awkward.slice(0, 20).map((v) => [v, 1])) },
      { kind: 'format', format: 'yaml', data: { ['k'.repeat(130)]: 'long key', M: { N: [[1, 2], { a: [] }, {}] } } },
      { kind: 'format', format: 'yaml', data: [{ Nested: { Deep: { Deeper: 'word '.repeat(25).trim() } } }, []] },
      {
        kind: 'format',
        format: 'yaml',
        data: { F: [1.5, -2, 0, 1e21, 1e-7, 1.5e-5, 0.001, 123.456, 3.25e10, 1e16, true, false, null] },
      },
      { kind: 'format', format: 'yaml-stream', data: { M: 'x\ny', Long: 'word '.repeat(20).trim() } },
    ];
    const expected = oracle(reqs);
    const got = reqs.map((r) => (r.kind === 'format' ? { ok: formatOutput(r.format, r.data, 'Op', 80) } : {}));
    const differ = reqs.flatMap((r, i) =>
      JSON.stringify(got[i]) === JSON.stringify(expected[i])
        ? []
        : [{ request: r, expected: expected[i], got: got[i] }],
    );
    expect(differ).toEqual([]);
  });
});
