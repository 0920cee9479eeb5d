// The visualiser's steps (issue 14): a recorded real run (src/worker/api/visualise.ts) told as a
// sequence a person can play, pause and step through. Every value shown comes from the run.
import type { VisualTrace } from '../../worker/api';

export type StepState = 'done' | 'released' | 'failed' | 'withheld';

export interface Step {
  phase: 'Encrypt' | 'Decrypt' | 'Tampered';
  title: string;
  text: string;
  rows: [string, string][];
  /** Which part of the message the step is about: 'header', 'footer' or a frame number. */
  part?: 'header' | 'footer' | number;
  state: StepState;
}

const num = (n: number) => n.toLocaleString('en');
const field = (t: VisualTrace, id: string) => t.message.fields.find((f) => f.id === id)?.value ?? '';
const short = (hex: string) => (hex.length > 48 ? `${hex.slice(0, 48)}… (${hex.length / 2} bytes)` : hex);

export function stepsOf(t: VisualTrace): Step[] {
  const m = t.message;
  const steps: Step[] = [
    {
      phase: 'Encrypt',
      title: 'GenerateDataKey',
      text: 'KMS makes a fresh data key and returns it twice: in plaintext (used, then wiped) and encrypted under the KMS key.',
      rows: [
        ['KMS key', t.dataKey.keyArn],
        [
          'Plaintext data key',
          `${'•'.repeat(16)} (${t.dataKey.plaintextLength} bytes, masked: it never leaves the worker)`,
        ],
        ['CiphertextBlob', short(t.dataKey.ciphertextBlob)],
        ['Blob names', `key ${t.dataKey.blob.keyId ?? '?'}, material version ${t.dataKey.blob.materialVersion ?? '?'}`],
      ],
      state: 'done',
    },
    {
      phase: 'Encrypt',
      title: 'Key derivation and commitment',
      text:
        'HKDF-SHA512 over the data key, salted with the message ID, gives the frame key ("DERIVEKEY") and the key ' +
        'commitment ("COMMITKEY"). The commitment goes into the header; the derived key stays secret.',
      rows: [
        ['Algorithm suite', `${m.suite?.id} ${m.suite?.name}`],
        ['Message ID', m.messageId ?? ''],
        ['Key commitment', field(t, 'commitment')],
      ],
      part: 'header',
      state: 'done',
    },
    {
      phase: 'Encrypt',
      title: 'Header written',
      text: 'The header says everything a reader needs except the key; its tag authenticates it under the derived key.',
      rows: [
        ['Length', `${num(m.headerLength ?? 0)} bytes`],
        ['Encryption context', m.encryptionContext.map((p) => `${p.key}=${p.value}`).join(', ') || 'none'],
        [
          'Encrypted data keys',
          m.encryptedDataKeys.map((k) => `${k.providerId} ${k.keyArn ?? k.providerInfo}`).join('; '),
        ],
        ['Frame length', `${num(m.frameLength ?? 0)} bytes`],
        ['Header tag', field(t, 'headerTag')],
      ],
      part: 'header',
      state: 'done',
    },
  ];
  for (const f of t.frames)
    steps.push({
      phase: 'Encrypt',
      title: `Frame ${f.seq}${f.final ? ' (final)' : ''} sealed`,
      text: `AES-256-GCM seals ${num(f.contentLength)} bytes with IV = sequence number ${f.seq}; the AAD binds the message ID, the sequence number and the length.`,
      rows: [
        ['Offset', `byte ${num(f.offset)}, ${num(f.length)} bytes`],
        ['IV', f.iv],
        ['Ciphertext', f.ciphertext ? `${f.ciphertext}…` : '(empty)'],
        ['Tag', f.tag],
      ],
      part: f.seq,
      state: 'done',
    });
  if (m.footer)
    steps.push({
      phase: 'Encrypt',
      title: 'Footer signed',
      text: 'ECDSA P-384 signs everything before the footer; the public key travels in the encryption context.',
      rows: [['Signature', `${m.footer.signatureLength} bytes at byte ${num(m.footer.offset)}`]],
      part: 'footer',
      state: 'done',
    });
  steps.push({
    phase: 'Decrypt',
    title: 'Header read, data key decrypted',
    text: 'Decrypt (a real, audited KMS call) returns the data key; the derived key must reproduce the commitment and the header tag.',
    rows: [['Decrypt under', m.encryptedDataKeys[0]?.keyArn ?? '']],
    part: 'header',
    state: 'done',
  });
  for (const f of t.frames)
    steps.push({
      phase: 'Decrypt',
      title: `Frame ${f.seq} opened`,
      text:
        f.seq <= t.decrypt.releasedFrames
          ? `Its tag verified, so its ${num(f.contentLength)} bytes were released.`
          : 'Not released.',
      rows: [],
      part: f.seq,
      state: f.seq <= t.decrypt.releasedFrames ? 'released' : 'withheld',
    });
  const k = t.tampered.frame;
  steps.push({
    phase: 'Tampered',
    title: `One bit flipped in frame ${k}`,
    text: `The same message with byte ${num(t.tampered.offset)} changed, decrypted again by the real decrypt stream.`,
    rows: [],
    part: k,
    state: 'done',
  });
  for (const f of t.frames) {
    const released = f.seq <= t.tampered.releasedFrames;
    const failed = f.seq === k;
    steps.push({
      phase: 'Tampered',
      title: `Frame ${f.seq}: ${released ? 'released' : failed ? 'tag fails' : 'never released'}`,
      text: released
        ? 'Before the damage: it authenticates and is released.'
        : failed
          ? `${t.tampered.error?.name ?? 'No error'}: ${t.tampered.error?.message ?? ''}`
          : 'After the failing frame nothing is released.',
      rows: [],
      part: f.seq,
      state: released ? 'released' : failed ? 'failed' : 'withheld',
    });
  }
  return steps;
}
