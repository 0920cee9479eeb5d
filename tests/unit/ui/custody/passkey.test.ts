// Passkeys as a keystore secret (src/ui/custody/passkey.ts) over a fake navigator.credentials: the
// options registration and assertion send, the fixed PRF input, PRF given on creation or only on
// assertion, PRF not supported, a cancelled prompt; and the console's words and logic for them.
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { CustodyInfo } from '../../../../src/worker/api';
import { CustodyLogic, type CustodyApi, type CustodyStatus } from '../../../../src/ui/custody/custody-logic';
import { describeCustodyError, opensWith } from '../../../../src/ui/custody/custody-words';
import {
  createPasskey,
  passkeyPrf,
  prfSalt,
  PRF_SALT_LABEL,
  PrfUnsupportedError,
  type PasskeyCredentials,
} from '../../../../src/ui/custody/passkey';

const RAW_ID = new Uint8Array([7, 7, 7, 7]);
const PRF = new Uint8Array(32).fill(9);
const SALT_HEX = createHash('sha256').update(PRF_SALT_LABEL).digest('hex');
const hex = (b: BufferSource | undefined) =>
  b === undefined ? undefined : Buffer.from(ArrayBuffer.isView(b) ? b.buffer : b).toString('hex');

/** A PublicKeyCredential as far as passkey.ts reads one. */
function credential(prf: AuthenticationExtensionsPRFOutputs | undefined): Credential {
  return {
    id: 'AAAA',
    type: 'public-key',
    rawId: RAW_ID.buffer.slice(0),
    getClientExtensionResults: () => (prf ? { prf } : {}),
  } as unknown as Credential;
}

function fake(opts: {
  create?: AuthenticationExtensionsPRFOutputs;
  get?: AuthenticationExtensionsPRFOutputs;
  fail?: string;
}) {
  const domError = (name: string) => Object.assign(new Error(name), { name });
  const credentials = {
    create: vi.fn(async (_o?: CredentialCreationOptions) => {
      if (opts.fail) throw domError(opts.fail);
      return credential(opts.create);
    }),
    get: vi.fn(async (_o?: CredentialRequestOptions) => {
      if (opts.fail) throw domError(opts.fail);
      return credential(opts.get);
    }),
  } satisfies PasskeyCredentials;
  return credentials;
}

describe('prfSalt', () => {
  it('is SHA-256 of pocket-kms:custody:passkey-prf:v1, 32 bytes, the same every time', async () => {
    expect(PRF_SALT_LABEL).toBe('pocket-kms:custody:passkey-prf:v1');
    expect(hex(await prfSalt())).toBe(SALT_HEX);
    expect(await prfSalt()).toBe(await prfSalt());
  });
});

describe('createPasskey', () => {
  it('registers with PRF enabled, then asks the new credential for its PRF output', async () => {
    const c = fake({ create: { enabled: true }, get: { results: { first: PRF } } });
    const secret = await createPasskey(c, [new Uint8Array([1])]);
    expect(secret).toEqual({ prf: PRF, credentialId: RAW_ID });
    const pk = c.create.mock.calls[0]![0]!.publicKey!;
    expect(pk.rp).toEqual({ name: 'Pocket KMS' });
    expect(pk.user.name).toBe('Pocket KMS keystore');
    expect(pk.user.displayName).toBe('Pocket KMS keystore');
    expect((pk.user.id as Uint8Array).length).toBe(16);
    expect(pk.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -257]);
    expect(pk.authenticatorSelection).toEqual({ residentKey: 'preferred', userVerification: 'required' });
    expect(hex(pk.extensions!.prf!.eval!.first)).toBe(SALT_HEX);
    expect(pk.excludeCredentials!.map((e) => [...(e.id as Uint8Array)])).toEqual([[1]]);
    const get = c.get.mock.calls[0]![0]!.publicKey!;
    expect(get.allowCredentials!.map((a) => [...(a.id as Uint8Array)])).toEqual([[...RAW_ID]]);
    expect(get.userVerification).toBe('required');
    expect(hex(get.extensions!.prf!.eval!.first)).toBe(SALT_HEX);
  });

  it('takes the PRF output from the registration when the authenticator gives it there', async () => {
    const c = fake({ create: { enabled: true, results: { first: PRF.buffer.slice(0) } } });
    expect(await createPasskey(c)).toEqual({ prf: PRF, credentialId: RAW_ID });
    expect(c.get).not.toHaveBeenCalled();
  });

  it('refuses a passkey without PRF (enabled false, or no prf result at all)', async () => {
    for (const create of [{ enabled: false }, undefined]) {
      const c = fake(create ? { create } : {});
      await expect(createPasskey(c)).rejects.toBeInstanceOf(PrfUnsupportedError);
      expect(c.get).not.toHaveBeenCalled();
    }
  });

  it('refuses a PRF output that is not 32 bytes', async () => {
    const c = fake({ create: { enabled: true }, get: { results: { first: new Uint8Array(16) } } });
    await expect(createPasskey(c)).rejects.toBeInstanceOf(PrfUnsupportedError);
  });

  it('passes on a cancelled prompt as NotAllowedError, and a null credential as one', async () => {
    await expect(createPasskey(fake({ fail: 'NotAllowedError' }))).rejects.toMatchObject({ name: 'NotAllowedError' });
    const nothing = { create: async () => null, get: async () => null };
    await expect(createPasskey(nothing)).rejects.toMatchObject({ name: 'NotAllowedError' });
  });
});

