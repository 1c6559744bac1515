/**
 * @fileoverview Starts the proxy's HTTP server — the only place that binds a port — and stops
 * it gracefully: stop accepting, let in-flight requests and streams finish within the drain
 * timeout, then end what is left with SERVER_SHUTTING_DOWN (cutting connections that cannot
 * take it), close the connectors and resolve once every request's log line was written.
 */
import type { Store } from 'express-rate-limit';
import type { ConversationStore } from '../frontends/openai-responses/conversation-store.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ResolvedSettings } from '../config/proxy-settings.js';
import type { AppLogger } from '../logging/app-logger.js';
import { startMetricsServer, type RunningMetricsServer } from '../observability/metrics-server.js';
import type { PrometheusMetrics } from '../observability/prometheus-metrics.js';
import type { RequestObserver } from '../observability/request-observer.js';
import { closeBackends } from '../plugins/close-backends.js';
import type { BackendRegistry } from '../plugins/load-backends.js';
import type { PluginReport } from '../plugins/plugin-report.js';
import type { SsoService } from '../sso/sso-service.js';
import { answerClientError } from './answer-client-error.js';
import { refuseBackendsPointingAtProxy } from './backends-pointing-at-proxy.js';
import type { CallerAccounting } from './caller-accounting.js';
import { createApp, type CreateAppOptions } from './create-app.js';
import { expressMessageClasses } from './express-message-classes.js';
import { shutdownCutError } from './shutdown-cut.js';

/**
 * Time allowed to receive a request's headers; short, to shed slow-header (slowloris) clients.
 * The whole request, body included, has `server.request_timeout_ms`; responses (streams) are
 * not limited by either.
 */
export const HEADERS_TIMEOUT_MS = 30_000;
/** How often Node checks those two limits at most; its default, 30 s, let a 120 s limit run to 150 s. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** How long an idle keep-alive connection stays open between requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/**
 * Connections the kernel holds for the proxy until it accepts them (capped by the system's
 * net.core.somaxconn). Node's default, 511, fills within a second when hundreds of clients
 * a second open streams and the event loop stalls that long (a garbage collection, a CPU shared
 * with other work): the kernel then drops their handshakes, and a client whose request was
 * already sent gets its connection reset (ECONNRESET) instead of an answer.
 */
export const LISTEN_BACKLOG = 4096;
/**
 * After the drain timeout: how long requests get to send their SERVER_SHUTTING_DOWN answer (a
 * client that stopped reading cannot take it) before their connections are cut.
 */
export const CUT_GRACE_MS = 1_000;

export interface StartProxyOptions {
  settings: ResolvedSettings;
  logger: AppLogger;
  registry: BackendRegistry;
  report: PluginReport;
  version: string;
  /** With SSO on: the `/auth` pages and SSO credentials (closed by its creator, not here). */
  sso?: SsoService | undefined;
  /** The exact secrets scrubbed from client-bound errors (the logger's set). */
  knownSecrets?: Iterable<string>;
  /** Callers' models, limits, budgets and usage records (closed by its creator, after this). */
  accounting?: CallerAccounting | undefined;
  /** Overrides of the failed-authentication limiter, for tests. */
  failedAttemptLimit?: number;
  failedAttemptWindowMs?: number;
  /** With metrics on: served at /metrics on the main port, and on `metrics.port` when set. */
  metrics?: Pick<PrometheusMetrics, 'contentType' | 'render'> | undefined;
  /** Metrics and traces, told about every request. */
  observer?: RequestObserver | undefined;
  /** Where failed attempts are counted; default this process's memory (a shared Redis across replicas). */
  failedAttemptStore?: Store | undefined;
  /** Where `previous_response_id` conversations are kept; default this process's memory (a shared Redis across replicas). */
  conversationStore?: ConversationStore | undefined;
}

