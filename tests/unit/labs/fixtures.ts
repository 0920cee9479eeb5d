// A real KMS and S3 core in Node (fake-indexeddb) with the worker's lab world over them, and the
// shipped labs read from their files, for the check engine's tests.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  parseLab,
  startLab,
  evaluateLab,
  validateLab,
  type Check,
  type Lab,
  type LabProgress,
} from '../../../src/labs';
import { labWorld } from '../../../src/worker/lab-world';
import type { Caller } from '../../../src/kms/ids';
import { freshS3 } from '../s3/fixtures';

export function shippedLab(name: string): Lab {
  return parseLab(readFileSync(resolve(__dirname, `../../../src/labs/shipped/${name}.yaml`), 'utf8'));
}

export async function labCore() {
  const f = await freshS3();
  let acting: Caller = f.root;
  const world = labWorld({ kms: f.kms, store: f.store, s3: async () => f.s3, caller: () => acting });
  /** Calls as whoever is acting. */
  const as = <T = Record<string, any>>(op: string, req: unknown = {}) =>
    f.kms.call(op, req, acting) as Promise<T & Record<string, any>>;
  const actAs = (c: Caller) => void (acting = c);
  /** A lab started now, then evaluated whenever asked (progress carried along). */
  async function run(lab: Lab) {
    let progress: LabProgress = await startLab(lab.id, world, f.clock.now());
    return {
      get progress() {
        return progress;
      },
      async evaluate() {
        const r = await evaluateLab(lab, progress, world, f.clock.now());
        progress = r.progress;
        return r;
      },
    };
  }
  return { ...f, world, as, actAs, run };
}

/** A two-step lab: the check under test, then a cleanup that never passes on its own. */
export function labOf(...checks: Check[]): Lab {
  return validateLab({
    id: 'test',
    title: 'Test',
    summary: 'A check under test.',
    steps: [
      ...checks.map((check, i) => ({ title: `Step ${i}`, explanation: 'x', console: 'x', expected: 'x', check })),
      {
        title: 'Cleanup',
        explanation: 'x',
        console: 'x',
        expected: 'x',
        cleanup: true,
        check: { kind: 'keyExists', alias: 'alias/never' },
      },
    ],
  });
}
