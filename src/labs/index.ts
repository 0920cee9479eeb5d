// Guided labs (issue 14, docs/LABS.md): the lab file format and its validator, the check vocabulary,
// and the engine that evaluates checks from a LabWorld (keystore state and audit trail). No DOM, no core:
// the worker supplies the world (src/worker/lab-world.ts), the console shows the lab (src/ui/labs).
export { validateLab, LabFormatError, type Lab, type LabStep, type LabFormatProblem } from './format';
export { parseLab } from './parse';
export { CHECK_KINDS, globMatch, type AuditMatch, type Check, type CheckKind } from './checks';
export { evaluateLab, startLab, type Binding, type LabEvaluation, type LabProgress, type StepResult } from './engine';
export type * from './world';
export {
  labDigest,
  makeProgressFile,
  parseProgressFile,
  progressTables,
  ProgressFileError,
  PROGRESS_FORMAT,
  type ProgressFile,
  type ProgressTable,
} from './progress-file';
