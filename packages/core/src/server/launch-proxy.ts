/**
 * @fileoverview Everything between resolved settings and a listening proxy: desktop
 * notifications, the upstream HTTP client, the backends, SSO (when on) and the HTTP server, with
 * one `close()` that stops them in reverse order. The `llm-proxy serve` command and the package's
 * programmatic API (`startLlmProxy`) both start the proxy through here, so they cannot drift.
 */
import { firstBudgetSetting } from '../callers/check-caller-settings.js';
import type { ResolvedSettings } from '../config/proxy-settings.js';
import type { ClosableLogger } from '../logging/create-logger.js';
import { createDesktopNotifier } from '../notifications/create-desktop-notifier.js';
import { connectorContextFactory } from '../plugins/connector-context-factory.js';
import { loadBackends } from '../plugins/load-backends.js';
import type { PrometheusMetrics } from '../observability/prometheus-metrics.js';
import { combineObservers, type RequestObserver } from '../observability/request-observer.js';
import type { TracingEnvironment } from '../observability/tracing-environment.js';
import type { SsoService } from '../sso/sso-service.js';
import { createUpstreamHttpClient, upstreamClientSettings } from '../upstream/create-upstream-http-client.js';
import { startProxy, type RunningProxy } from './start-proxy.js';

export interface LaunchProxyOptions {
  /** Validated for the access mode already. */
  settings: ResolvedSettings;
  /** Left open by `close()`: its creator closes it after the last line is logged. */
  logger: ClosableLogger;
  /** Read by connectors for their credentials. */
  env: NodeJS.ProcessEnv;
  /** Where connector packages are discovered and relative paths start. */
  cwd: string;
  /** The version of @llmproxy/core, for `/internal/health`. */
  version: string;
  /** Where request spans go (from the OTEL_* variables); undefined leaves tracing off and its SDK unloaded. */
  tracing?: TracingEnvironment | undefined;
}

/**
 * Starts the proxy. When a step fails, what was already started is stopped before the error is
 * rethrown.
 */
export async function launchProxy(options: LaunchProxyOptions): Promise<RunningProxy> {
  const { settings, logger, env, cwd } = options;
  const shutdownSteps: (() => Promise<void> | void)[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const step of shutdownSteps.reverse()) {
        try {
          await step();
        } catch (error) {
          logger.warn('A shutdown step failed', { error });
        }
      }
    })());

  try {
    const notifier = createDesktopNotifier({
      enabled: settings.values.notifications.enabled,
      logger: logger.child({ component: 'notifications' }),
    });
    shutdownSteps.push(() => notifier.close());

    const http = createUpstreamHttpClient({ ...upstreamClientSettings(settings.values.server), logger, knownSecrets: logger.knownSecrets });
    shutdownSteps.push(() => http.close());

    const { registry, report } = await loadBackends({
      settings: settings.values,
      cwd,
      logger,
      requireLockOrigin: settings.origins?.['plugins.require_lock'] ?? 'set for this run',
      createContext: connectorContextFactory({
        logger,
        http,
        notifier,
        env,
        apiKeyRetry: { initialMs: settings.values.server.upstreamKeyRetryMs, maxMs: settings.values.server.upstreamKeyRetryMaxMs },
        dataDirectory: settings.values.dataDirectory,
      }),
    });

    // Metrics and traces: their libraries are imported only when they are on.
    const observers: RequestObserver[] = [];
    let metrics: PrometheusMetrics | undefined;
    if (settings.values.metrics.enabled) {
      const { PrometheusMetrics } = await import('../observability/prometheus-metrics.js');
      metrics = new PrometheusMetrics({
        callerLabel: settings.values.metrics.callerLabel,
        credentialCounts: () =>
          registry.list().flatMap((backend) => {
            const counts = backend.connector.credentialCounts?.();
            return counts === undefined ? [] : [{ backend: backend.name, counts }];
          }),
      });
      observers.push(metrics);
    }
    if (options.tracing !== undefined) {
      const { startRequestTracer } = await import('../observability/otel-request-tracer.js');
      const tracer = startRequestTracer({ environment: options.tracing, version: options.version, logger });
      observers.push(tracer.observer);
      // Runs after the proxy closed (steps run in reverse), so the drained requests' spans are sent too.
      shutdownSteps.push(() => tracer.shutdown());
    }

    // Opened before binding, so an unwritable usage database or an unreachable PostgreSQL or
    // Redis stops startup. The Redis connection closes last (shutdown steps run in reverse),
    // after the stores that use it; the usage records are written after the server drained.
    const [{ createCallerAccounting }, { openServeStores }, { usageSummaryReader }] = await Promise.all([
      import('./caller-accounting.js'),
      import('./open-stores.js'),
      import('./usage-summary-reader.js'),
    ]);
    const stores = await openServeStores(settings.values, {
      // A budget needs the records: then a missing driver stops startup, as usage set explicitly does.
      usageOnByDefault: settings.sources['usage.enabled'] === 'default' && firstBudgetSetting(settings.values.callers) === undefined,
      warn: (message, meta) => logger.warn(message, meta),
    });
    shutdownSteps.push(() => stores.close());
    const accounting = await createCallerAccounting({
      settings: settings.values,
      logger: logger.child({ component: 'usage' }),
      usageStore: stores.usageStore,
      ...(stores.counters === undefined ? {} : { counters: stores.counters }),
      budgetRedis: stores.redis,
    });
    shutdownSteps.push(() => accounting.close());

    let sso: SsoService | undefined;
    if (settings.values.sso.enabled) {
      // Secrets and discovery documents are read here, so a provider that cannot work stops startup before binding.
      const { createSsoService } = await import('../sso/sso-service.js');
      const service = await createSsoService({
        settings: settings.values,
        env,
        cwd,
        logger: logger.child({ component: 'sso' }),
        usageSummary: usageSummaryReader(accounting),
        ...(stores.ssoStore === undefined ? {} : { store: stores.ssoStore }),
      });
      sso = service;
      shutdownSteps.push(() => service.close());
    }

    const running = await startProxy({
      settings,
      logger,
      registry,
      report,
      version: options.version,
      sso,
      knownSecrets: logger.knownSecrets,
      metrics,
      observer: combineObservers(observers),
      accounting,
      failedAttemptStore: stores.failedAttemptStore,
      conversationStore: stores.conversationStore,
    });
    // startProxy's close() also closes the backends.
    shutdownSteps.push(() => running.close());
    return { ...running, close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
