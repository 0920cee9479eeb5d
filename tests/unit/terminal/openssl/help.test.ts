// -help of each subcommand: the usage line and exit status of OpenSSL 3 (on standard error, nothing on
// standard output), listing only the options the terminal runs; `openssl help` lists the subcommands.

import { describe, expect, it } from 'vitest';
import { HAVE_OPENSSL, runOurs, runReal } from './harness';

const SUBCOMMANDS: [string, string[]][] = [
  ['rand', ['-hex', '-base64', '-out']],
  [
    'enc',
    [
      '-e',
      '-d',
      '-K',
      '-iv',
      '-k',
      '-pass',
      '-pbkdf2',
      '-iter',
      '-md',
      '-salt',
      '-nosalt',
      '-S',
      '-a',
      '-A',
      '-in',
      '-out',
      '-nopad',
      '-p',
      '-P',
    ],
  ],
  ['base64', ['-d', '-A', '-in', '-out']],
  ['dgst', ['-sign', '-verify', '-signature', '-sigopt', '-hmac', '-r', '-binary', '-out']],
  [
    'pkeyutl',
    [
      '-encrypt',
      '-decrypt',
      '-sign',
      '-verify',
      '-derive',
      '-pubin',
      '-inkey',
      '-keyform',
      '-peerkey',
      '-pkeyopt',
      '-sigfile',
    ],
  ],
  ['rsautl', ['-encrypt', '-decrypt', '-oaep', '-pkcs', '-raw', '-pubin', '-keyform']],
  ['pkey', ['-in', '-inform', '-outform', '-pubin', '-pubout', '-out']],
];

describe('openssl -help', () => {
  it.each(SUBCOMMANDS)('%s -help prints the supported options on stderr and exits 0', async (cmd, opts) => {
    const ours = await runOurs([cmd, '-help'], new Map());
    expect(ours.status).toBe(0);
    expect(ours.stdout.length).toBe(0);
    const listed = [...ours.stderr.matchAll(/^ (-\S+)/gm)].map((m) => m[1]);
    for (const o of opts) expect(listed).toContain(o);
    if (HAVE_OPENSSL) {
      const real = runReal([cmd, '-help'], new Map());
      expect(ours.stderr.split('\n')[0]).toBe(real.stderr.split('\n')[0]);
      expect(real.status).toBe(0);
    }
  });

  it('openssl help names the subcommands the terminal has', async () => {
    const r = await runOurs(['help'], new Map());
    const text = new TextDecoder().decode(r.stdout);
    for (const c of ['base64', 'dgst', 'enc', 'pkey', 'pkeyutl', 'rand', 'rsautl'])
      expect(text).toMatch(new RegExp(`\\b${c}\\b`));
    expect(r.status).toBe(0);
  });
});
