/**
 * @fileoverview `llm-proxy` / `llm-proxy serve`: resolve the settings, validate the access mode
 * (before anything binds a port), start logging, then the proxy (server/launch-proxy.ts: notifications,
 * the upstream client, the backends, SSO and the HTTP server); stop gracefully on SIGTERM/SIGINT.
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
import { tracingEnvironment, type TracingEnvironment } from '../observability/tracing-environment.js';
import type { RunningProxy } from '../server/start-proxy.js';
import type { CommandEnvironment } from './command-environment.js';
import { readCoreVersion } from './core-version.js';
import { formatStartupBanner } from './format-startup-banner.js';
import { formatStartupErrors } from './format-startup-errors.js';
import { prepareDataDirectory } from './prepare-data-directory.js';

/** Starts the proxy; resolves with the process exit code once it has stopped (or failed to start). */
export async function serveCommand(environment: CommandEnvironment, commandLine: CommandLineArguments): Promise<number> {
  let settings: ResolvedSettings;
  let logger: ClosableLogger;
  let tracing: TracingEnvironment | undefined;
  try {
    settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    validateAccessMode(settings);
    checkCallerSettings(settings.values);
    tracing = tracingEnvironment(environment.env);
    if (settings.values.dataDirectory !== undefined) prepareDataDirectory(settings.values.dataDirectory);
    logger = createLogger(settings.values, { env: environment.env });
    await logger.ready();
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }

  logger.info(startupLogLine(settings));
  let running: RunningProxy | undefined;
  try {
    const { launchProxy } = await import('../server/launch-proxy.js');
    running = await launchProxy({ settings, logger, env: environment.env, cwd: environment.cwd, version: readCoreVersion(), tracing });

    // Listening before the banner: whoever reads the listening line may stop the proxy at once.
    const stopSignal = waitForStopSignal(environment, logger);
    // One write, so a reader of the listening line finds the other lines with it.
    environment.stdout.write(
      formatStartupBanner({
        listeningUrl: running.url,
        host: settings.values.host,
        port: running.port,
        generatedApiKey: settings.generatedApiKey,
        metricsUrl: running.metricsUrl,
        signInUrl: settings.values.sso.enabled ? `${settings.values.sso.publicUrl ?? running.url}/auth/login` : undefined,
      }),
    );

    const signal = await stopSignal;
    logger.info(`Received ${signal}, shutting down`);
    await running.close();
    logger.info('Stopped');
    await logger.close();
    return 0;
  } catch (error) {
    logger.error(formatStartupErrors(error).trimEnd(), { code: (error as { code?: unknown }).code });
    // launchProxy stops what it started when it fails; a failure after it returned stops it here.
    await running?.close();
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
