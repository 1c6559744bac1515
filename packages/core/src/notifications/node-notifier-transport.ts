/**
 * @fileoverview The only place node-notifier is used. It turns one desktop notification into
 * one OS call (notify-send on Linux, terminal-notifier on macOS, toasts on Windows) and reports
 * the outcome through a callback; deduplication, logging and scheduling live in
 * `create-desktop-notifier.ts`.
 */
import nodeNotifier from 'node-notifier';

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

/** Sends through node-notifier's platform default. */
export const nodeNotifierTransport: DesktopNotificationTransport = (notification, done) => {
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
