// A tiny IndexedDB database of console settings that are not part of any keystore (and so neither in
// its schema nor in its backups): the continuous backup's folder handle and its last outcome, and the service
// worker's record of which console windows hold passkey key stores connected (src/sw/store-consoles.ts).
import { openDB, type IDBPDatabase } from 'idb';

export const SETTINGS_DATABASE = 'pocket-kms-settings';
const STORE = 'settings';

/** One setting by name: structured-cloneable values (a FileSystemDirectoryHandle is one). */
export interface Settings<T> {
  get(): Promise<T | undefined>;
  put(value: T | undefined): Promise<void>;
}

let db: Promise<IDBPDatabase> | undefined;
const open = () =>
  (db ??= openDB(SETTINGS_DATABASE, 1, {
    upgrade(d) {
      d.createObjectStore(STORE);
    },
  }));

/** The setting `name` of the settings database; `put(undefined)` removes it. */
export function setting<T>(name: string): Settings<T> {
  return {
    async get() {
      return (await (await open()).get(STORE, name)) as T | undefined;
    },
    async put(value) {
      const d = await open();
      if (value === undefined) await d.delete(STORE, name);
      else await d.put(STORE, value, name);
    },
  };
}
