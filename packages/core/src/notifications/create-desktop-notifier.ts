/**
 * @fileoverview The desktop notification service connectors reach through their context.
 * Sending is fire and forget: `notify()` returns at once, never throws, and the OS call happens
 * on a later turn of the event loop so spawning `notify-send` never sits on a request's path.
 * A machine without a notification tool or daemon gets one warning per outage, not one per event.
 */
import type { DesktopNotification, Notifier } from '@llmproxy/connector-sdk';
import type { AppLogger } from '../logging/app-logger.js';
import {
  loadNodeNotifierTransport,
  type DesktopNotificationContent,
  type DesktopNotificationTransport,
} from './node-notifier-transport.js';

/** How long a `dedupeKey` suppresses repeats unless the caller says otherwise. */
export const DEFAULT_DEDUPE_WINDOW_MS = 60_000;

/** More OS calls than this still running means the desktop is not keeping up: drop, do not pile up processes. */
export const DEFAULT_MAX_PENDING_NOTIFICATIONS = 4;

const MAX_TITLE_LENGTH = 120;
const MAX_MESSAGE_LENGTH = 1_000;

export interface DesktopNotifierOptions {
  /** The effective `notifications.enabled` setting. When false, `notify()` only logs at debug. */
  enabled: boolean;
  logger: AppLogger;
  /** Repeats of the same `dedupeKey` within this many milliseconds are dropped. */
  dedupeWindowMs?: number;
  /** Notifications scheduled or being shown at once before new ones are dropped. */
  maxPendingNotifications?: number;
  /** Replaces the OS call (node-notifier) in tests. */
  transport?: DesktopNotificationTransport;
  /** Replaces loading node-notifier, in tests of an install without it. */
  loadTransport?: () => DesktopNotificationTransport | Error;
  /** Replaces `Date.now` in tests of the dedupe window. */
  now?: () => number;
}

/** A {@link Notifier} that can be shut down: pending sends are cancelled and later calls ignored. */
export type DesktopNotifier = Notifier & { close(): void };

export function createDesktopNotifier(options: DesktopNotifierOptions): DesktopNotifier {
  const logger = options.logger;
  const transport = options.transport ?? (options.enabled ? loadTransport(logger, options.loadTransport ?? loadNodeNotifierTransport) : undefined);
  const now = options.now ?? Date.now;
  const dedupeWindowMs = options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
  const maxPendingNotifications = options.maxPendingNotifications ?? DEFAULT_MAX_PENDING_NOTIFICATIONS;

  /** dedupeKey → when a notification with that key was last accepted. */
  const lastAcceptedAt = new Map<string, number>();
  const scheduled = new Set<NodeJS.Immediate>();
  let pendingCount = 0;
  let closed = false;
  /** False after a failure has been warned about; a later success re-arms the warning. */
  let warnOnNextFailure = true;

  function isDuplicate(dedupeKey: string | undefined): boolean {
    const currentTime = now();
    for (const [key, acceptedAt] of lastAcceptedAt) {
      if (currentTime - acceptedAt >= dedupeWindowMs) lastAcceptedAt.delete(key);
    }
    if (dedupeKey === undefined) return false;
    if (lastAcceptedAt.has(dedupeKey)) return true;
    lastAcceptedAt.set(dedupeKey, currentTime);
    return false;
  }

  function reportOutcome(content: DesktopNotificationContent, error: Error | null): void {
    // After close() the logger may already be closed too; an outcome nobody waits for is dropped.
    if (closed) return;
    if (error === null) {
      warnOnNextFailure = true;
      logger.debug('Desktop notification shown', { title: content.title });
      return;
    }
    const reason = describeFailure(error);
    if (warnOnNextFailure) {
      warnOnNextFailure = false;
      logger.warn(
        `Desktop notifications are not being shown: ${reason}. ` +
          'On Linux install notify-send (Debian/Ubuntu package libnotify-bin) and run a notification daemon ' +
          'in the desktop session; or turn notifications off with --disable-notifications.',
        { title: content.title },
      );
      return;
    }
    logger.debug('Desktop notification not shown', { title: content.title, reason });
  }

  function send(content: DesktopNotificationContent, sendWith: DesktopNotificationTransport): void {
    let settled = false;
    const done = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      pendingCount -= 1;
      reportOutcome(content, error);
    };
    try {
      sendWith(content, done);
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    notify(notification: DesktopNotification): void {
      try {
        if (closed) {
          logger.debug('Desktop notification ignored: the notifier is closed', { title: titleOf(notification) });
          return;
        }
        if (!options.enabled) {
          logger.debug('Desktop notifications are disabled; not shown', { title: titleOf(notification) });
          return;
        }
        const sendWith = transport;
        if (sendWith === undefined) {
          logger.debug('Desktop notification not shown: node-notifier is not installed', { title: titleOf(notification) });
          return;
        }
        const content = sanitize(notification);
        if (content === undefined) {
          logger.warn('Desktop notification ignored: it needs a non-empty string title or message');
          return;
        }
        if (isDuplicate(notification.dedupeKey)) {
          logger.debug('Desktop notification suppressed as a repeat', {
            title: content.title,
            dedupeKey: notification.dedupeKey,
          });
          return;
        }
        if (pendingCount >= maxPendingNotifications) {
          logger.debug('Desktop notification dropped: too many still being shown', { title: content.title });
          return;
        }
        pendingCount += 1;
        const immediate = setImmediate(() => {
          scheduled.delete(immediate);
          send(content, sendWith);
        });
        scheduled.add(immediate);
      } catch (error) {
        // A notification is never worth failing the caller (a request, a token refresh) for.
        logger.debug('Desktop notification failed before sending', { reason: describeFailure(error) });
      }
    },

    close(): void {
      closed = true;
      for (const immediate of scheduled) clearImmediate(immediate);
      scheduled.clear();
      lastAcceptedAt.clear();
    },
  };
}

