// The `openssl` terminal command: the subset of OpenSSL 3's CLI that KMS lab sheets use (rand, enc,
// base64, dgst, pkeyutl, rsautl, pkey), on WebCrypto and @noble, with OpenSSL 3.0's output bytes,
// messages and exit statuses. Everything else is named as not available here.
//
// Known differences, on purpose: OpenSSL's error-stack lines ("40D7…:error:0308010C:…:file.c:386:")
// are not printed (the human line before them is); a passphrase prompt is replaced by a message naming
// -k/-pass; an unknown rsa_padding_mode in dgst -sigopt is refused (3.0 signs with PKCS#1 v1.5);
// enc -p with -K and no -nosalt prints a zero salt (3.0 prints uninitialised memory). Which algorithms
// run where (WebCrypto, @noble, BigInt RSA for PKCS#1 v1.5 encryption and digest signatures) is said
// in rsa.ts and sign.ts; tests/unit/terminal/openssl compares every line with /usr/bin/openssl.

import type { CommandIo, TerminalCommand } from '../io';
import { dgst } from './dgst';
import { enc } from './enc';
import { pkey } from './pkey';
import { pkeyutl, rsautl } from './pkeyutl';
import { rand } from './rand';

const COMMANDS: Record<string, (argv: readonly string[], io: CommandIo) => Promise<number>> = {
  base64: (argv, io) => enc('base64', argv, io),
  dgst,
  enc: (argv, io) => enc('enc', argv, io),
  pkey,
  pkeyutl,
  rand,
  rsautl,
  // Not OpenSSL's own line: a script that greps for "OpenSSL 3" still finds it, a person sees what runs.
  version: async (_argv, io) => (
    io.stdout('OpenSSL 3.0 subset of the Pocket KMS terminal (WebCrypto and @noble)\n'),
    0
  ),
};

/** OpenSSL 3's other commands: named as missing here rather than as unknown. */
const ELSEWHERE = new Set(
  (
    'asn1parse ca ciphers cmp cms crl crl2pkcs7 dhparam dsa dsaparam ec ecparam engine errstr fipsinstall gendsa ' +
    'genpkey genrsa info kdf list mac nseq ocsp passwd pkcs12 pkcs7 pkcs8 pkeyparam prime rehash req rsa s_client ' +
    's_server s_time sess_id smime speed spkac srp storeutl ts verify x509'
  ).split(' '),
);

/** Digest names OpenSSL 3 also runs as commands (`openssl sha256 file` is `openssl dgst -sha256 file`). */
const DIGEST_COMMANDS = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

function help(io: CommandIo): number {
  const names = [...Object.keys(COMMANDS), 'help'].sort();
  const rows: string[] = [];
  for (let i = 0; i < names.length; i += 4)
    rows.push(
      names
        .slice(i, i + 4)
        .map((n) => n.padEnd(18))
        .join(''),
    );
  io.stdout(
    `help:\n\nStandard commands (the ones this terminal runs)\n${rows.join('\n')}\n\n` +
      `Message Digest commands (see the \`dgst' command for more details)\n${[...DIGEST_COMMANDS].map((n) => n.padEnd(18)).join('')}\n\n` +
      "Cipher commands (see the `enc' command for more details)\naes-128-cbc       aes-256-cbc       aes128            aes256            base64            \n\n",
  );
  return 0;
}

export const openssl: TerminalCommand = async (argv, io) => {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '-help' || name === '--help') return help(io);
  const run = COMMANDS[name];
  if (run) return run(rest, io);
  if (DIGEST_COMMANDS.has(name)) return dgst([`-${name}`, ...rest], io);
  if (/^aes(-?(128|256))(-cbc)?$/.test(name)) return enc('enc', [`-${name}`, ...rest], io);
  if (ELSEWHERE.has(name)) {
    io.stderr(
      `openssl: '${name}' is an OpenSSL command this terminal does not have (it has ${Object.keys(COMMANDS).join(', ')})\n`,
    );
    return 1;
  }
  io.stderr(`Invalid command '${name}'; type "help" for a list.\n`);
  return 1;
};
