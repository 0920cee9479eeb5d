// Makes sure the tools the tests use are there: Debian's Chromium for the browser tests (or CHROMIUM_PATH),
// and the real AWS CLI v2, OpenSSL 3 and boto3 that the terminal and the relay are checked against.
// As root with apt-get it installs the missing Debian packages; otherwise it stops and names the one command to run.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasBoto3 = () => {
  try {
    execSync("/usr/bin/python3 -c 'import boto3'", { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const needs = () =>
  [
    [!existsSync(chromium), 'chromium'],
    [!existsSync('/usr/bin/aws'), 'awscli'],
    [!existsSync('/usr/bin/openssl'), 'openssl'],
    // AWS's import commands for RSA_AES_KEY_WRAP use xxd (tests/e2e/import-walkthrough.test.ts).
    [!existsSync('/usr/bin/xxd'), 'xxd'],
    [!hasBoto3(), 'python3-boto3'],
  ]
    .filter(([missing]) => missing)
    .map(([, pkg]) => pkg);

let missing = needs();
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
const install = `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`;
if (isRoot && hasApt && !process.env.POCKET_KMS_NO_INSTALL) {
  console.log(`The tests need Debian's ${missing.join(', ')}; installing (a few minutes, once)…`);
  execSync(install, { stdio: 'inherit' });
  missing = needs();
  if (missing.length === 0) process.exit(0);
}
console.error(
  `The tests need ${missing.join(', ')} (Debian packages). Install them with:\n\n  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\n` +
    (missing.includes('chromium') ? '\nor set CHROMIUM_PATH to a Chromium binary.' : ''),
);
process.exit(1);
