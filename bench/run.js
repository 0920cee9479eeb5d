// npm run bench: latency and throughput of the KMS core, the endpoint, files, downloads, custody, the audit trail,
// S3 and the relay, in headless Chromium. Figures are medians over alternating rounds with their spread
// (bench/lib.js alternate); machines are shared and noisy, so read the ratios.
// BENCH_ONLY=s3 (or a comma list of core, endpoint, files, downloads, custody, audit, s3, relay) runs only those
// parts. `npm run bench -- --quick`: the development loop (under a minute): core and endpoint, fewer calls.
import { QUICK } from './lib.js';

const PARTS = ['core', 'endpoint', 'files', 'downloads', 'custody', 'audit', 's3', 'relay'];
const QUICK_PARTS = ['core', 'endpoint'];
const only = process.env.BENCH_ONLY?.split(',').map((p) => p.trim()) ?? (QUICK ? QUICK_PARTS : undefined);
const unknown = only?.filter((p) => !PARTS.includes(p)) ?? [];
if (unknown.length) throw new Error(`BENCH_ONLY names no part ${unknown.join(', ')}: choose from ${PARTS.join(', ')}`);
/** Whether to run a part: named in BENCH_ONLY, or when it is unset not skipped by BENCH_<PART>=0. */
const want = (part) => (only ? only.includes(part) : process.env[`BENCH_${part.toUpperCase()}`] !== '0');

// The core through page → Comlink → worker, beside raw AES-GCM and IndexedDB in that worker (bench/core.js).
if (want('core')) await import('./core.js');
// Audited Encrypt through the service worker's /kms, sequential and 16 concurrent callers (bench/endpoint.js).
if (want('endpoint')) await import('./endpoint.js');
// The file-encryption benchmark (bench/files.js) runs after, in its own browser; BENCH_FILES=0 skips it.
if (want('files')) await import('./files.js');
// The same file through the Files page to streamed downloads (bench/downloads.js); BENCH_DOWNLOADS=0 skips it.
if (want('downloads')) await import('./downloads.js');
// The custody benchmark (bench/custody.js): KDF guesses/s, unlock, before/after, backup; BENCH_CUSTODY=0 skips it.
if (want('custody')) await import('./custody.js');
// The audit-trail benchmark (bench/audit.js), also in its own browser; BENCH_AUDIT=0 skips it.
if (want('audit')) await import('./audit.js');
// S3 under /s3 with SSE-KMS beside the Files page's rate (bench/s3.js); BENCH_S3=0 skips it.
if (want('s3')) await import('./s3.js');
// Encrypt from Node through the local relay beside the same calls from the page (bench/relay.js); BENCH_RELAY=0 skips it.
if (want('relay')) await import('./relay.js');
