import { describe, expect, it } from 'vitest';
import { errorFamily } from '../../../src/format/named-errors';
import {
  exceptionClasses,
  KMSInternalException,
  KmsError,
  NotFoundException,
  rebuildError,
} from '../../../src/kms/errors';
import { MissingAuthenticationTokenException } from '../../../src/endpoint/sigv4';

describe('errorFamily', () => {
  it('names the class and its instances explicitly, and keeps the base', () => {
    const e = new NotFoundException('Key not found.');
    expect(e).toBeInstanceOf(KmsError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('NotFoundException');
    expect(NotFoundException.name).toBe('NotFoundException');
    expect(e.message).toBe('Key not found.');
    expect(e.fault).toBe('client');
  });

  it('sets per-class fields after the base constructor', () => {
    expect(new KMSInternalException('x').fault).toBe('server');
  });

  it('derives the table from the definitions, and rebuilds by name', () => {
    expect(exceptionClasses.NotFoundException).toBe(NotFoundException);
    expect(rebuildError('NotFoundException', 'm')).toBeInstanceOf(NotFoundException);
    expect(Object.keys(exceptionClasses)).not.toContain('MissingAuthenticationTokenException');
    expect(new MissingAuthenticationTokenException('m')).toBeInstanceOf(KmsError);
  });

  it('rebuilds an unknown or hostile name as KMSInternalException', () => {
    for (const name of [
      'KmsError',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      '',
      'notfoundexception',
    ]) {
      expect(rebuildError(name, 'm'), name).toBeInstanceOf(KMSInternalException);
    }
  });

  /* Precondition: a name is defined once per family (the table is keyed by it). */
  it('a name is defined once per family (the table is keyed by it)', () => {
    const f = errorFamily(Error);
    f.define('OnceError');
    expect(() => f.define('OnceError')).toThrow(RangeError);
    expect(errorFamily(Error).define('OnceError').name).toBe('OnceError');
  });
});
