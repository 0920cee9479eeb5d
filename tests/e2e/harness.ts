// Serves the built app (dist/) with vite preview and drives Debian's Chromium through playwright-core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface App {
  url: string;
  close(): Promise<void>;
}

export async function serveApp(): Promise<App> {
  const server: PreviewServer = await preview({
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const url = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
  if (!url) throw new Error('vite preview did not report a URL');
  return { url, close: () => server.close() };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  /** Every request of every page and worker of this browser (URL), for the no-egress check. */
  requests: string[];
  /** securitypolicyviolation events seen in any page: "<directive> <blocked URI>". */
  cspViolations: string[];
  close(): Promise<void>;
}

/** A fresh Chromium profile, so IndexedDB and the service worker start empty. */
export async function openBrowser(
  opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'pocket-kms-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  // Issue 6: nothing leaves the device and the CSP is never violated, checked for every browser of the suite.
  const requests: string[] = [];
  const cspViolations: string[] = [];
  context.on('request', (r) => void requests.push(r.url()));
  await context.exposeBinding('__pocketKmsCspViolation', (_source, v: string) => void cspViolations.push(v));
  await context.addInitScript(() => {
    addEventListener('securitypolicyviolation', (e) =>
      (globalThis as any).__pocketKmsCspViolation(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return {
    context,
    page,
    errors,
    requests,
    cspViolations,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
      const foreign = requests.filter((u) => !isLocal(u));
      if (foreign.length) throw new Error(`Requests left the device: ${foreign.slice(0, 5).join(', ')}`);
      if (cspViolations.length)
        throw new Error(`Content-Security-Policy violations: ${cspViolations.slice(0, 5).join(', ')}`);
    },
  };
}

/** The app's own origin (vite preview on 127.0.0.1), or a URL that never touches the network. */
export function isLocal(url: string): boolean {
  if (/^(blob|data|about|chrome-extension):/.test(url)) return true;
  const { hostname, protocol } = new URL(url);
  return (protocol === 'http:' || protocol === 'https:') && (hostname === '127.0.0.1' || hostname === 'localhost');
}

/** Loads the app and waits until the service worker controls the page (so /kms is served). */
export async function loadApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
}

/** Symmetric keys with aliases, created through the console's own client (`pocketKms`) as the root. */
export async function createAliasedKeys(page: Page, keys: { alias: string; description: string }[]): Promise<void> {
  await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
  await page.evaluate(async (keys) => {
    const call = (op: string, body: object) => (globalThis as any).pocketKms.call(op, body);
    for (const { alias, description } of keys) {
      const { KeyMetadata } = await call('CreateKey', { Description: description });
      await call('CreateAlias', { AliasName: alias, TargetKeyId: KeyMetadata.KeyId });
    }
  }, keys);
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An access key made in the page through the console's API (`pocketKms`), as a person would on the
 * Identities page; the keystore's root's unless `principalArn` names a user or role. The /kms and
 * /cloudtrail endpoints accept only requests signed with such a key. */
export async function createAccessKey(page: Page, principalArn?: string): Promise<Credentials> {
  await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
  return page.evaluate(async (arn) => {
    const p = (globalThis as any).pocketKms;
    const k = await p.api.createAccessKey(arn ?? `arn:aws:iam::${p.info.accountId}:root`);
    return { accessKeyId: k.AccessKeyId as string, secretAccessKey: k.SecretAccessKey as string };
  }, principalArn);
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `lines` as a script in the page's terminal session (`pocketKms.shell`), once the app is ready. */
export async function shell(page: Page, lines: string): Promise<ShellResult> {
  await page.waitForFunction(() => (globalThis as any).pocketKms?.info !== undefined, null, { timeout: 30_000 });
  return page.evaluate((l) => (globalThis as any).pocketKms.shell(l), lines);
}

export interface TestBundle {
  /** Entry of a test-only script, e.g. tests/e2e/sdk-entry.ts. */
  entry: string;
  /** Served as /<dir>/<name>.js from the app's own origin (the CSP allows only 'self' scripts). */
  dir: string;
  name: string;
}

/** For one test file: optionally build a test-only script into dist/, serve the app, open a fresh
 * browser and load the app; close and remove everything afterwards. Read the fields inside tests. */
export function useApp(opts: { bundle?: TestBundle } = {}): { readonly app: App; readonly browser: Browser } {
  let app: App | undefined;
  let browser: Browser | undefined;
  const outDir = opts.bundle ? join('dist', opts.bundle.dir) : undefined;
  beforeAll(async () => {
    if (opts.bundle && outDir) {
      const { entry, name } = opts.bundle;
      await build({
        configFile: false,
        logLevel: 'silent',
        build: {
          outDir,
          emptyOutDir: true,
          lib: { entry, formats: ['es'], fileName: () => `${name}.js` },
          minify: false,
        },
      });
    }
    app = await serveApp();
    browser = await openBrowser();
    await loadApp(browser.page, app.url);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });
  return {
    get app() {
      return app!;
    },
    get browser() {
      return browser!;
    },
  };
}
