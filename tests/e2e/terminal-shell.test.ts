// User story: a workshop attendee's files in the terminal live in this keystore's scratch folder (the
// origin private file system) and survive a reload; binary files round-trip byte for byte; the shell
// runs under the app's CSP (no eval) without touching the page's globals.
import { describe, expect, it } from 'vitest';
import { useApp } from './harness';

const env = useApp({ bundle: { entry: 'tests/e2e/terminal-shell-entry.ts', dir: '__e2e__', name: 'terminal-shell' } });

/** Every byte value, twice, as base64: what `base64 --decode` must turn back into exactly these bytes. */
const ALL_BYTES = Buffer.from([...Array(256).keys(), ...Array(256).keys()].reverse());

async function load() {
  const { page } = env.browser;

  await page.addScriptTag({ url: '/__e2e__/terminal-shell.js', type: 'module' });
  await page.waitForFunction(() => 'terminalShell' in globalThis);
}

type Run = { stdout: string; stderr: string; exitCode: number };
const run = (folder: string, script: string, fresh = false): Promise<Run> =>
  env.browser.page.evaluate(([f, s, n]) => (globalThis as any).terminalShell.run(f, s, n), [
    folder,
    script,
    fresh,
  ] as const);

describe('the terminal shell in Chromium', () => {
  it('keeps files in the keystore scratch folder across a reload, arbitrary bytes included', async () => {
    await load();
    const b64 = ALL_BYTES.toString('base64');
    const wrote = await run(
      'terminal/ks-one',
      `cd ~\necho "hello from the lab" > hello.txt\nbase64 --decode <<< "${b64}" > all.bin\nmkdir -p notes && echo kept >> notes/a.txt\nsha256sum all.bin\nls`,
    );
    expect(wrote.exitCode).toBe(0);
    expect(wrote.stdout).toContain('hello.txt');
    const digest = (await import('node:crypto')).createHash('sha256').update(ALL_BYTES).digest('hex');
    expect(wrote.stdout).toContain(`${digest}  all.bin`);

    await env.browser.page.reload();
    await load();
    const read = await run(
      'terminal/ks-one',
      'pwd\ncat hello.txt\ncat notes/a.txt\nsha256sum all.bin\nbase64 -w0 all.bin',
    );
    expect(read.exitCode).toBe(0);
    expect(read.stdout.split('\n')).toEqual(['/home/ada', 'hello from the lab', 'kept', `${digest}  all.bin`, b64]);

    // Another keystore's folder is another folder.
    const other = await run('terminal/ks-two', 'ls; cat hello.txt');
    expect(other.stdout).toBe('');
    expect(other.exitCode).not.toBe(0);
  });

  it('hands a command the exact bytes of fileb://<(base64 --decode …) and of a pipe', async () => {
    await load();
    const b64 = ALL_BYTES.subarray(0, 300).toString('base64');
    const r = await run(
      'terminal/ks-one',
      `base64 --decode <<< "${b64}" > ct.b64.bin\naws kms decrypt --ciphertext-blob fileb://<(cat ct.b64.bin)`,
    );
    expect(r.stdout.trim()).toBe(ALL_BYTES.subarray(0, 300).toString('hex'));
  });

  it('appends, copies and moves large files inside the scratch folder', async () => {
    await load();
    const r = await run(
      'terminal/ks-big',
      'seq 1 90000 > big.txt\ncp big.txt copy.txt\nmv copy.txt moved.txt\necho end >> moved.txt\nwc -c < big.txt\nwc -c < moved.txt\ntail -n 2 moved.txt\nls',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('528894\n528898\n90000\nend\nbig.txt\nmoved.txt\n');
  });

  it('reports scratch-folder errors as bash does', async () => {
    await load();
    const r = await run(
      'terminal/ks-errors',
      'echo x > nodir/f\necho "status $?"\nmkdir d && mkdir d\necho "status $?"\ntouch d/f && rmdir d\necho "status $?"\ncat d\necho "status $?"\nrm -r d && ls',
    );
    expect(r.stdout).toBe('status 1\nstatus 1\nstatus 1\nstatus 1\n');
    expect(r.stderr).toContain('nodir/f: No such file or directory');
    expect(r.stderr).toContain("mkdir: cannot create directory 'd': File exists");
    expect(r.stderr).toContain("rmdir: failed to remove 'd': Directory not empty");
    // bash says "Is a directory"; just-bash's cat words every read failure as a missing file (ADR 0010).
    expect(r.stderr).toContain('cat: d: ');
  });

  it('runs under the CSP without patching the page globals (timers, eval)', async () => {
    await load();
    await run('terminal/ks-one', 'sleep 0.05; echo "$(date +%Y)" | grep -c 20');
    expect(await env.browser.page.evaluate(() => (globalThis as any).terminalShell.globals())).toEqual({
      setTimeout: true,
      eval: true,
    });
    expect(env.browser.cspViolations).toEqual([]);
    expect(env.browser.errors).toEqual([]);
  });
});
