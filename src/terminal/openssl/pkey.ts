// `openssl pkey` (OpenSSL 3 apps/pkey.c): reads a public or private key in PEM or DER and writes it
// as OpenSSL 3 does — SubjectPublicKeyInfo for -pubin/-pubout, PKCS#8 for private keys.

import type { CommandIo } from '../io';
import { formatOf, parseArgs, type CommandSpec } from './args';
import { encodePkcs8Of, encodeSpkiOf, pemOf } from './keys';
import { loadKey } from './load-key';
import { writeOutput } from './stdio';

const flag = (help: string) => ({ type: '-' as const, help });

export const PKEY_SPEC: CommandSpec = {
  prog: 'pkey',
  usage: '[options]',
  sections: [
    { title: 'General options', opts: { help: flag('Display this summary') } },
    {
      title: 'Input options',
      opts: {
        in: { type: 's', help: 'Input key' },
        inform: { type: 'f', help: 'Input format (DER or PEM)' },
        pubin: flag('Read public key from input (default is private key)'),
      },
    },
    {
      title: 'Output options',
      opts: {
        out: { type: '>', help: 'Output file for encoded and/or text output' },
        outform: { type: 'F', help: 'Output encoding format (DER or PEM)' },
        pubout: flag('Restrict encoded output to public components'),
        noout: flag('Do not output the key in encoded form'),
      },
    },
  ],
};

export async function pkey(argv: readonly string[], io: CommandIo): Promise<number> {
  const a = parseArgs(PKEY_SPEC, argv, io, true);
  if (a === 'help') return 0;
  if (!a) return 1;
  if (a.unknown.length) {
    io.stderr(`pkey: -${a.unknown.at(-1)}: this terminal writes keys unencrypted only (no cipher options)\n`);
    return 1;
  }
  if (a.rest.length) return (io.stderr('pkey: Use -help for summary.\n'), 1);
  const pubin = a.has('pubin');
  const inform = a.has('inform') ? formatOf(a.get('inform')!) : undefined;
  const outform = a.has('outform') ? formatOf(a.get('outform')!)! : 'PEM';
  const path = a.get('in');
  const key = await loadKey(
    io,
    path,
    pubin ? 'public' : 'private',
    inform,
    pubin ? 'key of Public Key' : 'key',
    pubin ? 'public key of Public Key' : 'key',
  );
  if (!key) return 1;
  if (a.has('noout')) return 0;
  const pub = pubin || a.has('pubout');
  if (!pub && key.type === 'rsa' && !key.priv) return (io.stderr('pkey: the key has no private part\n'), 1);
  const der = pub ? encodeSpkiOf(key) : encodePkcs8Of(key);
  const out = outform === 'DER' ? der : pemOf(der, pub ? 'PUBLIC KEY' : 'PRIVATE KEY');
  return (await writeOutput(io, a.get('out'), out, 'pkey')) ? 0 : 1;
}
