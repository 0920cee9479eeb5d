// TagResource, UntagResource, ListResourceTags, and AWS's tag rules (TagException).

import { KMSInvalidStateException, LimitExceededException, TagException, ValidationException } from '../errors';
import type { OpContext } from '../context';
import type { KeyRecord, Tag } from '../records';
import { DEMO_TAG } from '../demo';
import { optStringList, reqString, type Req } from '../validate';
import { page, readPaging } from './paging';

export const MAX_TAGS = 50;

/** Reads a Tags list: TagKey 1–128 characters, TagValue 0–256, no `aws:` prefix. */
export function readTags(req: Req, field = 'Tags'): Tag[] | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v))
    throw new ValidationException(
      `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must be a list of {TagKey, TagValue}`,
    );
  return v.map((t, i) => {
    if (typeof t !== 'object' || t === null)
      throw new ValidationException(
        `1 validation error detected: Value at 'tags.${i + 1}' failed to satisfy constraint: Member must be a {TagKey, TagValue} object`,
      );
    const { TagKey, TagValue } = t as Record<string, unknown>;
    if (typeof TagKey !== 'string' || TagKey.length < 1 || TagKey.length > 128) {
      throw new ValidationException(
        `1 validation error detected: Value at 'tags.${i + 1}.member.tagKey' failed to satisfy constraint: Member must have length between 1 and 128`,
      );
    }
    if (typeof TagValue !== 'string' || TagValue.length > 256) {
      throw new ValidationException(
        `1 validation error detected: Value at 'tags.${i + 1}.member.tagValue' failed to satisfy constraint: Member must have length between 0 and 256`,
      );
    }
    if (TagKey.toLowerCase().startsWith('aws:'))
      throw new TagException(`Tag key '${TagKey}' is reserved: tag keys that begin with 'aws:' belong to AWS.`);
    return { TagKey, TagValue };
  });
}

/** Applies new tags over existing ones (a repeated key takes the new value). */
export function mergeTags(existing: Tag[], add: Tag[], arn: string): Tag[] {
  const m = new Map(existing.map((t) => [t.TagKey, t.TagValue]));
  for (const t of add) m.set(t.TagKey, t.TagValue);
  if (m.size > MAX_TAGS)
    throw new LimitExceededException(`${arn} would have ${m.size} tags; a key can have at most ${MAX_TAGS}.`);
  return [...m].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

/** The demo-key tag (ADR 0018) is set by CreateKey only: never added to, changed on or removed from a key. */
function reserveDemoTag(key: KeyRecord, tagKeys: string[]): void {
  if (tagKeys.includes(DEMO_TAG))
    throw new TagException(
      `Tag ${DEMO_TAG} marks a demo key and is set only when one is created; ${key.arn} keeps its tag as it is.`,
    );
}

export async function tagResource(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const tags = readTags(req);
  if (!tags)
    throw new ValidationException(
      `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must not be null`,
    );
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    if (key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion')
      throw new KMSInvalidStateException(`${key.arn} is pending deletion; its tags cannot change.`);
    reserveDemoTag(
      key,
      tags.map((t) => t.TagKey),
    );
    await tx.putKey({ ...key, tags: mergeTags(key.tags, tags, key.arn) });
    return {};
  });
}

export async function untagResource(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const keys = optStringList(req, 'TagKeys', 50, 128);
  if (!keys)
    throw new ValidationException(
      `1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must not be null`,
    );
  return c.write(async (tx) => {
    const key = await c.resolve(tx, id, { aliases: false });
    if (key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion')
      throw new KMSInvalidStateException(`${key.arn} is pending deletion; its tags cannot change.`);
    reserveDemoTag(key, keys);
    await tx.putKey({ ...key, tags: key.tags.filter((t) => !keys.includes(t.TagKey)) });
    return {};
  });
}

export async function listResourceTags(c: OpContext, req: Req) {
  const id = reqString(req, 'KeyId');
  const { limit, after } = readPaging(req, 50, 50);
  const key = await c.write((tx) => c.resolve(tx, id, { aliases: false }));
  const sorted = [...key.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0));
  const p = page(sorted, (t) => t.TagKey, limit, after);
  return { Tags: p.items, ...(p.next ? { NextMarker: p.next } : {}), Truncated: p.next !== undefined };
}
