/**
 * @fileoverview The narrow context each backend's connector gets: its own child logger and
 * config slice, and the process's shared upstream client and notifier. One definition, so the
 * server and `llm-proxy connectors list` load connectors exactly alike.
 */
import type { ConnectorContext, Notifier, UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { AppLogger } from '../logging/app-logger.js';

export function connectorContextFactory(shared: {
  logger: AppLogger;
  http: UpstreamHttpClient;
  notifier: Notifier;
  env: Readonly<Record<string, string | undefined>>;
  /** The back-off of rejected upstream API keys (`server.upstream_key_retry_ms` / `_max_ms`). */
  apiKeyRetry?: { initialMs: number; maxMs: number };
  /** The data directory (`data_dir`), where connectors keep the files they write by default. */
  dataDirectory?: string;
}): (backendName: string, connectorId: string, config: Record<string, unknown>) => ConnectorContext {
  return (backendName, _connectorId, config) => ({
    backendName,
    logger: shared.logger.child({ backend: backendName }),
    http: shared.http,
    notifier: shared.notifier,
    config,
    env: shared.env,
    ...(shared.apiKeyRetry === undefined ? {} : { apiKeyRetry: shared.apiKeyRetry }),
    ...(shared.dataDirectory === undefined ? {} : { dataDirectory: shared.dataDirectory }),
  });
}
