// Words for the message header's fields (message-header.md), as the inspector (inspect.ts) shows
// them: a label, the value the bytes hold, and what it means. Pure.
import { toHex, utf8Decode, view } from './bytes';
import type { HeaderField } from './header';
import { SUITES, suiteHex } from './suites';
import type { InspectedField } from './inspect';

export const FIELD_LABELS: Record<HeaderField, string> = {
  version: 'Version',
  type: 'Type',
  suiteId: 'Algorithm suite ID',
  messageId: 'Message ID',
  encryptionContextLength: 'AAD length (encryption context)',
  encryptionContext: 'AAD (encryption context)',
  encryptedDataKeyCount: 'Encrypted data key count',
  providerIdLength: 'Key provider ID length',
  providerId: 'Key provider ID',
  providerInfoLength: 'Key provider info length',
  providerInfo: 'Key provider info',
  encryptedDataKeyLength: 'Encrypted data key length',
  encryptedDataKey: 'Encrypted data key',
  encryptedDataKeyEntry: 'Encrypted data key entry',
  contentType: 'Content type',
  reserved: 'Reserved',
  ivLength: 'IV length',
  frameLength: 'Frame length',
  commitment: 'Algorithm suite data (key commitment)',
  headerIv: 'Header IV',
  headerTag: 'Header authentication tag',
};

/** Lower-case hex of at most `max` bytes, then how many more there are. */
export function hexPreview(b: Uint8Array, max = 32): string {
  return b.length <= max ? toHex(b) : `${toHex(b.subarray(0, max))}… (${b.length} bytes)`;
}

const uint = (raw: Uint8Array) =>
  raw.length === 1 ? raw[0]! : raw.length === 2 ? view(raw).getUint16(0) : view(raw).getUint32(0);

function text(raw: Uint8Array): string {
  try {
    const s = utf8Decode(raw);
    if (!/[\u0000-\u001f\u007f]/.test(s)) return s;
  } catch {
    // Not UTF-8: shown as hex.
  }
  return hexPreview(raw, 128);
}

/** One header field as the inspector lists it. */
export function describeField(f: HeaderField, raw: Uint8Array, offset: number, index?: number): InspectedField {
  const id = index === undefined ? f : `edk.${index}.${f}`;
  const label = index === undefined ? FIELD_LABELS[f] : `${FIELD_LABELS[f]} (key ${index + 1})`;
  const base = { id, label, offset, length: raw.length };
  switch (f) {
    case 'version':
      return { ...base, value: `${raw[0]}`, note: `message format ${raw[0]}` };
    case 'type':
      return { ...base, value: `0x${toHex(raw)}`, note: 'customer authenticated encrypted data' };
    case 'suiteId': {
      const id16 = uint(raw);
      return { ...base, value: suiteHex(id16), note: SUITES.get(id16)?.name ?? 'unknown suite' };
    }
    case 'contentType':
      return {
        ...base,
        value: `0x${toHex(raw)}`,
        note: raw[0] === 2 ? 'framed' : raw[0] === 1 ? 'non-framed' : 'invalid',
      };
    case 'frameLength': {
      const n = uint(raw);
      return {
        ...base,
        value: `${n}`,
        note: n === 0 ? 'non-framed' : `${n.toLocaleString('en')} bytes of plaintext per frame`,
      };
    }
    case 'reserved':
      return { ...base, value: `0x${toHex(raw)}` };
    case 'providerId':
      return { ...base, value: text(raw) };
    case 'providerInfo':
      return { ...base, value: text(raw) };
    case 'encryptionContext':
      return { ...base, value: raw.length === 0 ? 'empty' : `${uint(raw.subarray(0, 2))} pairs` };
    case 'encryptedDataKey':
      return { ...base, value: hexPreview(raw), note: `${raw.length} bytes, opaque to the inspector` };
    case 'encryptionContextLength':
    case 'encryptedDataKeyCount':
    case 'providerIdLength':
    case 'providerInfoLength':
    case 'encryptedDataKeyLength':
    case 'ivLength':
      return { ...base, value: `${uint(raw)}` };
    default:
      return { ...base, value: hexPreview(raw, 64) };
  }
}
