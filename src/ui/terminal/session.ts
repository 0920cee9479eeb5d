// The page's one terminal session (#/terminal and `pocketKms.shell`): the shell (src/terminal/shell)
// with its scratch folder in the origin private file system, `aws` sending through the unmodified AWS
// SDK to this origin's /kms, /sts and /s3, signed by the KMS worker (src/terminal/signer.ts), and
// `openssl`. Loaded on first use: the terminal's code is its own chunk.
import { createAwsCommand, type Credentials, type SendRequest } from '../../terminal/aws/aws';
import { awsCompleter } from '../../terminal/aws/complete';
import { createSdkSend } from '../../terminal/aws/sdk-send';
import type { CommandIo, TerminalCommand } from '../../terminal/io';
import { openssl } from '../../terminal/openssl';
import { createShell, openScratchFolder, type Shell } from '../../terminal/shell';
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
  /** `pocketKms.shell`: runs `lines` as a script in this session (its variables and files stay). */
  script(lines: string, o?: { stdin?: string }): Promise<ShellOutput>;
}

const HISTORY = '.bash_history';
/** What `aws configure list` shows as the secret of a key the worker signs with (the page is never given it). */
const HELD = 'held-by-the-kms-worker';

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
  // The environment of the `aws` running now: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY come first, as in the CLI.
  let env: Readonly<Record<string, string>> = {};
  const consoleKeys = new Map<string, Promise<string>>();

  /** The access key a request is signed with: the environment's, else the console's identity ("Acting as"),
   * whose newest active access key is used (one is made on first use). */
  async function credentials(): Promise<Credentials> {
    if (env.AWS_ACCESS_KEY_ID)
      return {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? HELD,
        // Temporary credentials (aws sts assume-role) travel with their session token, as in the CLI.
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        source: env.AWS_SECRET_ACCESS_KEY ? 'env' : 'env (the KMS worker signs)',
      };
    const principal = kms.info?.caller.principalArn ?? info.caller.principalArn;
    let key = consoleKeys.get(principal);
    if (!key) {
      key = kms.api.terminalAccessKey(principal).then((k) => k.accessKeyId);
      consoleKeys.set(principal, key);
      key.catch(() => consoleKeys.delete(principal));
    }
    return { accessKeyId: await key, secretAccessKey: HELD, source: 'pocket-kms' };
  }

  const sdkSend = createSdkSend({
    baseUrl: location.origin,
    credentialsFor: credentials,
    async signerFor(r: SendRequest) {
      const c = await credentials();
      // A secret typed into the shell signs in the page, as the CLI would sign with it (a wrong one fails
      // as at AWS); otherwise the KMS worker signs with the key it holds.
      if (c.secretAccessKey !== HELD) return undefined;
      return workerSigner(c.accessKeyId, (scope, text) => kms.api.signV4(c.accessKeyId, scope, text), {
        region: r.region,
        service: r.service,
      });
    },
  });
  // The page's CSP lets it reach only its own origin: another --endpoint-url fails as the CLI's
  // EndpointConnectionError does, before anything is signed.
  const send = (r: SendRequest) => {
    if (r.endpointUrl !== undefined && new URL(r.endpointUrl, location.href).origin !== location.origin)
      return Promise.reject(
        new Error(
          `Could not connect to the endpoint URL: "${r.endpointUrl}" (this page reaches only ${location.origin})`,
        ),
      );
    return sdkSend(r);
  };
  const aws = createAwsCommand({ send, credentialsFor: credentials });
  const withEnv =
    (run: TerminalCommand): TerminalCommand =>
    (argv, io: CommandIo) => {
      env = io.env;
      return run(argv, io).finally(() => (env = {}));
    };

  // As AWS CloudShell does, the session starts in the keystore's region.
  const regionEnv = { AWS_REGION: info.region, AWS_DEFAULT_REGION: info.region };
  const shell = await createShell({ fs, env: regionEnv, commands: { aws: withEnv(aws), openssl } });
  shell.completer.register('aws', awsCompleter);
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
