// Progress files (docs/LABS.md "Progress files"): an attendee's evaluated lab written as a file with nothing
// secret in it, read back by the facilitator with every problem named, and put side by side in one table
// per lab.
import { describe, expect, it } from 'vitest';
import {
  labDigest,
  makeProgressFile,
  parseProgressFile,
  ProgressFileError,
  progressTables,
  type ProgressFile,
} from '../../../src/labs/progress-file';
import { labCore, labOf } from './fixtures';

/** A lab of one key-with-alias step and a cleanup, evaluated after the key was made. */
async function evaluated(alias = 'alias/kms-lab-1') {
  const c = await labCore();
  const lab = labOf({ kind: 'keyExists', alias: 'alias/kms-lab-*', bind: 'labKey' });
  const r = await c.run(lab);
  const k = await c.createKey();
  await c.call('CreateAlias', { AliasName: alias, TargetKeyId: k.KeyId });
  c.clock.t += 60_000;
  return { lab, evaluation: await r.evaluate(), keyId: k.KeyId as string, now: c.clock.now() };
}

const problemsOf = (text: string) => {
  try {
    parseProgressFile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ProgressFileError);
    return (e as ProgressFileError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ProgressFileError');
};

describe('an attendee’s progress file', () => {
  it('says which steps are done and when, what the others miss, and which lab version — no bindings', async () => {
    const { lab, evaluation, keyId, now } = await evaluated();
    const file = await makeProgressFile(lab, evaluation, now, '  Ada  ');
    expect(file).toMatchObject({
      format: 'pocket-kms-lab-progress',
      version: 1,
      lab: { id: 'test', title: 'Test', digest: await labDigest(lab) },
      attendee: 'Ada',
      complete: false,
      exportedAt: new Date(now).toISOString(),
    });
    expect(file.steps[0]).toEqual({ title: 'Step 0', done: true, doneAt: new Date(now).toISOString() });
    expect(file.steps[1]!.done).toBe(false);
    expect(file.steps[1]!.missing!.join('\n')).toMatch(/alias/);
    // The bound key is not in the file (bindings stay in the keystore), and it reads back as written.
    const text = JSON.stringify(file);
    expect(text).not.toContain(keyId);
    expect(text).not.toContain('bindings');
    expect(parseProgressFile(text)).toEqual(file);
  });

  it('changes digest when the lab changes', async () => {
    const a = labOf({ kind: 'keyExists', alias: 'alias/a' });
    const b = labOf({ kind: 'keyExists', alias: 'alias/b' });
    expect(await labDigest(a)).not.toBe(await labDigest(b));
    expect(await labDigest(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('reading a progress file', () => {
  const good = async () => {
    const { lab, evaluation } = await evaluated();
    return JSON.parse(JSON.stringify(await makeProgressFile(lab, evaluation, Date.UTC(2026, 11, 7))));
  };

  it('refuses what is not JSON or not a progress file', () => {
    expect(problemsOf('{')[0]).toMatch(/^: not JSON/);
    expect(problemsOf('{"format":"pocket-kms-kit","version":1}')).toEqual([
      'format: expected "pocket-kms-lab-progress": not a lab progress file',
    ]);
    expect(problemsOf('x'.repeat(1024 * 1024 + 1))).toEqual([': a progress file is at most 1 MiB']);
  });

  it('names a newer version as such', async () => {
    const f = await good();
    expect(problemsOf(JSON.stringify({ ...f, version: 2 }))).toEqual([
      'version: version 2 was written by a newer Pocket KMS; this one reads version 1',
    ]);
    expect(problemsOf(JSON.stringify({ ...f, version: '1' }))).toEqual(['version: expected 1, got "1"']);
  });

  it('names every bad field at once', async () => {
    const f = await good();
    f.lab.digest = 'abc';
    f.attendee = 7;
    f.exportedAt = 'yesterday';
    f.extra = true;
    f.steps[0].doneAt = undefined;
    f.steps[1].colour = 'red';
    expect(problemsOf(JSON.stringify(f))).toEqual([
      'extra: unknown field',
      'lab.digest: expected 64 hexadecimal digits (SHA-256)',
      'attendee: expected a name of at most 100 characters',
      'exportedAt: expected an ISO 8601 UTC time, got "yesterday"',
      'steps[0].doneAt: a done step needs the ISO 8601 UTC time it was done',
      'steps[1].colour: unknown field',
    ]);
  });

  it('refuses a file whose "complete" contradicts its steps', async () => {
    const f = await good();
    expect(problemsOf(JSON.stringify({ ...f, complete: true }))).toEqual([
      'complete: says true, but not every step is done',
    ]);
  });
});

describe('the facilitator’s table', () => {
  const file = (
    attendee: string | undefined,
    done: boolean[],
    exportedAt: string,
    digest = 'a'.repeat(64),
  ): ProgressFile => ({
    format: 'pocket-kms-lab-progress',
    version: 1,
    lab: { id: 'kms-basics', title: 'KMS basics', digest },
    ...(attendee ? { attendee } : {}),
    startedAt: '2026-12-07T09:00:00.000Z',
    exportedAt,
    complete: done.every(Boolean),
    steps: done.map((d, i) =>
      d
        ? { title: `Step ${i + 1}`, done: true, doneAt: '2026-12-07T09:10:00.000Z' }
        : { title: `Step ${i + 1}`, done: false, missing: ['x'] },
    ),
  });

  it('puts one lab’s attendees side by side, keeps each attendee’s newest file, and flags another lab version', () => {
    const [t, ...rest] = progressTables([
      file('Ada', [true, false, false], '2026-12-07T10:00:00.000Z'),
      file('Grace', [true, true, true], '2026-12-07T10:01:00.000Z'),
      file('Ada', [true, true, false], '2026-12-07T10:05:00.000Z'),
      file('Ada', [true, false, false], '2026-12-07T09:30:00.000Z'),
      file(undefined, [false, false, false], '2026-12-07T10:02:00.000Z', 'b'.repeat(64)),
    ]);
    expect(rest).toEqual([]);
    expect(t!.steps).toEqual(['Step 1', 'Step 2', 'Step 3']);
    expect(t!.rows.map((r) => [r.attendee, r.done, r.complete, r.otherVersion])).toEqual([
      ['Ada', 2, false, false],
      ['Grace', 3, true, false],
      ['Attendee 1', 0, false, true],
    ]);
  });

  it('makes one table per lab', () => {
    const other = {
      ...file('Ada', [true], '2026-12-07T10:00:00.000Z'),
      lab: { id: 'envelope-by-hand', title: 'Envelope', digest: 'c'.repeat(64) },
    };
    expect(progressTables([file('Ada', [true, true], '2026-12-07T10:00:00.000Z'), other]).map((t) => t.labId)).toEqual([
      'kms-basics',
      'envelope-by-hand',
    ]);
  });
});
