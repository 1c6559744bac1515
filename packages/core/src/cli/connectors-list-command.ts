/**
 * @fileoverview `llm-proxy connectors list`: discovers and loads the connector plugins exactly as
 * the server would (access-mode gate included) and prints what was found, loaded and skipped,
 * and why. Binds no port and writes no log file.
 */
import type { CommandLineArguments } from '../config/define-setting.js';
import { resolveSettings } from '../config/resolve-settings.js';
import { createLogger } from '../logging/create-logger.js';
import { connectorContextFactory } from '../plugins/connector-context-factory.js';
import type { CommandEnvironment } from './command-environment.js';
import { formatStartupErrors } from './format-startup-errors.js';

export async function connectorsListCommand(environment: CommandEnvironment, commandLine: CommandLineArguments): Promise<number> {
  try {
    const settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    const logger = createLogger(
      { ...settings.values, logLevel: settings.values.logLevel === 'debug' ? 'debug' : 'warn' },
      { writeLogFile: false, env: environment.env },
    );
    const [{ createDesktopNotifier }, { createUpstreamHttpClient, upstreamClientSettings }, { loadBackends }, { formatPluginReport }, { closeBackends }] =
      await Promise.all([
        import('../notifications/create-desktop-notifier.js'),
        import('../upstream/create-upstream-http-client.js'),
        import('../plugins/load-backends.js'),
        import('../plugins/format-plugin-report.js'),
        import('../plugins/close-backends.js'),
      ]);

    // Listing must not pop up notifications or reach upstreams; the connectors only need a context.
    const notifier = createDesktopNotifier({ enabled: false, logger });
    const http = createUpstreamHttpClient({ ...upstreamClientSettings(settings.values.server), logger, knownSecrets: logger.knownSecrets });
    try {
      const { registry, report } = await loadBackends({
        settings: settings.values,
        cwd: environment.cwd,
        logger,
        requireLockOrigin: settings.origins?.['plugins.require_lock'] ?? 'set for this run',
        createContext: connectorContextFactory({ logger, http, notifier, env: environment.env, dataDirectory: settings.values.dataDirectory }),
      });
      environment.stdout.write(formatPluginReport(report));
      await closeBackends(registry.list(), logger);
    } finally {
      http.close();
      notifier.close();
      await logger.close();
    }
    return 0;
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }
}
