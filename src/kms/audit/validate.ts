// Validates an audit export as CloudTrail's validate-logs does: each digest's signature, the chain of
// digests (each names the previous one's path, hash and signature), and each listed log file's
// SHA-256. Reads members one at a time; only hashes and digests are kept.

import { fromPem, toHex } from '../../format/bytes';
import { derToP1363, gunzip, importPublicKey, sha256Hex, verifyDigest, type DigestFile } from './digest';
import { PUBLIC_KEY_FILE } from './export';
import type { TarMember } from './tar';

export type FileStatus = 'valid' | 'modified' | 'missing' | 'out-of-order' | 'not-listed';

export interface FileResult {
  path: string;
  type: 'log' | 'digest';
  status: FileStatus;
  detail: string;
}

export interface ValidationReport {
  /** Every file valid and the chain intact. */
  valid: boolean;
  chain: 'intact' | 'broken';
  /** Why the chain is broken, in digest order. */
  chainFindings: string[];
  logFiles: number;
  digests: number;
  /** Log files first in digest order, then digests, then files no digest lists. */
  files: FileResult[];
  /** Which public key verified the signatures: one given by the caller, or the archive's own copy
   * (which proves only that the archive is self-consistent). */
  keySource: 'given' | 'archive' | 'none';
  fingerprint?: string;
}

const isDigest = (p: string) => p.includes('/CloudTrail-Digest/') && p.endsWith('.json.gz');
const isLog = (p: string) => p.includes('/CloudTrail/') && p.endsWith('.json.gz');

interface SeenDigest {
  path: string;
  hash?: string;
  body?: DigestFile;
}

/** @param publicKeySpki the trusted public key (DER SPKI); without it the archive's public-key.pem is used. */
export async function validateExport(
  members: AsyncIterable<TarMember> | Iterable<TarMember>,
  publicKeySpki?: Uint8Array,
): Promise<ValidationReport> {
  const logs = new Map<string, string | null>(); // path → hex SHA-256 of the uncompressed content, null when unreadable
  const digests = new Map<string, SeenDigest>();
  const sigs = new Map<string, Uint8Array>();
  let archiveKey: Uint8Array | undefined;
  for await (const m of members) {
    if (m.path.endsWith('.json.gz.sig')) sigs.set(m.path.slice(0, -4), m.bytes.slice());
    else if (isDigest(m.path)) {
      const d: SeenDigest = { path: m.path };
      try {
        const body = await gunzip(m.bytes);
        d.hash = await sha256Hex(body);
        d.body = JSON.parse(new TextDecoder().decode(body)) as DigestFile;
      } catch {
        // Unreadable: reported as modified below.
      }
      digests.set(m.path, d);
    } else if (isLog(m.path)) {
      try {
        logs.set(m.path, await sha256Hex(await gunzip(m.bytes)));
      } catch {
        logs.set(m.path, null);
      }
    } else if (m.path === PUBLIC_KEY_FILE) {
      try {
        archiveKey = fromPem(new TextDecoder().decode(m.bytes));
      } catch {
        archiveKey = undefined;
      }
    }
  }

  const spki = publicKeySpki ?? archiveKey;
  const key = spki ? await importPublicKey(spki).catch(() => undefined) : undefined;
  const fingerprint = spki ? await sha256Hex(spki) : undefined;
  const files: FileResult[] = [];
  const digestResults: FileResult[] = [];
  const chainFindings: string[] = [];
  const order = [...digests.keys()].sort();
  const listedBy = new Map<string, string>(); // log path → listed hash
  const hashToPath = new Map<string, string>();

  for (let i = 0; i < order.length; i++) {
    const d = digests.get(order[i]!)!;
    const sig = sigs.get(d.path);
    let status: FileStatus = 'valid';
    let detail = 'The signature verifies.';
    if (!d.body || !d.hash || !Array.isArray(d.body.logFiles))
      [status, detail] = ['modified', 'The digest cannot be read.'];
    else if (!sig || !derToP1363(sig)) [status, detail] = ['modified', 'The digest has no valid signature file.'];
    else if (!key) [status, detail] = ['modified', 'No public key to verify the signature with.'];
    else if (fingerprint && d.body.digestPublicKeyFingerprint !== fingerprint)
      [status, detail] = ['modified', 'The digest was signed by another key.'];
    else if (d.body.digestS3Object !== d.path)
      [status, detail] = ['out-of-order', `The digest names itself ${d.body.digestS3Object}.`];
    else if (!(await verifyDigest(key, d.body, d.hash, sig)))
      [status, detail] = ['modified', 'The signature does not match the digest: it was changed.'];
    digestResults.push({ path: d.path, type: 'digest', status, detail });
    if (status !== 'valid') chainFindings.push(`${d.path}: ${detail}`);

    // The link to the previous digest.
    const prevPath = d.body?.previousDigestS3Object ?? null;
    const expected = i > 0 ? digests.get(order[i - 1]!) : undefined;
    if (d.body && prevPath === null && i > 0)
      chainFindings.push(`${d.path} starts a new chain, but ${order[i - 1]} comes before it.`);
    if (d.body && prevPath !== null) {
      const target = digests.get(prevPath);
      if (!target) {
        digestResults.push({
          path: prevPath,
          type: 'digest',
          status: 'missing',
          detail: `Named as the previous digest by ${d.path}, but absent.`,
        });
        chainFindings.push(`${prevPath} is missing.`);
      } else if (target !== expected) {
        chainFindings.push(
          `${d.path} follows ${prevPath}, not ${expected?.path ?? 'nothing'}: digests are out of order.`,
        );
      } else if (
        d.body.previousDigestHashValue !== target.hash ||
        d.body.previousDigestSignature !== toHex(sigs.get(prevPath) ?? new Uint8Array())
      ) {
        chainFindings.push(`${d.path} does not match the hash or signature of ${prevPath}.`);
      }
    }
    if (status === 'valid' || status === 'modified') {
      for (const l of d.body?.logFiles ?? []) {
        if (typeof l?.s3Object !== 'string') continue;
        listedBy.set(l.s3Object, l.hashValue);
        hashToPath.set(l.hashValue, l.s3Object);
      }
    }
  }

  for (const [path, listed] of listedBy) {
    if (!logs.has(path)) {
      files.push({ path, type: 'log', status: 'missing', detail: 'Listed in a digest, but absent.' });
      continue;
    }
    const actual = logs.get(path);
    if (actual === listed)
      files.push({ path, type: 'log', status: 'valid', detail: 'The SHA-256 matches the digest.' });
    else if (actual && hashToPath.has(actual))
      files.push({
        path,
        type: 'log',
        status: 'out-of-order',
        detail: `Holds the content listed for ${hashToPath.get(actual)}.`,
      });
    else
      files.push({
        path,
        type: 'log',
        status: 'modified',
        detail: actual === null ? 'It is not a valid gzip file any more.' : 'The SHA-256 does not match the digest.',
      });
  }
  for (const path of [...logs.keys()].sort()) {
    if (!listedBy.has(path))
      files.push({ path, type: 'log', status: 'not-listed', detail: 'No digest lists this file.' });
  }
  files.push(...digestResults);
  const chain = chainFindings.length === 0 ? 'intact' : 'broken';
  return {
    valid: chain === 'intact' && files.every((f) => f.status === 'valid') && order.length > 0,
    chain,
    chainFindings,
    logFiles: files.filter((f) => f.type === 'log').length,
    digests: order.length,
    files,
    keySource: publicKeySpki ? 'given' : archiveKey ? 'archive' : 'none',
    ...(fingerprint ? { fingerprint } : {}),
  };
}
