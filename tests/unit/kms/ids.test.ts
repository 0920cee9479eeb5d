// Key IDs, ARNs and alias names (src/kms/ids.ts), DESIGN.md contract 3.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KmsError, NotAuthorizedException, NotFoundException, ValidationException } from '../../../src/kms/errors';
import {
  aliasArn,
  checkAliasName,
  isKeyId,
  keyArn,
  parseKeyRef,
  roleOfSession,
  rootArn,
  uuidV4,
} from '../../../src/kms/ids';

const ks = { region: 'us-east-1', accountId: '111122223333' };
const ID = '1234abcd-12ab-44cd-96ef-1234567890ab';

describe('uuidV4', () => {
  it('sets the version and variant bits whatever the random bytes are', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), (bytes) => {
        const id = uuidV4(bytes);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(isKeyId(id)).toBe(true);
      }),
    );
  });

  it("does not change the caller's bytes", () => {
    const b = new Uint8Array(16).fill(0xff);
    uuidV4(b);
    expect([...b]).toEqual(new Array(16).fill(0xff));
  });

  it('Precondition: needs 16 random bytes', () => {
    expect(() => uuidV4(new Uint8Array(15))).toThrow();
  });
});

describe('isKeyId', () => {
  it.each([
    [ID, true],
    ['mrk-1234abcd12ab34cd56ef1234567890ab', true],
    [ID.toUpperCase(), false],
    ['1234abcd-12ab-34cd-56ef-1234567890ab', false], // not version 4
    ['mrk-1234', false],
    ['', false],
    [`${ID} `, false],
    ['alias/x', false],
  ])('%j → %s', (s, ok) => expect(isKeyId(s)).toBe(ok));
});

describe('ARNs', () => {
  it('spells key, alias and root ARNs as AWS does', () => {
    expect(keyArn(ks, ID)).toBe(`arn:aws:kms:us-east-1:111122223333:key/${ID}`);
    expect(aliasArn(ks, 'alias/x')).toBe('arn:aws:kms:us-east-1:111122223333:alias/x');
    expect(rootArn(ks)).toBe('arn:aws:iam::111122223333:root');
  });
});

describe('parseKeyRef', () => {
  it('accepts the four forms AWS accepts', () => {
    expect(parseKeyRef(ks, ID)).toEqual({ kind: 'key', keyId: ID });
    expect(parseKeyRef(ks, keyArn(ks, ID))).toEqual({ kind: 'key', keyId: ID });
    expect(parseKeyRef(ks, 'alias/my-key')).toEqual({ kind: 'alias', aliasName: 'alias/my-key' });
    expect(parseKeyRef(ks, aliasArn(ks, 'alias/my-key'))).toEqual({ kind: 'alias', aliasName: 'alias/my-key' });
  });

  it('round-trips every generated key ID through its ARN', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const id = uuidV4(b);
        expect(parseKeyRef(ks, keyArn(ks, id))).toEqual({ kind: 'key', keyId: id });
      }),
    );
  });

  it.each([
    ['another region', `arn:aws:kms:eu-west-1:111122223333:key/${ID}`],
    ['another account', `arn:aws:kms:us-east-1:444455556666:key/${ID}`],
    ['another partition', `arn:aws-cn:kms:us-east-1:111122223333:key/${ID}`],
    ['another service', `arn:aws:s3:us-east-1:111122223333:key/${ID}`],
    ['alias ARN of another region', 'arn:aws:kms:eu-west-1:111122223333:alias/x'],
    ['an ARN of no key', 'arn:aws:kms:us-east-1:111122223333:grant/x'],
    ['a malformed key ARN', 'arn:aws:kms:us-east-1:111122223333:key/not-a-uuid'],
    ['a bare word', 'my-key'],
    ['an uppercase UUID', ID.toUpperCase()],
  ])('%s → NotFoundException', (_why, id) => {
    expect(() => parseKeyRef(ks, id)).toThrow(NotFoundException);
  });

  it('rejects alias names and alias ARNs where only keys are accepted (NotFoundException)', () => {
    expect(() => parseKeyRef(ks, 'alias/x', { aliases: false })).toThrow(NotFoundException);
    expect(() => parseKeyRef(ks, aliasArn(ks, 'alias/x'), { aliases: false })).toThrow(NotFoundException);
    expect(parseKeyRef(ks, keyArn(ks, ID), { aliases: false })).toEqual({ kind: 'key', keyId: ID });
  });

  it('throws only KmsErrors for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        try {
          parseKeyRef(ks, s);
        } catch (e) {
          expect(e).toBeInstanceOf(NotFoundException);
        }
      }),
    );
  });
});

describe('checkAliasName', () => {
  it.each(['alias/a', 'alias/ExampleAlias', 'alias/a/b_c-d', `alias/${'x'.repeat(250)}`, 'alias/AWS/s3', 'alias/a/'])(
    'accepts %s',
    (name) => {
      expect(() => checkAliasName(name)).not.toThrow();
    },
  );

  it.each([
    ['empty', '', ValidationException],
    ['over 256 characters', `alias/${'x'.repeat(251)}`, ValidationException],
    ['a space', 'alias/my key', ValidationException],
    ['a dot', 'alias/my.key', ValidationException],
    ['non-ASCII', 'alias/clé', ValidationException],
    ['no alias/ prefix', 'my-key', ValidationException],
    ['only the prefix', 'alias/', ValidationException],
    ['the wrong case of prefix', 'Alias/x', ValidationException],
    ['the reserved alias/aws/ prefix', 'alias/aws/s3', NotAuthorizedException],
    ['a colon (the model admits it, KMS does not)', 'alias/a:b', ValidationException],
    ['an alias ARN', 'arn:aws:kms:us-east-1:111122223333:alias/a', ValidationException],
  ])('rejects %s', (_why, name, type) => {
    let err: unknown;
    try {
      checkAliasName(name);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(KmsError);
  });
});

describe('roleOfSession', () => {
  it('names the role behind a role session', () => {
    expect(roleOfSession('arn:aws:sts::111122223333:assumed-role/App/console')).toEqual({
      accountId: '111122223333',
      roleName: 'App',
      roleArn: 'arn:aws:iam::111122223333:role/App',
    });
    expect(roleOfSession('arn:aws:sts::111122223333:assumed-role/App/AKIA/x')?.roleArn).toBe(
      'arn:aws:iam::111122223333:role/App',
    );
  });

  it('is undefined for any other ARN', () => {
    for (const arn of [
      'arn:aws:iam::111122223333:role/App',
      'arn:aws:iam::111122223333:user/alice',
      'arn:aws:iam::111122223333:root',
      'arn:aws:sts::111122223333:assumed-role/App/',
      'arn:aws:sts::111122223333:assumed-role/App',
      'arn:aws:sts::1111:assumed-role/App/s',
      'xarn:aws:sts::111122223333:assumed-role/App/s',
      'arn:aws:sts::111122223333:assumed-role//s',
      '',
      '__proto__',
    ])
      expect(roleOfSession(arn), arn).toBeUndefined();
  });
});
