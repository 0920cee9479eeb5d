// A call's staged view of the shared transaction (src/store/staged-tx.ts): whatever a call writes, it reads
// back as IndexedDB would have answered had the write been made directly (point reads, lists by index, range
// deletes), and the store holds exactly that once the call commits. Checked against a model with fast-check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AliasRecord } from '../../../src/kms/records';
import { compareKeys } from '../../../src/store/staged-tx';
import { IdbStore } from '../../../src/store/idb-store';

let n = 0;
const names = ['alias/a', 'alias/b', 'alias/c', 'alias/d'];
const keys = ['k1', 'k2'];

type Op =
  | { op: 'put'; name: string; keyId: string; at: number }
  | { op: 'delete'; name: string }
  | { op: 'get'; name: string }
  | { op: 'list'; keyId?: string | undefined }
  | { op: 'putMeta'; name: string; value: number }
  | { op: 'getMeta'; name: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    name: fc.constantFrom(...names),
    keyId: fc.constantFrom(...keys),
    at: fc.nat(100),
  }),
  fc.record({ op: fc.constant('delete' as const), name: fc.constantFrom(...names) }),
  fc.record({ op: fc.constant('get' as const), name: fc.constantFrom(...names) }),
  fc.record({ op: fc.constant('list' as const), keyId: fc.option(fc.constantFrom(...keys), { nil: undefined }) }),
  fc.record({ op: fc.constant('putMeta' as const), name: fc.constantFrom('m1', 'm2'), value: fc.nat(9) }),
  fc.record({ op: fc.constant('getMeta' as const), name: fc.constantFrom('m1', 'm2') }),
);

const alias = (name: string, keyId: string, at: number): AliasRecord => ({
  name,
  keyId,
  createdAt: at,
  updatedAt: at,
});

describe('a staged call', () => {
  it('reads its own writes as IndexedDB would, and commits exactly them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 4 }), fc.array(opArb, { maxLength: 25 }), async (seed, ops) => {
        const s = await IdbStore.open(`staged-${n++}`);
        const aliases = new Map<string, AliasRecord>();
        const meta = new Map<string, number>();
        const model = (o: Op): unknown => {
          if (o.op === 'put') return void aliases.set(o.name, alias(o.name, o.keyId, o.at));
          if (o.op === 'delete') return void aliases.delete(o.name);
          if (o.op === 'putMeta') return void meta.set(o.name, o.value);
          if (o.op === 'get') return aliases.get(o.name);
          if (o.op === 'getMeta') return meta.get(o.name);
          return [...aliases.values()]
            .filter((a) => o.keyId === undefined || a.keyId === o.keyId)
            .sort((a, b) => compareKeys(a.name, b.name));
        };
        const run = (o: Op) =>
          s.write(async (tx) => {
            if (o.op === 'put') return void (await tx.putAlias(alias(o.name, o.keyId, o.at)));
            if (o.op === 'delete') return void (await tx.deleteAlias(o.name));
            if (o.op === 'putMeta') return void (await tx.putMeta(o.name, o.value));
            if (o.op === 'get') return tx.getAlias(o.name);
            if (o.op === 'getMeta') return tx.getMeta(o.name);
            return tx.listAliases(o.keyId);
          });
        // Committed state first, each op its own call; then all ops in one staged call.
        for (const o of seed) expect(await run(o)).toEqual(model(o));
        await s.write(async (tx) => {
          for (const o of ops) {
            let got: unknown;
            if (o.op === 'put') got = await tx.putAlias(alias(o.name, o.keyId, o.at));
            else if (o.op === 'delete') got = await tx.deleteAlias(o.name);
            else if (o.op === 'putMeta') got = await tx.putMeta(o.name, o.value);
            else if (o.op === 'get') got = await tx.getAlias(o.name);
            else if (o.op === 'getMeta') got = await tx.getMeta(o.name);
            else got = await tx.listAliases(o.keyId);
            expect(got).toEqual(model(o));
          }
        });
        expect(await s.read((tx) => tx.listAliases())).toEqual(model({ op: 'list' }));
        expect(await s.read(async (tx) => [await tx.getMeta('m1'), await tx.getMeta('m2')])).toEqual([
          meta.get('m1'),
          meta.get('m2'),
        ]);
        s.close();
      }),
      { numRuns: 60 },
    );
  });

  it('sees a range delete of materials in its own reads, and a later put of the same key', async () => {
    const s = await IdbStore.open(`staged-${n++}`);
    const rec = (version: number) => ({ keyId: 'k', version, materialId: `m${version}`, createdAt: 0 }) as never;
    await s.write(async (tx) => {
      await tx.putMaterial(rec(1));
      await tx.putMaterial(rec(2));
    });
    const seen = await s.write(async (tx) => {
      await tx.deleteMaterials('k');
      const gone = [await tx.getMaterial('k', 1), (await tx.listMaterials('k')).length];
      await tx.putMaterial(rec(3));
      return [...gone, (await tx.listMaterials('k')).map((m) => m.version), await tx.getMaterial('k', 2)];
    });
    expect(seen).toEqual([undefined, 0, [3], undefined]);
    expect((await s.read((tx) => tx.listMaterials('k'))).map((m) => m.version)).toEqual([3]);
  });

  it('orders keys as IndexedDB does: numbers, then strings by code unit, then arrays element by element', () => {
    const sorted = [['b', 1], 'a', 2, ['a', 10], 'B', ['a', 2], 1].sort(compareKeys);
    expect(sorted).toEqual([1, 2, 'B', 'a', ['a', 2], ['a', 10], ['b', 1]]);
  });
});
