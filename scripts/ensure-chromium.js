// Makes sure a Chromium for the browser tests is there: Debian's /usr/bin/chromium (or CHROMIUM_PATH).
// As root with apt-get it installs Debian's package; otherwise it stops and names the one command to run.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (isRoot && hasApt && !process.env.POCKET_KMS_NO_INSTALL) {
  console.log(`Chromium not found at ${path}; installing Debian's chromium package (a few minutes, once)…`);
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
    stdio: 'inherit',
  });
  if (existsSync(path)) process.exit(0);
}
console.error(
  `The browser tests need Chromium at ${path}. Install it with:\n\n  sudo apt-get update && sudo apt-get install -y chromium\n\nor set CHROMIUM_PATH to a Chromium binary.`,
);
process.exit(1);
