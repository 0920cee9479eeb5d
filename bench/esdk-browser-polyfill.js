// The official browser client still reaches for Node's Buffer; give it the standard polyfill before it loads.
import { Buffer } from 'buffer';

globalThis.Buffer ??= Buffer;
globalThis.global ??= globalThis;
