import { describe, expect, it } from '@jest/globals';
import type { DesktopNotification } from '@llmproxy/connector-sdk';
import type { AppLogger } from '../../src/logging/app-logger.js';
import { createDesktopNotifier } from '../../src/notifications/create-desktop-notifier.js';
import type {
  DesktopNotificationContent,
  DesktopNotificationTransport,
} from '../../src/notifications/node-notifier-transport.js';

interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: Record<string, unknown> | undefined;
}

function createRecordingLogger(): { logger: AppLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger: AppLogger = {
    error: (message, meta) => entries.push({ level: 'error', message, meta }),
    warn: (message, meta) => entries.push({ level: 'warn', message, meta }),
    info: (message, meta) => entries.push({ level: 'info', message, meta }),
    debug: (message, meta) => entries.push({ level: 'debug', message, meta }),
    child: () => logger,
  };
  return { logger, entries };
}

/** A transport that records calls and answers each with the next scripted outcome. */
function createFakeTransport(outcomes: Array<Error | null | 'hold'> = []) {
  const calls: DesktopNotificationContent[] = [];
  const held: Array<(error: Error | null) => void> = [];
  const transport: DesktopNotificationTransport = (notification, done) => {
    calls.push(notification);
    const outcome = outcomes.length > 0 ? outcomes.shift() : null;
    if (outcome === 'hold') held.push(done);
    else done(outcome ?? null);
  };
  return { transport, calls, held };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function commandFailure(stderr: string): Error {
  return Object.assign(new Error(`Command failed: notify-send "secret-ish title" "body"\n${stderr}`), { code: 1 });
}

describe('createDesktopNotifier', () => {
  it('without node-notifier (an optional dependency) warns once at creation, then shows nothing and never throws', async () => {
    const { logger, entries } = createRecordingLogger();
    let loads = 0;
    const notifier = createDesktopNotifier({
      enabled: true,
      logger,
      loadTransport: () => {
        loads += 1;
        return Object.assign(new Error("Cannot find module 'node-notifier'\nRequire stack:\n- /x.js"), { code: 'MODULE_NOT_FOUND' });
      },
    });
    notifier.notify({ title: 'Quota exhausted', message: 'first' });
    notifier.notify({ title: 'Quota exhausted', message: 'second' });
    await nextTurn();

    expect(loads).toBe(1);
    const warnings = entries.filter((entry) => entry.level === 'warn');
    expect(warnings).toEqual([
      {
        level: 'warn',
        message:
          "Desktop notifications are off: node-notifier, an optional dependency of @llmproxy/core, is not installed (Cannot find module 'node-notifier'). " +
          'Install it with npm install node-notifier, or turn notifications off with --disable-notifications to silence this warning.',
        meta: undefined,
      },
    ]);
    expect(entries.filter((entry) => entry.message === 'Desktop notification not shown: node-notifier is not installed')).toHaveLength(2);
  });

  it('never loads node-notifier when notifications are off (Multi User Mode)', () => {
    const { logger, entries } = createRecordingLogger();
    let loads = 0;
    const notifier = createDesktopNotifier({ enabled: false, logger, loadTransport: () => ((loads += 1), new Error('must not load')) });
    notifier.notify({ title: 't', message: 'm' });
    expect(loads).toBe(0);
    expect(entries.filter((entry) => entry.level === 'warn')).toEqual([]);
  });

  it('sends title and message on a later turn, never inside notify()', async () => {
    const { logger, entries } = createRecordingLogger();
    const fake = createFakeTransport();
    const notifier = createDesktopNotifier({ enabled: true, logger, transport: fake.transport });

    notifier.notify({ title: 'Quota exhausted', message: 'kiro-oauth-auto hit its monthly quota' });
    expect(fake.calls).toEqual([]);

    await nextTurn();
    expect(fake.calls).toEqual([{ title: 'Quota exhausted', message: 'kiro-oauth-auto hit its monthly quota' }]);
    expect(entries).toContainEqual({
      level: 'debug',
      message: 'Desktop notification shown',
      meta: { title: 'Quota exhausted' },
    });
    notifier.close();
  });

  it('is a no-op that logs at debug when disabled', async () => {
    const { logger, entries } = createRecordingLogger();
    const fake = createFakeTransport();
    const notifier = createDesktopNotifier({ enabled: false, logger, transport: fake.transport });

    notifier.notify({ title: 'T', message: 'M' });
    await nextTurn();

    expect(fake.calls).toEqual([]);
    expect(entries).toEqual([
      { level: 'debug', message: 'Desktop notifications are disabled; not shown', meta: { title: 'T' } },
    ]);
  });

  it('warns once when notifications cannot be shown, then only logs at debug', async () => {
    const { logger, entries } = createRecordingLogger();
    const missingDaemon = commandFailure(
      'GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications was not provided by any .service files',
    );
    const fake = createFakeTransport([missingDaemon, missingDaemon, missingDaemon]);
    const notifier = createDesktopNotifier({ enabled: true, logger, transport: fake.transport });

    for (let index = 0; index < 3; index += 1) {
      notifier.notify({ title: `event ${index}`, message: 'm' });
      await nextTurn();
    }

    expect(fake.calls).toHaveLength(3);
    const warnings = entries.filter((entry) => entry.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(
      'Desktop notifications are not being shown: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown',
    );
    expect(warnings[0]?.message).toContain('libnotify-bin');
    expect(warnings[0]?.message).toContain('--disable-notifications');
    // The command line (which repeats the notification text) is not logged as the reason.
    expect(warnings[0]?.message).not.toContain('Command failed');
    expect(entries.filter((entry) => entry.message === 'Desktop notification not shown')).toHaveLength(2);
    notifier.close();
  });

  it('warns again after notifications recovered and then failed again', async () => {
    const { logger, entries } = createRecordingLogger();
    const notFound = Object.assign(new Error('not found: notify-send'), { code: 'ENOENT' });
    const fake = createFakeTransport([notFound, null, notFound, notFound]);
    const notifier = createDesktopNotifier({ enabled: true, logger, transport: fake.transport });

    for (let index = 0; index < 4; index += 1) {
      notifier.notify({ title: `event ${index}`, message: 'm' });
      await nextTurn();
    }

    const warnings = entries.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^Desktop notifications are not being shown: not found: notify-send\. /);
    notifier.close();
  });

  it('sends a dedupeKey once per window and again after the window', async () => {
    const { logger, entries } = createRecordingLogger();
    const fake = createFakeTransport();
    let currentTime = 1_000;
    const notifier = createDesktopNotifier({
      enabled: true,
      logger,
      transport: fake.transport,
      dedupeWindowMs: 10_000,
      now: () => currentTime,
    });
    const quota: DesktopNotification = { title: 'Quota', message: 'exhausted', dedupeKey: 'kiro-quota' };

    notifier.notify(quota);
    currentTime += 9_999;
    notifier.notify(quota);
    notifier.notify({ ...quota, dedupeKey: 'other-key' });
    notifier.notify({ title: 'No key', message: 'always sent' });
    notifier.notify({ title: 'No key', message: 'always sent' });
    await nextTurn();
    expect(fake.calls.map((call) => call.title)).toEqual(['Quota', 'Quota', 'No key', 'No key']);
    expect(entries).toContainEqual({
      level: 'debug',
      message: 'Desktop notification suppressed as a repeat',
      meta: { title: 'Quota', dedupeKey: 'kiro-quota' },
    });

    currentTime += 1;
    notifier.notify(quota);
    await nextTurn();
    expect(fake.calls).toHaveLength(5);
    notifier.close();
  });

  it('never throws into the caller, even when the transport throws or gets bad input', async () => {
    const { logger, entries } = createRecordingLogger();
    const notifier = createDesktopNotifier({
      enabled: true,
      logger,
      transport: () => {
        throw new TypeError('spawn exploded');
      },
    });

    expect(() => notifier.notify({ title: 'T', message: 'M' })).not.toThrow();
    expect(() => notifier.notify(null as unknown as DesktopNotification)).not.toThrow();
    expect(() => notifier.notify({ title: 42, message: {} } as unknown as DesktopNotification)).not.toThrow();
    await nextTurn();

    expect(entries.filter((entry) => entry.level === 'warn').map((entry) => entry.message)).toEqual([
      'Desktop notification ignored: it needs a non-empty string title or message',
      'Desktop notification ignored: it needs a non-empty string title or message',
      expect.stringContaining('Desktop notifications are not being shown: spawn exploded.'),
    ]);
    notifier.close();
  });

  it('keeps text on one line, bounded, and not parseable as an option', async () => {
    const { logger } = createRecordingLogger();
    const fake = createFakeTransport();
    const notifier = createDesktopNotifier({ enabled: true, logger, transport: fake.transport });

    notifier.notify({ title: '--help', message: 'line one\nline two\ttabbed' });
    notifier.notify({ title: 'Only a title', message: '' });
    notifier.notify({ title: 'Long', message: 'x'.repeat(5_000) });
    await nextTurn();

    expect(fake.calls[0]).toEqual({ title: ' --help', message: 'line one line two tabbed' });
    expect(fake.calls[1]).toEqual({ title: 'llm-proxy', message: 'Only a title' });
    expect(fake.calls[2]?.message).toHaveLength(1_000);
    notifier.close();
  });

  it('drops notifications while too many are still being shown', async () => {
    const { logger, entries } = createRecordingLogger();
    const fake = createFakeTransport(['hold', 'hold']);
    const notifier = createDesktopNotifier({
      enabled: true,
      logger,
      transport: fake.transport,
      maxPendingNotifications: 2,
    });

    notifier.notify({ title: 'one', message: 'm' });
    notifier.notify({ title: 'two', message: 'm' });
    notifier.notify({ title: 'three', message: 'm' });
    await nextTurn();
    expect(fake.calls.map((call) => call.title)).toEqual(['one', 'two']);
    expect(entries).toContainEqual({
      level: 'debug',
      message: 'Desktop notification dropped: too many still being shown',
      meta: { title: 'three' },
    });

    fake.held[0]?.(null);
    notifier.notify({ title: 'four', message: 'm' });
    await nextTurn();
    expect(fake.calls.map((call) => call.title)).toEqual(['one', 'two', 'four']);
    notifier.close();
  });

  it('cancels scheduled sends on close and ignores later calls and late outcomes', async () => {
    const { logger, entries } = createRecordingLogger();
    const fake = createFakeTransport(['hold']);
    const notifier = createDesktopNotifier({ enabled: true, logger, transport: fake.transport });

    notifier.notify({ title: 'in flight', message: 'm' });
    await nextTurn();
    notifier.notify({ title: 'scheduled', message: 'm' });
    notifier.close();
    notifier.notify({ title: 'after close', message: 'm' });
    fake.held[0]?.(new Error('late failure'));
    await nextTurn();

    expect(fake.calls.map((call) => call.title)).toEqual(['in flight']);
    expect(entries.filter((entry) => entry.level === 'warn')).toEqual([]);
    expect(entries).toContainEqual({
      level: 'debug',
      message: 'Desktop notification ignored: the notifier is closed',
      meta: { title: 'after close' },
    });
  });
});
