// The page's one terminal session (#/terminal and `pocketKms.shell`): the shell (src/terminal/shell)
// with its scratch folder in the origin private file system, `aws` sending through the unmodified AWS
// SDK to this origin's /kms, /sts and /s3, signed by the KMS worker (src/terminal/signer.ts), and
// `openssl`. Loaded on first use: the terminal's code is its own chunk.
import { createAwsCommand, USER_AGENT, type SendRequest } from '../../terminal/aws';
import { parseConfig } from '../../terminal/aws/config';
import type { CommandIo, TerminalCommand } from '../../terminal/io';
import { openssl } from '../../terminal/openssl';
import { createShell, openScratchFolder, type Shell } from '../../terminal/shell';
import { sdkSend } from '../../terminal/aws/sdk-send';
import { workerSigner } from '../../terminal/signer';
import { kms } from '../kms-client.svelte';
import { ScratchFolder } from './scratch-folder';
import type { TerminalSession } from './terminal.svelte';

export interface ShellOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface PageTerminal {
  readonly shell: Shell;
  readonly folder: ScratchFolder;
  /** What the terminal widget runs commands through. */
  forPage(): TerminalSession;
  /** `pocketKms.shell`: runs `lines` as a script in this session (its variables, files and history stay). */
  script(lines: string, o?: { stdin?: string }): Promise<ShellOutput>;
}

const HISTORY = '.bash_history';

/** Where the access key a request is signed with comes from, in the AWS CLI's order. */
interface Signing {
  accessKeyId: string;
  /** A secret typed into the shell (AWS_SECRET_ACCESS_KEY): signed with in the page, as the CLI would. */
  secretAccessKey?: string;
}

let session: Promise<PageTerminal> | undefined;

/** The page's terminal session, started on first use. */
export function terminalSession(): Promise<PageTerminal> {
  return (session ??= start().catch((e: unknown) => {
    session = undefined;
    throw e;
  }));
}

async function start(): Promise<PageTerminal> {
  const info = kms.info ?? (await kms.api.keystore());
  const fs = await openScratchFolder(`terminal/${info.region}-${info.accountId}`);
  // The environment of the command running now: `aws` reads AWS_ACCESS_KEY_ID and the profile files.
  let current: CommandIo | undefined;
  const consoleKeys = new Map<string, Promise<string>>();

  async function signingFor(profile: string | undefined): Promise<Signing> {
    const env = current?.env ?? {};
    if (env.AWS_ACCESS_KEY_ID)
      return env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
        : { accessKeyId: env.AWS_ACCESS_KEY_ID };
    const home = env.HOME ?? '/home/user';
    const file = await current?.readFile(env.AWS_SHARED_CREDENTIALS_FILE ?? `${home}/.aws/credentials`).catch(() => undefined);
    const configured = parseConfig(file && new TextDecoder().decode(file))[profile ?? env.AWS_PROFILE ?? 'default'];
    if (configured?.aws_access_key_id) return { accessKeyId: configured.aws_access_key_id };
    // The console's identity ("Acting as"): its newest active access key, made on first use.
    const principal = kms.info?.caller.principalArn ?? info.caller.principalArn;
    let key = consoleKeys.get(principal);
    if (!key) {
      key = kms.api.terminalAccessKey(principal).then((k) => k.accessKeyId);
      consoleKeys.set(principal, key);
      key.catch(() => consoleKeys.delete(principal));
    }
    return { accessKeyId: await key };
  }

  const send = sdkSend({
    baseUrl: location.origin,
    userAgent: USER_AGENT,
    async auth(r: SendRequest) {
      const s = await signingFor(r.profile);
      const service = r.service;
      if (s.secretAccessKey) return { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } };
      return {
        credentials: { accessKeyId: s.accessKeyId, secretAccessKey: 'held-by-the-kms-worker' },
        signer: workerSigner(s.accessKeyId, (scope, text) => kms.api.signV4(s.accessKeyId, scope, text), {
          region: r.region,
          service,
        }),
      };
    },
  });

  const aws = createAwsCommand({
    send,
    async credentialsFor(profile) {
      const s = await signingFor(profile);
      return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey ?? '', source: 'pocket-kms' };
    },
  });
  const withIo =
    (run: TerminalCommand): TerminalCommand =>
    async (argv, io) => {
      current = io;
      try {
        return await run(argv, io);
      } finally {
        current = undefined;
      }
    };

  const shell = await createShell({ fs, commands: { aws: withIo(aws), openssl } });
  const folder = new ScratchFolder(async () => fs.root);

  return {
    shell,
    folder,
    forPage: () => ({
      async run(script, o) {
        const r = await shell.run(script, o);
        return { exitCode: r.exitCode, exited: r.exited };
      },
      complete: (line, cursor) => shell.complete(line, cursor),
      async loadHistory() {
        const f = await folder.file(HISTORY).catch(() => undefined);
        return f ? (await f.text()).split('\n').filter(Boolean) : [];
      },
      async saveHistory(lines) {
        await folder.put(HISTORY, new Blob([`${lines.join('\n')}\n`]));
      },
    }),
    async script(lines, o = {}) {
      const r = await shell.run(lines, o.stdin === undefined ? {} : { stdin: o.stdin });
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
  };
}
