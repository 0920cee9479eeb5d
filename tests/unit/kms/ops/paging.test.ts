// Paging of the List* operations (src/kms/ops/paging.ts): a Marker this keystore did not issue is
// InvalidMarkerException, refused before anything is read or written, so the call leaves exactly
// one audit record (its failure), never a success record followed by a failure with the same eventID.
import { describe, expect, it } from 'vitest';
import { decodeMarker, encodeMarker } from '../../../../src/kms/ops/paging';
import { InvalidMarkerException } from '../../../../src/kms/errors';
import { freshKms, rejectsWith } from '../../helpers/kms';

const BAD_MARKERS = ['not-a-marker', 'AAAA', '!!', btoa('pk1:').replaceAll('=', ''), 'x'.repeat(1024)];

describe('List* with a bad Marker', () => {
  it.each([
    'ListKeys',
    'ListAliases',
    'ListGrants',
    'ListRetirableGrants',
    'ListKeyPolicies',
    'ListKeyRotations',
    'ListResourceTags',
  ])('%s: InvalidMarkerException and exactly one audit record for the call', async (op) => {
    const f = await freshKms();
    const k = await f.createKey();
    const request = {
      ListKeys: {},
      ListAliases: {},
      ListGrants: { KeyId: k.KeyId },
      ListRetirableGrants: { RetiringPrincipal: `arn:aws:iam::${f.kms.keystore.accountId}:root` },
      ListKeyPolicies: { KeyId: k.KeyId },
      ListKeyRotations: { KeyId: k.KeyId },
      ListResourceTags: { KeyId: k.KeyId },
    }[op]!;
    for (const Marker of BAD_MARKERS) {
      const before = (await f.audit()).length;
      await rejectsWith(f.call(op, { ...request, Marker }), 'InvalidMarkerException');
      const added = (await f.audit()).slice(before);
      expect(added, `${op} with Marker ${Marker.slice(0, 20)}`).toHaveLength(1);
      expect(new Set((await f.audit()).map((e) => e.eventId)).size).toBe((await f.audit()).length);
      expect(added[0]).toMatchObject({ eventName: op, errorCode: 'InvalidMarkerException' });
      expect(added[0]!.record).toMatchObject({ eventName: op, errorCode: 'InvalidMarkerException' });
    }
    // A marker this keystore issued still pages, and is one record too.
    const before = (await f.audit()).length;
    expect(await f.call(op, { ...request, Marker: encodeMarker('0') })).toMatchObject({ Truncated: false });
    expect((await f.audit()).slice(before)).toMatchObject([{ eventName: op }]);
  });
});

describe('markers', () => {
  it('round-trip any sort key; anything else is InvalidMarkerException', () => {
    for (const s of ['a', 'alias/x', '\u00e9\u{1F600}', '000000000000001|abc'])
      expect(decodeMarker(encodeMarker(s))).toBe(s);
    for (const m of BAD_MARKERS) expect(() => decodeMarker(m)).toThrow(InvalidMarkerException);
  });
});
