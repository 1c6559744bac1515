/**
 * Real delivery: the built notifier → node-notifier → notify-send → a private D-Bus session →
 * dunst (on its own Xvfb display), and the daemon's own rule script records what it received.
 * The notifier runs in a child process because notify-send inherits the real process
 * environment (the private bus address), which a Jest test cannot change for core modules.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixturesDirectory = fileURLToPath(new URL('./fixtures/', import.meta.url));
const senderScript = path.join(fixturesDirectory, 'send-desktop-notifications.mjs');
const daemonScript = path.join(fixturesDirectory, 'run-with-notification-daemon.sh');
const builtNotifier = fileURLToPath(new URL('../../dist/notifications/create-desktop-notifier.js', import.meta.url));

const DEBIAN_PACKAGES = 'libnotify-bin dbus dunst xvfb';
const REQUIRED_TOOLS = ['notify-send', 'dbus-run-session', 'dbus-send', 'dunst', 'Xvfb'];

const ciValue = process.env.CI ?? '';
const isCi = ciValue !== '' && ciValue !== 'false' && ciValue !== '0';

function isOnPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((directory) => {
    if (directory === '') return false;
    try {
      accessSync(path.join(directory, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const missingTools = process.platform === 'linux' ? REQUIRED_TOOLS.filter((tool) => !isOnPath(tool)) : REQUIRED_TOOLS;
const missingReason =
  process.platform !== 'linux'
    ? `desktop notification delivery is tested on Linux only (this is ${process.platform})`
    : `missing ${missingTools.join(', ')}; install the Debian packages: apt-get install -y ${DEBIAN_PACKAGES}`;

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in its own process group and kills the whole group if it outlives the timeout. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 1_000).unref();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Anything the command left behind in its group (it should leave nothing) is asked to go too;
      // not SIGKILL, which would keep Xvfb from removing its display lock.
      killGroup('SIGTERM');
      resolve({ code, signal, stdout, stderr });
    });
  });
}

interface LoggedEntry {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
}

function parseLogLines(stdout: string): LoggedEntry[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LoggedEntry);
}

/** The environment for child processes: none of the developer's own bus, display or config. */
function isolatedEnvironment(workDirectory: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, HOME: workDirectory, XDG_CONFIG_HOME: workDirectory };
  delete environment.DBUS_SESSION_BUS_ADDRESS;
  delete environment.DISPLAY;
  delete environment.WAYLAND_DISPLAY;
  return { ...environment, ...overrides };
}

let workDirectory = '';

beforeEach(async () => {
  if (!existsSync(builtNotifier)) {
    throw new Error(`${builtNotifier} does not exist: run \`npx tsc -b\` before these tests (npm test does).`);
  }
  workDirectory = await mkdtemp(path.join(tmpdir(), 'llmproxy-notifications-'));
});

afterEach(async () => {
  await rm(workDirectory, { recursive: true, force: true });
});

describe('desktop notifications without a way to show them', () => {
  it('warns once when notify-send is not installed, and every notify() still returns', async () => {
    const emptyPath = path.join(workDirectory, 'empty-bin');
    await mkdir(emptyPath);
    const result = await run(
      process.execPath,
      [senderScript, '3', 'Quota exhausted', 'no notify-send here'],
      isolatedEnvironment(workDirectory, { PATH: emptyPath }),
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const entries = parseLogLines(result.stdout);
    expect(entries.filter((entry) => entry.message === 'notify returned')).toHaveLength(3);
    const warnings = entries.filter((entry) => entry.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/^Desktop notifications are not being shown: not found: notify-send\. /);
    expect(entries.filter((entry) => entry.message === 'Desktop notification not shown')).toHaveLength(2);
  });

  const itWithNotifySend = isOnPath('notify-send') || isCi ? it : it.skip;
  itWithNotifySend('warns once when there is no session bus to deliver to', async () => {
    if (!isOnPath('notify-send')) throw new Error(`Cannot test notify-send without a session bus: ${missingReason}`);
    const result = await run(
      process.execPath,
      [senderScript, '2', 'Quota exhausted', 'no bus here'],
      isolatedEnvironment(workDirectory, {
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(workDirectory, 'no-such-bus')}`,
      }),
    );

    expect(result.code).toBe(0);
    const entries = parseLogLines(result.stdout);
    const warnings = entries.filter((entry) => entry.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/^Desktop notifications are not being shown: Could not connect/);
    // The reason is notify-send's own message, not its command line with the notification text.
    expect(warnings[0]?.message).not.toContain('no bus here');
    expect(entries.filter((entry) => entry.message === 'Desktop notification not shown')).toHaveLength(1);
  });
});

if (missingTools.length > 0 && !isCi) {
  process.stderr.write(`Skipping desktop notification delivery to a real daemon: ${missingReason}\n`);
}
const describeDelivery = missingTools.length > 0 && !isCi ? describe.skip : describe;

describeDelivery('desktop notification delivery to a real notification daemon', () => {
  it('reaches dunst on a private D-Bus session with the title and body intact', async () => {
    if (missingTools.length > 0) throw new Error(`Cannot test real desktop notification delivery: ${missingReason}`);

    const receivedFile = path.join(workDirectory, 'received');
    const recorderScript = path.join(workDirectory, 'record-notification.sh');
    // NUL-separated, so any text survives the trip back unambiguously.
    await writeFile(
      recorderScript,
      `#!/bin/sh\nprintf '%s\\0%s\\0%s\\0' "$DUNST_APP_NAME" "$DUNST_SUMMARY" "$DUNST_BODY" >> '${receivedFile}'\n`,
    );
    await chmod(recorderScript, 0o755);
    await writeFile(
      path.join(workDirectory, 'dunstrc'),
      ['[global]', '    follow = none', '[record_every_notification]', '    appname = "*"', `    script = "${recorderScript}"`, ''].join('\n'),
    );

    // Shell metacharacters prove the text reaches the daemon as text, not as shell syntax.
    const title = 'Quota exhausted for "kiro-oauth-auto" $HOME';
    const body = 'Monthly quota used up; `id` stays text; résumé ✓ 100%';
    const result = await run(
      'dbus-run-session',
      [
        '--',
        'sh',
        daemonScript,
        workDirectory,
        process.execPath,
        senderScript,
        '1',
        title,
        body,
      ],
      isolatedEnvironment(workDirectory),
    );

    const diagnostics = `exit ${result.code} ${result.signal ?? ''}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
    expect({ code: result.code, diagnostics }).toEqual({ code: 0, diagnostics });
    const entries = parseLogLines(result.stdout);
    expect(entries.filter((entry) => entry.level === 'warn')).toEqual([]);
    expect(entries).toContainEqual({ level: 'debug', message: 'Desktop notification shown', meta: { title } });

    const received = (await readFile(receivedFile, 'utf8')).split('\0');
    expect(received).toEqual(['llm-proxy', title, body, '']);
  });
});
