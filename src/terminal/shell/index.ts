// The terminal's shell (ADR 0010): createShell() starts a session over just-bash, loaded on first use;
// openScratchFolder() gives the per-keystore OPFS folder it mounts at HOME. No DOM, no Svelte: the same
// code runs in the page and in Node unit tests (with the in-memory folder).

export { createShell, type RunOptions, type RunResult, type Shell, type ShellOptions } from './shell';
export { Completer, type CommandCompleter, type Completion } from './complete';
export { openScratchFolder, OpfsFs } from './opfs-fs';
export { needsMoreInput, splitCommands } from './split';
export { normalisePaste } from './paste';
