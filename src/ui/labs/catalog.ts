// The labs the console offers: those shipped with the app (src/labs/shipped/*.yaml, parsed when this page
// loads) and those a person loaded from a file or a #/labs?lab=… link, kept in this browser (localStorage)
// so their progress page opens again after a reload.
import kmsBasics from '../../labs/shipped/kms-basics.yaml?raw';
import separationOfDuties from '../../labs/shipped/separation-of-duties.yaml?raw';
import envelope from '../../labs/shipped/envelope.yaml?raw';
import rotation from '../../labs/shipped/rotation.yaml?raw';
import signing from '../../labs/shipped/signing.yaml?raw';
import forensics from '../../labs/shipped/forensics.yaml?raw';
import { LabFormatError, parseLab, validateLab, type Lab } from '../../labs';

export const SHIPPED: readonly Lab[] = [
  parseLab(kmsBasics),
  parseLab(separationOfDuties),
  parseLab(envelope),
  parseLab(rotation),
  parseLab(signing),
  parseLab(forensics),
];

const PREFIX = 'pocket-kms:lab:';

function stored(): Lab[] {
  const out: Lab[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (!k?.startsWith(PREFIX)) continue;
      try {
        out.push(validateLab(JSON.parse(localStorage.getItem(k) ?? 'null')));
      } catch {
        // A lab this version can no longer read is left out, not shown broken.
      }
    }
  } catch {
    // Storage blocked: loaded labs last only this visit.
  }
  return out.sort((a, b) => a.title.localeCompare(b.title));
}

const session = new Map<string, Lab>();

export function allLabs(): { lab: Lab; shipped: boolean }[] {
  const loaded = new Map(stored().map((l) => [l.id, l]));
  for (const [id, l] of session) loaded.set(id, l);
  return [
    ...SHIPPED.map((lab) => ({ lab, shipped: true })),
    ...[...loaded.values()].map((lab) => ({ lab, shipped: false })),
  ];
}

export function findLab(id: string): Lab | undefined {
  return allLabs().find((x) => x.lab.id === id)?.lab;
}

/** Validates a lab file's text and keeps it (replacing a loaded lab of the same id).
 * @throws LabFormatError, also when a shipped lab has its id */
export function loadLab(text: string): Lab {
  const lab = parseLab(text);
  if (SHIPPED.some((s) => s.id === lab.id))
    throw new LabFormatError([
      { path: 'id', message: `"${lab.id}" is a lab shipped with Pocket KMS: choose another id` },
    ]);
  session.set(lab.id, lab);
  try {
    localStorage.setItem(PREFIX + lab.id, JSON.stringify(lab));
  } catch {
    // Kept for this visit only.
  }
  return lab;
}

export function forgetLab(id: string): void {
  session.delete(id);
  try {
    localStorage.removeItem(PREFIX + id);
  } catch {
    // Nothing was stored.
  }
}

/** A lab file's text from a #/labs?lab=… link: base64url of the UTF-8 text. */
export function labFromFragment(encoded: string): string {
  const b64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** The link that loads `text` as a lab (for facilitators: docs/LABS.md). */
export function fragmentOf(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return `#/labs?lab=${btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}
