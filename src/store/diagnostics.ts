// Storage floor for `npm run bench`: the cost of one IndexedDB transaction in this browser, on a
// scratch database that is deleted afterwards.
import { deleteDB, openDB } from 'idb';

export async function measureIdb(iterations: number): Promise<{ read: number[]; write: number[] }> {
  const name = 'pocket-kms-bench-scratch';
  const db = await openDB(name, 1, { upgrade: (d) => void d.createObjectStore('s', { autoIncrement: true }) });
  const read: number[] = [];
  const write: number[] = [];
  // About the size of an audit record.
  const record = { eventName: 'Encrypt', payload: 'x'.repeat(900) };
  try {
    for (let i = 0; i < iterations; i++) {
      let t = performance.now();
      const w = db.transaction('s', 'readwrite', { durability: 'relaxed' });
      void w.store.add(record);
      await w.done;
      write.push(performance.now() - t);
      t = performance.now();
      await db.transaction('s').store.get(1);
      read.push(performance.now() - t);
    }
  } finally {
    db.close();
    await deleteDB(name);
  }
  return { read, write };
}
