// Every item of a paged List* operation: follows NextMarker while the response says Truncated
// (AWS KMS paging: Limit, Marker, NextMarker, Truncated), one call after another.
import type { KmsResponses, SupportedOperation } from '../../worker/api';
import { kms, type KmsRequests } from '../kms-client.svelte';

/** The operations that answer a page (their response carries Truncated). */
export type PagedOperation = {
  [Op in SupportedOperation]: KmsResponses[Op] extends { Truncated: boolean } ? Op : never;
}[SupportedOperation];

/** The response fields of `Op` that hold its page of items (Keys, Aliases, Grants, Tags, …). */
export type ItemsField<Op extends PagedOperation> = {
  [F in keyof KmsResponses[Op]]: KmsResponses[Op][F] extends readonly unknown[] ? F : never;
}[keyof KmsResponses[Op]];

type Item<Op extends PagedOperation, F extends ItemsField<Op>> = KmsResponses[Op][F] extends readonly (infer I)[]
  ? I
  : never;

interface Page {
  NextMarker?: string | undefined;
  Truncated: boolean;
}

/** Calls `op` with `request`, then again with each NextMarker, until a response is not Truncated (or,
 * against a faulty server, has no NextMarker to go on); the items of `itemsField` of all pages in order.
 * @throws whatever a call throws (the pages read before it are dropped). */
export async function listAll<Op extends PagedOperation, F extends ItemsField<Op>>(
  op: Op,
  request: KmsRequests[Op],
  itemsField: F,
): Promise<Item<Op, F>[]> {
  const items: Item<Op, F>[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.call(op, { ...request, ...(marker ? { Marker: marker } : {}) });
    items.push(...(page[itemsField] as Item<Op, F>[]));
    const { NextMarker, Truncated } = page as Page;
    marker = Truncated ? NextMarker : undefined;
  } while (marker);
  return items;
}
