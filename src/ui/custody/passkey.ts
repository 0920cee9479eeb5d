// Passkeys as a keystore secret (ADR 0009): WebAuthn registration and assertion with the `prf` extension
// (WebAuthn Level 3, §10.1.4), which hands the page 32 bytes the authenticator derives from the credential
// and our input. The KMS worker turns them into a KEK with HKDF; WebAuthn is not available in workers.
// Plain TypeScript over an injected `navigator.credentials`, so unit tests drive it with a fake.

/** The text the fixed PRF input is the SHA-256 of. Fixed on purpose: the same credential must give the
 * same output at every unlock, and each passkey slot's random HKDF salt (the core's) already separates
 * keystores. Changing it would lock every passkey out of every keystore. */
export const PRF_SALT_LABEL = 'pocket-kms:custody:passkey-prf:v1';

/** A passkey's part of SecretInput: the PRF output and the credential it came from. */
export interface PasskeySecret {
  prf: Uint8Array;
  credentialId: Uint8Array;
}

/** The two calls this module makes (navigator.credentials in a browser, a fake in tests). */
export type PasskeyCredentials = Pick<CredentialsContainer, 'create' | 'get'>;

/** The authenticator or the browser has no PRF: such a passkey cannot give a key, so it is refused. */
export class PrfUnsupportedError extends Error {
  override name = 'PrfUnsupportedError';
  constructor() {
    super('This passkey or browser does not support the PRF extension, so it cannot unlock keys.');
  }
}

/** WebAuthn's own word for "no credential came back" (cancelled, timed out, or none of those allowed). */
function notAllowed(): Error {
  return Object.assign(new Error('The passkey prompt was cancelled or timed out.'), { name: 'NotAllowedError' });
}

let salt: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** SHA-256 of PRF_SALT_LABEL: the `eval.first` input of every PRF evaluation. */
export function prfSalt(): Promise<Uint8Array<ArrayBuffer>> {
  salt ??= crypto.subtle.digest('SHA-256', new TextEncoder().encode(PRF_SALT_LABEL)).then((d) => new Uint8Array(d));
  return salt;
}

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

function bytesOf(b: BufferSource): Uint8Array {
  return ArrayBuffer.isView(b)
    ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice()
    : new Uint8Array(b).slice();
}

/** A credential as both calls return it; the type says `Credential`, a public-key one carries these. */
function asPublicKey(c: Credential | null): PublicKeyCredential {
  if (!c || c.type !== 'public-key') throw notAllowed();
  return c as PublicKeyCredential;
}

/** The 32-byte PRF output of an assertion or registration, if the authenticator gave one. */
function prfOutput(c: PublicKeyCredential): Uint8Array | undefined {
  const first = c.getClientExtensionResults().prf?.results?.first;
  if (!first) return undefined;
  const out = bytesOf(first);
  if (out.length !== 32) throw new PrfUnsupportedError();
  return out;
}

/**
 * Registers a new passkey for this keystore and evaluates its PRF. `exclude` (the keystore's passkeys)
 * keeps one authenticator from being added twice. The challenge is not checked by anyone: no server
 * verifies this credential; what matters is the PRF output, which only the authenticator can make.
 * @throws NotAllowedError (cancelled or timed out), InvalidStateError (this authenticator is already one
 * of `exclude`), SecurityError (the address cannot have passkeys), PrfUnsupportedError.
 */
export async function createPasskey(
  credentials: PasskeyCredentials,
  exclude: Uint8Array[] = [],
  /** Another PRF input and account name (a passkey key store's: src/ui/keystores/store-kek.ts). */
  o: { prfInput?: Uint8Array<ArrayBuffer>; name?: string } = {},
): Promise<PasskeySecret> {
  const first = o.prfInput ?? (await prfSalt());
  const name = o.name ?? 'Pocket KMS keystore';
  const created = asPublicKey(
    await credentials.create({
      publicKey: {
        // rp.id defaults to the origin's host: a passkey belongs to the address the console is served from.
        rp: { name: 'Pocket KMS' },
        user: { id: random(16), name, displayName: name },
        challenge: random(32),
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ],
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
        excludeCredentials: exclude.map((id) => ({ type: 'public-key', id: id as Uint8Array<ArrayBuffer> })),
        extensions: { prf: { eval: { first } } },
      },
    }),
  );
  if (!created.getClientExtensionResults().prf?.enabled) throw new PrfUnsupportedError();
  const credentialId = bytesOf(created.rawId);
  // Most authenticators evaluate the PRF only on assertion (CTAP2 hmac-secret); some do it on creation too.
  const prf = prfOutput(created) ?? (await passkeyPrf(credentials, [credentialId], o.prfInput)).prf;
  return { prf, credentialId };
}

/**
 * Asks for one of `allow` (the keystore's passkeys) and evaluates its PRF.
 * @throws NotAllowedError (cancelled, timed out, or no such passkey here), SecurityError, PrfUnsupportedError.
 */
export async function passkeyPrf(
  credentials: PasskeyCredentials,
  allow: Uint8Array[],
  prfInput?: Uint8Array<ArrayBuffer>,
): Promise<PasskeySecret> {
  const first = prfInput ?? (await prfSalt());
  const got = asPublicKey(
    await credentials.get({
      publicKey: {
        challenge: random(32),
        allowCredentials: allow.map((id) => ({ type: 'public-key', id: id as Uint8Array<ArrayBuffer> })),
        userVerification: 'required',
        extensions: { prf: { eval: { first } } },
      },
    }),
  );
  const prf = prfOutput(got);
  if (!prf) throw new PrfUnsupportedError();
  return { prf, credentialId: bytesOf(got.rawId) };
}

/** The page's credentials container, or an error in WebAuthn's words when this browser has none. */
export function browserCredentials(): PasskeyCredentials {
  if (typeof navigator === 'undefined' || !navigator.credentials || typeof PublicKeyCredential === 'undefined') {
    throw Object.assign(new Error('This browser cannot use passkeys.'), { name: 'NotSupportedError' });
  }
  return navigator.credentials;
}
