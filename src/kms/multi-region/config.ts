// What a multi-Region key is (ADR 0015, AWS KMS Developer Guide "Multi-Region keys"): its key ID
// (`mrk-` + 32 hex), DescribeKey's MultiRegionConfiguration, the Region names it accepts, and the rule
// that shared properties (material, rotation) change only through the primary.

import { toHex } from '../../format/bytes';
import { InvalidArnException, UnsupportedOperationException } from '../errors';
import { keyArn, type Keystore } from '../ids';
import type { KeyRecord, MultiRegionRecord } from '../records';

/** An AWS Region ID in the `aws` partition (us-east-1, ap-southeast-2, eu-central-2, us-gov-west-1…). */
const REGION = /^[a-z]{2}(-[a-z]+){1,2}-\d{1,2}$/;

export function isRegionName(s: string): boolean {
  return REGION.test(s);
}

/**
 * Checks a Region a request names (ReplicaRegion, PrimaryRegion).
 * @throws InvalidArnException when it is not an AWS Region ID: an ARN in it could not be valid.
 */
export function checkRegion(region: string, member: string): string {
  if (!isRegionName(region))
    throw new InvalidArnException(`${member} '${region.slice(0, 64)}' is not an AWS Region ID such as us-west-2.`);
  return region;
}

/** A new multi-Region key ID: `mrk-` and 32 lower-case hex digits (16 random bytes). */
export function mrkKeyId(random: Uint8Array): string {
  return `mrk-${toHex(random.slice(0, 16))}`;
}

/** The same key's ARN in another Region of the account. */
export function arnIn(ks: Keystore, region: string, keyId: string): string {
  return keyArn({ region, accountId: ks.accountId }, keyId);
}

/** DescribeKey's MultiRegion and MultiRegionConfiguration, as AWS returns them: ReplicaKeys lists every
 * replica (this key too when it is one); PrimaryKey is this key when it is the primary. */
export function multiRegionFields(ks: Keystore, k: KeyRecord) {
  const m = k.multiRegion;
  if (!m) return { MultiRegion: false as boolean };
  const at = (region: string) => ({ Arn: arnIn(ks, region, k.keyId), Region: region });
  return {
    MultiRegion: true as boolean,
    MultiRegionConfiguration: {
      MultiRegionKeyType: m.type,
      PrimaryKey: m.primaryArn ? { Arn: m.primaryArn, Region: m.primaryRegion } : at(m.primaryRegion),
      ReplicaKeys: m.replicaRegions.map(at),
    },
  };
}

/**
 * Shared properties (key material, automatic rotation) are changed on the primary key only; KMS
 * synchronizes them to its replicas.
 * @throws UnsupportedOperationException for a replica key
 */
export function requireNotReplica(key: KeyRecord): void {
  const m = key.multiRegion;
  if (m?.type === 'REPLICA')
    throw new UnsupportedOperationException(
      `${key.arn} is a multi-Region replica key: change its shared properties on its primary key in ${m.primaryRegion}.`,
    );
}

/** @throws UnsupportedOperationException when `key` is not a multi-Region key, or not its set's primary. */
export function requirePrimary(key: KeyRecord, op: string): MultiRegionRecord {
  const m = key.multiRegion;
  if (!m) throw new UnsupportedOperationException(`${op} needs a multi-Region key; ${key.arn} is a single-Region key.`);
  if (m.type !== 'PRIMARY')
    throw new UnsupportedOperationException(
      `${op} needs the multi-Region primary key; ${key.arn} is a replica of the primary in ${m.primaryRegion}.`,
    );
  return m;
}

/** The set's layout with `primary` as primary and `regions` as its replicas. */
export function layout(type: 'PRIMARY' | 'REPLICA', primary: string, regions: string[]): MultiRegionRecord {
  return { type, primaryRegion: primary, replicaRegions: [...new Set(regions)].filter((r) => r !== primary) };
}