/**
 * node-notifier, or nothing with one warning: it is an optional dependency, and a proxy without
 * it serves as well, only without notifications.
 */
function loadTransport(
  logger: AppLogger,
  load: () => DesktopNotificationTransport | Error,
): DesktopNotificationTransport | undefined {
  const loaded = load();
  if (!(loaded instanceof Error)) return loaded;
  logger.warn(
    'Desktop notifications are off: node-notifier, an optional dependency of @llmproxy/core, is not installed ' +
      `(${loaded.message.split('\n')[0]}). Install it with npm install node-notifier, ` +
      'or turn notifications off with --disable-notifications to silence this warning.',
  );
  return undefined;
}

function titleOf(notification: DesktopNotification): unknown {
  return typeof notification?.title === 'string' ? notification.title : undefined;
}

/**
 * Keeps notify-send's command line well formed: one line each (daemons show `\n` literally),
 * bounded length, and no leading `-` that it would read as an option.
 */
function sanitize(notification: DesktopNotification): DesktopNotificationContent | undefined {
  const title = typeof notification?.title === 'string' ? cleanText(notification.title, MAX_TITLE_LENGTH) : '';
  const message = typeof notification?.message === 'string' ? cleanText(notification.message, MAX_MESSAGE_LENGTH) : '';
  if (title === '' && message === '') return undefined;
  // notify-send requires a body; a title alone becomes the body under the application's name.
  if (message === '') return { title: 'llm-proxy', message: title };
  return { title: title === '' ? 'llm-proxy' : title, message };
}

function cleanText(text: string, maxLength: number): string {
  let cleaned = text.replace(/\p{Cc}+/gu, ' ').trim();
  if (cleaned.length > maxLength) cleaned = `${cleaned.slice(0, maxLength - 1)}…`;
  if (cleaned.startsWith('-')) cleaned = ` ${cleaned}`;
  return cleaned;
}

/**
 * node-notifier reports a failed `notify-send` as `Command failed: <command line>\n<stderr>`;
 * the command line repeats the notification text, so only the tool's own words are kept.
 */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [firstLine = '', ...rest] = error.message.split('\n');
  if (firstLine.startsWith('Command failed:')) {
    const toolOutput = rest.join(' ').replace(/\s+/g, ' ').trim();
    const exitCode = (error as Error & { code?: unknown }).code;
    return toolOutput !== '' ? toolOutput : `notify-send exited with code ${String(exitCode)}`;
  }
  return firstLine.trim() || error.name;
}
