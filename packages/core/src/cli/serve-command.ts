/**
 * @fileoverview `llm-proxy` / `llm-proxy serve`: resolve the settings, validate the access mode
 * (before anything binds a port), then start logging, notifications, the upstream client, the
 * backends and the HTTP server; stop gracefully on SIGTERM/SIGINT.
 *
 * The server modules are imported only here, and lazily, so the reporting commands and startup
 * failures never load Express or the connectors.
 */
import { validateAccessMode } from '../access-mode/access-mode-rules.js';
import { startupLogLine } from '../access-mode/describe-access-mode.js';
import type { CommandLineArguments } from '../config/define-setting.js';
import type { ResolvedSettings } from '../config/proxy-settings.js';
import { resolveSettings } from '../config/resolve-settings.js';
import { checkCallerSettings } from '../callers/check-caller-settings.js';
import { createLogger, type ClosableLogger } from '../logging/create-logger.js';
import type { SsoService } from '../sso/sso-service.js';
import { openServeStores } from './open-stores.js';
import { connectorContextFactory } from '../plugins/connector-context-factory.js';
import type { CommandEnvironment } from './command-environment.js';
import { readCoreVersion } from './core-version.js';
import { formatStartupErrors } from './format-startup-errors.js';

/** Starts the proxy; resolves with the process exit code once it has stopped (or failed to start). */
export async function serveCommand(environment: CommandEnvironment, commandLine: CommandLineArguments): Promise<number> {
  let settings: ResolvedSettings;
  let logger: ClosableLogger;
  try {
    settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    validateAccessMode(settings);
    checkCallerSettings(settings.values);
    logger = createLogger(settings.values);
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }

  logger.info(startupLogLine(settings));
  const shutdownSteps: (() => Promise<void> | void)[] = [];
  const shutDown = async (): Promise<void> => {
    for (const step of shutdownSteps.reverse()) {
      try {
        await step();
      } catch (error) {
        logger.warn('A shutdown step failed', { error });
      }
    }
  };

  try {
    const [{ createDesktopNotifier }, { createUpstreamHttpClient, upstreamClientSettings }, { loadBackends }, { startProxy }] = await Promise.all([
      import('../notifications/create-desktop-notifier.js'),
      import('../upstream/create-upstream-http-client.js'),
      import('../plugins/load-backends.js'),
      import('../server/start-proxy.js'),
    ]);

    const notifier = createDesktopNotifier({
      enabled: settings.values.notifications.enabled,
      logger: logger.child({ component: 'notifications' }),
    });
    shutdownSteps.push(() => notifier.close());

    const http = createUpstreamHttpClient({ ...upstreamClientSettings(settings.values.server), logger, knownSecrets: logger.knownSecrets });
    shutdownSteps.push(() => http.close());

    const { registry, report } = await loadBackends({
      settings: settings.values,
      cwd: environment.cwd,
      logger,
      requireLockOrigin: settings.origins?.['plugins.require_lock'] ?? 'set for this run',
      createContext: connectorContextFactory({
        logger,
        http,
        notifier,
        env: environment.env,
        apiKeyRetry: { initialMs: settings.values.server.upstreamKeyRetryMs, maxMs: settings.values.server.upstreamKeyRetryMaxMs },
      }),
    });

    // Opened before binding, so an unreachable database or Redis stops startup; the Redis
    // connection closes last (shutdown steps run in reverse), after the stores that use it.
    const stores = await openServeStores(settings.values);
    shutdownSteps.push(() => stores.close());

    let sso: SsoService | undefined;
    if (settings.values.sso.enabled) {
      // Secrets and discovery documents are read here, so a provider that cannot work stops startup before binding.
      const { createSsoService } = await import('../sso/sso-service.js');
      const service = await createSsoService({
        settings: settings.values,
        env: environment.env,
        cwd: environment.cwd,
        logger: logger.child({ component: 'sso' }),
        ...(stores.ssoStore === undefined ? {} : { store: stores.ssoStore }),
      });
      sso = service;
      shutdownSteps.push(() => service.close());
    }

    // Closed after the server drained (shutdown steps run in reverse), so the last requests'
    // records are written.
    const { createCallerAccounting } = await import('../server/caller-accounting.js');
    const accounting = createCallerAccounting({
      settings: settings.values,
      logger: logger.child({ component: 'usage' }),
      usageStore: stores.usageStore,
      ...(stores.counters === undefined ? {} : { counters: stores.counters }),
    });
    shutdownSteps.push(() => accounting.close());

    const running = await startProxy({
      settings,
      logger,
      registry,
      report,
      version: readCoreVersion(),
      sso,
      knownSecrets: logger.knownSecrets,
      accounting,
      failedAttemptStore: stores.failedAttemptStore,
    });
    // startProxy's close() also closes the backends.
    shutdownSteps.push(() => running.close());

    // One write, so a reader of the listening line finds the key lines with it.
    let announcement = `llm-proxy listening on ${running.url}\n`;
    if (settings.generatedApiKey !== undefined) {
      // Printed once, to stdout only: the logger redacts it everywhere else.
      announcement +=
        `Generated API key for this run: ${settings.generatedApiKey}\n` +
        `Point a client at ${running.url}/v1 with that key as OPENAI_API_KEY (or send it as Authorization: Bearer, x-api-key or x-goog-api-key); set auth.api_keys to choose your own.\n`;
    }
    if (sso !== undefined) {
      announcement += `Users sign in for personal proxy tokens at ${settings.values.sso.publicUrl ?? running.url}/auth/login\n`;
    }
    environment.stdout.write(announcement);

    const signal = await waitForStopSignal(environment, logger);
    logger.info(`Received ${signal}, shutting down`);
    await shutDown();
    logger.info('Stopped');
    await logger.close();
    return 0;
  } catch (error) {
    logger.error(formatStartupErrors(error).trimEnd(), { code: (error as { code?: unknown }).code });
    await shutDown();
    await logger.close();
    return 1;
  }
}

/**
 * Resolves with the first SIGTERM/SIGINT. A second signal while shutting down ends the process
 * at once, for an operator who does not want to wait for the drain.
 */
function waitForStopSignal(environment: CommandEnvironment, logger: ClosableLogger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        logger.warn(`Received ${signal} again, exiting without waiting for in-flight requests`);
        environment.exitNow(1);
        return;
      }
      received = true;
      resolve(signal);
    };
    environment.signals.on('SIGTERM', onSignal);
    environment.signals.on('SIGINT', onSignal);
  });
}
