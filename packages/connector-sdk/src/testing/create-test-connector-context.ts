/**
 * @fileoverview A connector context for tests: it records what the connector logs and
 * notifies, and has no network unless the test supplies an HTTP client (for example one that
 * talks to a fake upstream on 127.0.0.1).
 */
import type { ConnectorContext, DesktopNotification } from '../connector.js';
import type { UpstreamHttpClient } from '../upstream-http-client.js';
import type { WireCodecs } from '../wire-codecs.js';

export interface RecordedLogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta?: Record<string, unknown>;
}

export interface TestConnectorContextOptions {
  backendName?: string;
  /** The backend's config slice (`backends.<name>` without `type`). */
  config?: Record<string, unknown>;
  /** Environment variables the connector may read. Defaults to none: tests never see real keys. */
  env?: Record<string, string | undefined>;
  /** The upstream client. Defaults to one that refuses every request, saying so. */
  http?: UpstreamHttpClient;
  /** Wire codecs for connectors that use them (core's in llmproxy's own tests). Defaults to none. */
  codecs?: WireCodecs;
}

export interface TestConnectorContext {
  context: ConnectorContext;
  /** Everything the connector logged, in order. */
  logs: RecordedLogEntry[];
  /** Every desktop notification the connector sent, in order. */
  notifications: DesktopNotification[];
}

export function createTestConnectorContext(options: TestConnectorContextOptions = {}): TestConnectorContext {
  const logs: RecordedLogEntry[] = [];
  const notifications: DesktopNotification[] = [];
  const record =
    (level: RecordedLogEntry['level']) =>
    (message: string, meta?: Record<string, unknown>): void => {
      logs.push(meta === undefined ? { level, message } : { level, message, meta });
    };
  const context: ConnectorContext = {
    backendName: options.backendName ?? 'test-backend',
    logger: { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') },
    http: options.http ?? refusingHttpClient,
    notifier: { notify: (notification) => notifications.push(notification) },
    config: options.config ?? {},
    env: Object.freeze({ ...(options.env ?? {}) }),
    ...(options.codecs === undefined ? {} : { codecs: options.codecs }),
  };
  return { context, logs, notifications };
}

const refusingHttpClient: UpstreamHttpClient = {
  send: (request) =>
    Promise.reject(
      new Error(
        `The test connector context has no network (${request.method} ${request.url}). Pass an http client, e.g. one that talks to a fake upstream on 127.0.0.1.`,
      ),
    ),
};
