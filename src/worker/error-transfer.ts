// Comlink's default throw handler keeps only name and message, and loses the class. Ours sends
// name and message (never a stack, which could quote data) and the UI side rebuilds an Error with
// the AWS exception name, which callers compare by `name`.
import * as Comlink from 'comlink';

/** The names the UI may compare against (type-only: nothing of the core reaches the UI bundle). */
export type { ExceptionName } from '../kms/errors';
export type { FormatErrorName } from '../format/errors';

interface WireError {
  name: string;
  message: string;
}

export function registerErrorTransfer(rebuild: (w: WireError) => Error): void {
  // Comlink does not export its throw marker, so reuse the built-in handler's test for it.
  const builtIn = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: (v: unknown): v is { value: unknown } => builtIn.canHandle(v),
    serialize: ({ value }: { value: unknown }) => {
      const e = value as Partial<WireError>;
      return [{ name: String(e?.name ?? 'KMSInternalException'), message: String(e?.message ?? 'Internal error') }, []];
    },
    deserialize: (w: WireError) => {
      throw rebuild(w);
    },
  } as Comlink.TransferHandler<{ value: unknown }, WireError>);
}