describe('passkeyPrf', () => {
  it('asks for the keystore’s passkeys only, and returns the PRF output with the credential used', async () => {
    const c = fake({ get: { results: { first: PRF } } });
    const ids = [new Uint8Array([1, 2]), RAW_ID];
    expect(await passkeyPrf(c, ids)).toEqual({ prf: PRF, credentialId: RAW_ID });
    const get = c.get.mock.calls[0]![0]!.publicKey!;
    expect(get.allowCredentials).toEqual(ids.map((id) => ({ type: 'public-key', id })));
    expect((get.challenge as Uint8Array).length).toBe(32);
  });

  it('refuses an assertion without PRF results', async () => {
    await expect(passkeyPrf(fake({ get: {} }), [RAW_ID])).rejects.toBeInstanceOf(PrfUnsupportedError);
  });

  it('passes on a cancelled prompt as NotAllowedError', async () => {
    await expect(passkeyPrf(fake({ fail: 'NotAllowedError' }), [RAW_ID])).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });
});

describe('passkey words', () => {
  const err = (name: string) => Object.assign(new Error('x'), { name });

  it('names a cancelled prompt, a wrong passkey and a passkey without PRF', () => {
    expect(describeCustodyError(err('NotAllowedError'), 'unlockPasskey').summary).toBe(
      'The passkey prompt was cancelled or timed out.',
    );
    expect(describeCustodyError(err('IncorrectSecretException'), 'unlockPasskey').summary).toBe(
      'That passkey does not unlock this keystore.',
    );
    expect(describeCustodyError(new PrfUnsupportedError(), 'addPasskey').summary).toBe(
      'This passkey or browser does not support the PRF extension, so it cannot unlock keys.',
    );
    expect(describeCustodyError(err('IncorrectSecretException'), 'addPasskey').summary).toBe(
      'The current passphrase is not correct.',
    );
  });

  it('says what opens the keystore', () => {
    const base: CustodyInfo = { mode: 'secret', locked: false, keys: 0, secrets: ['passphrase'] };
    expect(opensWith(base)).toBe('passphrase');
    const id = { credentialId: RAW_ID };
    expect(opensWith({ ...base, secrets: ['passphrase', 'passkey'], passkeys: [id] })).toBe('passphrase and 1 passkey');
    expect(opensWith({ ...base, secrets: ['passkey'], passkeys: [id, id] })).toBe('2 passkeys');
  });
});

describe('CustodyLogic with passkeys', () => {
  const OPEN: CustodyInfo = {
    mode: 'secret',
    locked: false,
    keys: 1,
    secrets: ['passphrase', 'passkey'],
    passkeys: [{ credentialId: RAW_ID }],
  };

  function setup() {
    const status: CustodyStatus = { info: undefined, statusError: undefined, errors: {}, busy: {} };
    const api = {
      unlock: vi.fn(async () => OPEN),
      changeSecret: vi.fn(async () => OPEN),
    } as unknown as CustodyApi;
    const keystoreChanged = vi.fn(async () => {});
    return { status, api, keystoreChanged, logic: new CustodyLogic(status, api, { keystoreChanged }) };
  }

  it('adds a passkey with the current passphrase, and keeps its credential ID in the status', async () => {
    const { status, api, logic } = setup();
    await logic.addPasskey('current passphrase', async () => ({ prf: PRF, credentialId: RAW_ID }));
    expect(api.changeSecret).toHaveBeenCalledWith(
      { passphrase: 'current passphrase' },
      { prf: PRF, credentialId: RAW_ID },
    );
    expect(status.info?.passkeys).toEqual([{ credentialId: RAW_ID }]);
  });

  it('unlocks with the passkey’s PRF output and reopens what depends on the keystore', async () => {
    const { api, keystoreChanged, logic } = setup();
    await logic.unlockWithPasskey(async () => ({ prf: PRF, credentialId: RAW_ID }));
    expect(api.unlock).toHaveBeenCalledWith({ prf: PRF, credentialId: RAW_ID });
    expect(keystoreChanged).toHaveBeenCalledWith('unlock');
  });

  it('keeps a cancelled prompt as the action’s error and calls nothing', async () => {
    const { status, api, logic } = setup();
    const cancelled = Object.assign(new Error('x'), { name: 'NotAllowedError' });
    expect(await logic.unlockWithPasskey(() => Promise.reject(cancelled))).toBeUndefined();
    expect(status.errors.unlockPasskey).toBe(cancelled);
    expect(status.busy.unlockPasskey).toBe(false);
    expect(api.unlock).not.toHaveBeenCalled();
  });
});
