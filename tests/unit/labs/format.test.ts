// The lab file format (docs/LABS.md): good files parse, bad ones fail with every problem named by the
// path of its field, with a suggestion for a near miss.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabFormatError, parseLab, validateLab } from '../../../src/labs';
import { seedLabBlocks } from '../../e2e/seed-lab';
import { shippedLab } from './fixtures';

const step = (over: Record<string, unknown> = {}) => ({
  title: 'Make a key',
  explanation: 'A **key**.',
  commands: ['aws kms create-key'],
  expected: 'A key exists.',
  check: { kind: 'keyExists', alias: 'alias/lab-*', bind: 'labKey' },
  ...over,
});
const cleanup = (over: Record<string, unknown> = {}) =>
  step({
    title: 'Clean up',
    cleanup: true,
    check: { kind: 'keyState', key: '$labKey', state: 'PendingDeletion' },
    ...over,
  });
const lab = (over: Record<string, unknown> = {}) => ({
  id: 'my-lab',
  title: 'My lab',
  summary: 'A lab.',
  steps: [step(), cleanup()],
  ...over,
});

function problems(data: unknown): string[] {
  try {
    validateLab(data);
  } catch (e) {
    expect(e).toBeInstanceOf(LabFormatError);
    expect((e as Error).name).toBe('LabFormatError');
    return (e as LabFormatError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the lab to be refused');
}

describe('lab files', () => {
  it('parses a good lab from YAML and from JSON alike', () => {
    const yaml = `id: my-lab
title: My lab
summary: A lab.
steps:
  - title: Make a key
    explanation: A **key**.
    commands: ["aws kms create-key"]
    expected: A key exists.
    check: { kind: keyExists, alias: "alias/lab-*", bind: labKey }
  - title: Clean up
    cleanup: true
    explanation: A **key**.
    console: Schedule its deletion on the key's page.
    expected: Pending deletion.
    check: { kind: keyState, key: $labKey, state: PendingDeletion }
`;
    const a = parseLab(yaml);
    expect(a.steps[1]!.check).toEqual({ kind: 'keyState', key: '$labKey', state: 'PendingDeletion' });
    expect(parseLab(JSON.stringify(a))).toEqual(a);
  });

  it('names the path of an unknown check kind and suggests the near one', () => {
    const bad = lab({ steps: [step(), step(), step(), step({ check: { kind: 'keyExist' } }), cleanup()] });
    expect(problems(bad)).toEqual(['steps[3].check.kind: unknown check "keyExist"; did you mean "keyExists"?']);
  });

  it('names nested paths, wrong types, unknown fields and missing ones, all at once', () => {
    const bad = lab({
      id: 'My Lab',
      steps: [
        step({
          explanation: '',
          comands: ['x'],
          check: {
            kind: 'all',
            checks: [
              { kind: 'keyState', key: '$labKey', state: 'Disabld' },
              { kind: 'auditEvent', eventName: 'Decrypt', after: { eventNme: 'Encrypt' } },
              { kind: 'keyPolicyAllows', key: 'k', principal: 'caller', actions: 'kms:Encrypt' },
            ],
          },
        }),
        cleanup(),
      ],
    });
    expect(problems(bad)).toEqual([
      'id: expected lowercase letters, digits and "-" (at most 64), got "My Lab"',
      'steps[0].comands: unknown field; did you mean "commands"?',
      'steps[0].explanation: expected non-empty text, got ""',
      'steps[0].check.checks[0].key: "$labKey" is not bound by an earlier check (bind: labKey)',
      'steps[0].check.checks[0].state: expected one of Enabled, Disabled, PendingDeletion, PendingImport, Unavailable, got "Disabld"; did you mean "Disabled"?',
      'steps[0].check.checks[1].after.eventNme: unknown field; did you mean "eventName"?',
      'steps[0].check.checks[1].after.eventName: required by this check',
      'steps[0].check.checks[2].actions: expected a list of non-empty strings, got "kms:Encrypt"',
      // The step that failed bound nothing for the cleanup.
      'steps[1].check.key: "$labKey" is not bound by an earlier check (bind: labKey)',
    ]);
  });

  it('needs a cleanup step at the end, checked like the others, and a way to act in each step', () => {
    expect(problems(lab({ steps: [step(), step({ commands: undefined })] }))).toEqual([
      'steps[1]: a step needs commands to run or a console action to take',
      'steps[1]: the last step must be the cleanup (cleanup: true), and is checked too',
    ]);
    expect(problems(lab({ steps: [cleanup(), cleanup()] }))).toEqual([
      'steps[0].cleanup: only the last step is the cleanup',
      'steps[0].check.key: "$labKey" is not bound by an earlier check (bind: labKey)',
      'steps[1].check.key: "$labKey" is not bound by an earlier check (bind: labKey)',
    ]);
    expect(problems(lab({ steps: [step(), cleanup({ check: undefined })] }))).toEqual([
      'steps[1].check: every step needs a check',
    ]);
  });

  it('suggests a bound name for a misspelt reference', () => {
    const bad = lab({
      steps: [step(), cleanup({ check: { kind: 'keyState', key: '$labKy', state: 'PendingDeletion' } })],
    });
    expect(problems(bad)).toEqual([
      'steps[1].check.key: "$labKy" is not bound by an earlier check (bind: labKy); did you mean "$labKey"?',
    ]);
  });

  it('refuses what is not a lab, and text that is not YAML, with a line number', () => {
    expect(problems(null)).toEqual([': expected a lab (an object), got null']);
    expect(problems([])).toEqual([': expected a lab (an object), got a list']);
    expect(problems({})).toEqual([
      'id: expected lowercase letters, digits and "-" (at most 64), got nothing',
      'title: expected non-empty text, got nothing',
      'summary: expected non-empty text, got nothing',
      'steps: expected a list of steps, got nothing',
    ]);
    expect(() => parseLab('id: [unclosed\ntitle: x')).toThrow(/^not YAML or JSON \(line \d+\)/);
    expect(() => parseLab('x'.repeat(1024 * 1024 + 1))).toThrow(LabFormatError);
  });

  it.each([
    ['a number', 42],
    ['a string', 'lab'],
    ['steps as an object', { ...lab(), steps: {} }],
    ['a step as a string', { ...lab(), steps: ['x', cleanup()] }],
    ['a check as a list', { ...lab(), steps: [step({ check: [] }), cleanup()] }],
    ['a check without kind', { ...lab(), steps: [step({ check: {} }), cleanup()] }],
    ['an empty all', { ...lab(), steps: [step({ check: { kind: 'all', checks: [] } }), cleanup()] }],
    ['hints not a list', { ...lab(), steps: [step({ hints: 'x' }), cleanup()] }],
    ['a bad binding name', { ...lab(), steps: [step({ check: { kind: 'keyExists', bind: '$x' } }), cleanup()] }],
    [
      'a bad reference',
      { ...lab(), steps: [step(), cleanup({ check: { kind: 'keyState', key: '$labKey.nope', state: 'Enabled' } })] },
    ],
    [
      'a negative window',
      {
        ...lab(),
        steps: [
          step(),
          cleanup({ check: { kind: 'keyState', key: '$labKey', state: 'PendingDeletion', pendingWindowDays: -1 } }),
        ],
      },
    ],
    [
      'a succeeded call with an error code',
      {
        ...lab(),
        steps: [
          step({ check: { kind: 'auditEvent', eventName: 'Decrypt', errorCode: 'X', succeeded: true } }),
          cleanup(),
        ],
      },
    ],
  ])('refuses %s with a LabFormatError', (_, data) => {
    expect(problems(data).length).toBeGreaterThan(0);
  });
});

describe('hostile input', () => {
  it('answers any JSON value with a lab or a LabFormatError, never another error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          validateLab(v);
        } catch (e) {
          expect(e).toBeInstanceOf(LabFormatError);
        }
      }),
    );
  });

  it('answers any text with a lab or a LabFormatError, and refuses alias bombs', () => {
    fc.assert(
      fc.property(fc.string(), (t) => {
        try {
          parseLab(t);
        } catch (e) {
          expect(e).toBeInstanceOf(LabFormatError);
        }
      }),
    );
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 9 }, (_, i) => {
        const p = String.fromCharCode(97 + i);
        const n = String.fromCharCode(98 + i);
        return `${n}: &${n} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
      }),
    ].join('\n');
    expect(() => parseLab(bomb)).toThrow(/^not YAML or JSON: Excessive alias count/);
  });

  it('keeps __proto__ and constructor as unknown fields, not as prototypes', () => {
    expect(problems(JSON.parse('{"__proto__": {"id": "x"}, "constructor": 1}'))).toContain('__proto__: unknown field');
  });
});

describe('the shipped labs', () => {
  it.each(['kms-basics', 'separation-of-duties', 'envelope', 'rotation', 'signing', 'forensics'])(
    '%s is a valid lab whose last step is its cleanup',
    (name) => {
      const lab = shippedLab(name);
      expect(lab.steps.at(-1)!.cleanup).toBe(true);
      expect(lab.steps.filter((s) => s.cleanup)).toHaveLength(1);
    },
  );
});

describe('the shipped lab 1 (the seed tutorial, section 10)', () => {
  const lab1 = shippedLab('kms-basics');

  it("is valid, ends with its cleanup, and runs the sheet's own blocks unchanged (but the one changed on purpose)", () => {
    expect(lab1.steps.at(-1)!.cleanup).toBe(true);
    const commands = lab1.steps.flatMap((s) => s.commands ?? []);
    const seed = seedLabBlocks().map((b) => b.text);
    expect(commands.filter((c) => !seed.includes(c))).toEqual([
      seed.find((b) => b.startsWith('aws kms decrypt'))!.replace('App=kms-demo', 'App=other'),
    ]);
    // Every block of the sheet, in the sheet's order.
    expect(commands.filter((c) => seed.includes(c))).toEqual(seed);
  });
});
