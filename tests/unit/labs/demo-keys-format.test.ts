// A lab file's `demoKeys` (docs/LABS.md "Demo keys"): validated with the path of each bad field.
import { describe, expect, it } from 'vitest';
import { LabFormatError, validateLab } from '../../../src/labs/format';

const lab = (demoKeys: unknown) => ({
  id: 'demo-lab',
  title: 'Demo',
  summary: 'S',
  demoKeys,
  steps: [
    {
      title: 'Clean up',
      cleanup: true,
      explanation: 'E',
      expected: 'X',
      commands: ['true'],
      check: { kind: 'keyExists', alias: 'alias/x' },
    },
  ],
});

describe('lab demoKeys', () => {
  it('accepts a list of named demo keys with spec, usage and alias', () => {
    const ok = validateLab(
      lab([{ name: 'lab-key', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', alias: 'alias/x' }]),
    );
    expect(ok.demoKeys).toHaveLength(1);
  });

  it('names each bad field', () => {
    const e = (() => {
      try {
        validateLab(lab([{ name: 'Bad Name', alias: 'x', extra: 1 }, 'nope']));
      } catch (err) {
        return err;
      }
    })() as LabFormatError;
    expect(e).toBeInstanceOf(LabFormatError);
    const paths = e.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['demoKeys[0].name', 'demoKeys[0].alias', 'demoKeys[1]']));
    expect(() => validateLab(lab('x'))).toThrow(LabFormatError);
  });
});
