// Reproducible build check: builds the app twice into fresh directories and compares the SHA-256 of
// every file; with --against <url>, also compares each file with the copy that origin serves.
//   node scripts/reproducible-build.js                      (npm run build:verify)
//   node scripts/reproducible-build.js --against https://kms.example.org/
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const walk = (d) =>
  readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));

function build(dir) {
  // NODE_ENV changes what Vite and Svelte emit (a test runner sets it to "test"): always production.
  const env = { ...process.env, NODE_ENV: 'production' };
  execFileSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'error'],
    { stdio: 'inherit', env },
  );
  return Object.fromEntries(
    walk(dir)
      .map((f) => [relative(dir, f).split('\\').join('/'), sha256(readFileSync(f))])
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

const root = mkdtempSync(join(tmpdir(), 'pocket-kms-repro-'));
let failed = false;
try {
  const a = build(join(root, 'a'));
  const b = build(join(root, 'b'));
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const differ = names.filter((n) => a[n] !== b[n]);
  const info = JSON.parse(readFileSync(join(root, 'a', 'build-info.json'), 'utf8'));
  console.log(`${names.length} files, build hash ${info.buildHash}, source hash ${info.sourceHash}`);
  console.log(`sw.js ${a['sw.js']}`);
  if (differ.length) {
    failed = true;
    console.error(`NOT reproducible: ${differ.join(', ')}`);
  } else console.log('Reproducible: two builds are identical, byte for byte.');
  const at = process.argv.indexOf('--against');
  if (at > 0) {
    const base = process.argv[at + 1].replace(/\/?$/, '/');
    for (const n of names) {
      if (n === '_headers') continue; // read by the host, not served
      const r = await fetch(new URL(n, base));
      const got = r.ok ? sha256(new Uint8Array(await r.arrayBuffer())) : `HTTP ${r.status}`;
      const same = got === a[n];
      if (!same) failed = true;
      console.log(`${same ? 'same     ' : 'DIFFERENT'} ${n}`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