export interface RunningProxy {
  /** `http://<host>:<port>`, IPv6 hosts in brackets. */
  url: string;
  /** The metrics port's `http://<host>:<port>/metrics`, when `metrics.port` is set. */
  metricsUrl?: string | undefined;
  /** The real port (meaningful when port 0 was asked for). */
  port: number;
  /** Drains and stops the server and closes the connectors. Safe to call more than once. */
  close(): Promise<void>;
}

export async function startProxy(options: StartProxyOptions): Promise<RunningProxy> {
  const { settings, logger, registry } = options;
  const { host, port } = settings.values;
  const appOptions: CreateAppOptions = options;
  const { app, inFlightRequests, dispose } = createApp(appOptions);
  const { requestTimeoutMs } = settings.values.server;
  const server = createServer(
    {
      // Node refuses a headers timeout longer than the request timeout.
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, Math.ceil(requestTimeoutMs / 4)),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      ...expressMessageClasses(app),
    },
    app,
  );
  // Node's own answers to unreadable requests are empty; clients parse JSON errors.
  server.on('clientError', answerClientError({ logger, requestTimeoutMs }));
  // No socket inactivity timeout: a stream may be quiet while the model thinks; the upstream
  // timeout bounds that, and client disconnects are noticed by the socket itself.
  server.timeout = 0;

  try {
    await listen(server, host, port);
  } catch (error) {
    dispose();
    throw error;
  }
  let metricsServer: RunningMetricsServer | undefined;
  const metricsPort = settings.values.metrics.port;
  if (options.metrics !== undefined && metricsPort !== undefined) {
    try {
      metricsServer = await startMetricsServer({ metrics: options.metrics, host: settings.values.metrics.host, port: metricsPort, logger });
    } catch (error) {
      dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
  }
  const boundPort = (server.address() as AddressInfo).port;
  try {
    // Only now is the port known when port 0 was asked for.
    await refuseBackendsPointingAtProxy(registry.list(), { host, port: boundPort });
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dispose();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  logger.info('Proxy listening', { url, accessMode: settings.values.accessMode, backends: registry.list().map((backend) => backend.name) });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const drainTimeoutMs = settings.values.server.drainTimeoutMs;
      logger.info('Shutting down: waiting for in-flight requests', { inFlight: inFlightRequests.size, drainTimeoutMs });
      // Keep-alive connections whose request just finished would otherwise hold close() open.
      inFlightRequests.beginShutdown(() => setImmediate(() => server.closeIdleConnections()));
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await inFlightRequests.waitUntilIdle(drainTimeoutMs);
      if (!drained) {
        logger.warn('Drain timeout reached; ending the remaining requests with SERVER_SHUTTING_DOWN', {
          inFlight: inFlightRequests.size,
          drainTimeoutMs,
        });
        // Each route answers its client with the error (a stream gets its API's error event),
        // which takes a moment; connections still open after that are cut.
        inFlightRequests.abortAll(shutdownCutError(drainTimeoutMs));
        if (!(await inFlightRequests.waitUntilIdle(CUT_GRACE_MS))) {
          server.closeAllConnections();
          // Their 'close' events write the request log lines; the logger closes after this.
          await inFlightRequests.waitUntilIdle(CUT_GRACE_MS);
        }
      }
      server.closeIdleConnections();
      await serverClosed;
      await metricsServer?.close();
      dispose();
      await closeBackends(registry.list(), logger);
      logger.info('Proxy stopped');
    })());

  return { url, port: boundPort, ...(metricsServer === undefined ? {} : { metricsUrl: metricsServer.url }), close };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        new LlmProxyError({
          code: 'SERVER_LISTEN_FAILED',
          message:
            error.code === 'EADDRINUSE'
              ? `Could not listen on ${host}:${port}: the port is already in use`
              : `Could not listen on ${host}:${port}: ${error.message}`,
          currentValue: `host ${host}, port ${port}`,
          fix:
            error.code === 'EADDRINUSE'
              ? 'Stop the other process using the port, or choose another with --port (0 picks a free port)'
              : 'Check --host and --port (LLM_PROXY_HOST, LLM_PROXY_PORT)',
          cause: error,
        }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, backlog: LISTEN_BACKLOG });
  });
}
