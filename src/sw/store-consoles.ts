// Which console windows hold passkey key stores connected (ADR 0016 "The endpoint"): each console tells the
// service worker whenever its KMS worker's connections change (src/ui/endpoint-relay.ts), so a /kms request is
// forwarded only to a window that said it holds a store, and answered here at once otherwise. A hint, not a
// truth: the chosen console is still pinged. Kept in the settings database too, so a restarted worker knows.
// (No webworker lib reference here: tests import this module beside DOM code.)
import { setting } from '../store/settings';

/** Window client ID → the IDs of the stores its worker said it holds connected (only non-empty lists). */
const saved = setting<Record<string, string[]>>('storeConsoles');
let hints: Promise<Map<string, string[]>> | undefined;
let writes: Promise<unknown> = Promise.resolve();

const load = () =>
  (hints ??= saved.get().then(
    (r) => new Map(Object.entries(r ?? {})),
    () => new Map<string, string[]>(),
  ));

function save(m: Map<string, string[]>): Promise<unknown> {
  const copy = m.size ? Object.fromEntries(m) : undefined;
  // One write after another, the last one wins; a failed write only costs a restarted worker its hint.
  writes = writes.then(() => saved.put(copy)).catch(() => undefined);
  return writes;
}

/** Records what a console said (an empty list: it holds none, or it is going away). */
export async function noteStoreConsole(clientId: string, connected: readonly string[]): Promise<void> {
  const m = await load();
  const had = m.has(clientId);
  if (connected.length) m.set(clientId, [...connected]);
  else m.delete(clientId);
  if (had || connected.length) await save(m);
}

/** Of `windows` (the open, controlled windows), those that said they hold a store connected. Entries of windows
 * that are gone (closed, reloaded, navigated away) are dropped: they can never make a request wait. */
export async function storeConsoles<W extends { id: string }>(windows: readonly W[]): Promise<W[]> {
  const m = await load();
  const live = new Set(windows.map((w) => w.id));
  const gone = [...m.keys()].filter((id) => !live.has(id));
  for (const id of gone) m.delete(id);
  if (gone.length) void save(m);
  return windows.filter((w) => m.has(w.id));
}
