/**
 * @fileoverview The only place node-notifier is used. It turns one desktop notification into
 * one OS call (notify-send on Linux, terminal-notifier on macOS, toasts on Windows) and reports
 * the outcome through a callback; deduplication, logging and scheduling live in
 * `create-desktop-notifier.ts`.
 *
 * node-notifier is an optional dependency of @llmproxy/core: only Single User Mode shows
 * notifications (Multi User Mode forbids them), so a server install may leave it out
 * (`npm install --omit=optional`). It is loaded on first use, never when notifications are off.
 */
import { createRequire } from 'node:module';

import type nodeNotifierModule from 'node-notifier';

/** One notification as handed to the operating system, already sanitised. */
export interface DesktopNotificationContent {
  title: string;
  message: string;
}

/**
 * Shows one notification and calls `done` exactly once: with `null` when the OS accepted it,
 * with an Error when it could not be shown (tool missing, no notification daemon, ...).
 * May call `done` synchronously; may throw synchronously.
 */
export type DesktopNotificationTransport = (
  notification: DesktopNotificationContent,
  done: (error: Error | null) => void,
) => void;

/** Shown as the sending application by notification daemons that display it (notify-send `-a`). */
const APPLICATION_NAME = 'llm-proxy';

const usesNotifySend = process.platform === 'linux' || process.platform.endsWith('bsd');

/**
 * node-notifier's platform default as a transport, or why it cannot be loaded (it is not
 * installed). Synchronous, as node-notifier is a CommonJS package. It is only resolved here, so
 * a missing install is still reported at startup, and loaded on the first notification: its
 * modules (about 1 MB of heap) are not worth keeping in a proxy that never notifies.
 */
export function loadNodeNotifierTransport(): DesktopNotificationTransport | Error {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('node-notifier');
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  let nodeNotifier: typeof nodeNotifierModule | undefined;
  return (notification, done) => {
    nodeNotifier ??= require('node-notifier') as typeof nodeNotifierModule;
    sendThrough(nodeNotifier, notification, done);
  };
}

function sendThrough(
  nodeNotifier: typeof nodeNotifierModule,
  notification: DesktopNotificationContent,
  done: (error: Error | null) => void,
): void {
  // `app-name` is a notify-send flag that node-notifier passes through but its types omit.
  const options = usesNotifySend
    ? { title: notification.title, message: notification.message, 'app-name': APPLICATION_NAME }
    : { title: notification.title, message: notification.message };
  nodeNotifier.notify(options, (error: Error | string | null) => {
    // node-notifier hands notify-send's stderr (usually empty) as the first argument when the
    // command exited 0, so only an Error means the notification was not shown.
    done(error instanceof Error ? error : null);
  });
};
