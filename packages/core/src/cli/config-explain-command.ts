/**
 * @fileoverview `llm-proxy config explain`: prints every effective setting with its source, the
 * resolved access mode, each access-mode rule's verdict and each connector package's verdict
 * against the connector lock file, without binding a port or importing a connector. Exits 1 when
 * an access-mode rule fails, so scripts can check a configuration before deploying it.
 */
import { evaluateAccessModeRules } from '../access-mode/access-mode-rules.js';
import type { CommandLineArguments } from '../config/define-setting.js';
import { resolveSettings } from '../config/resolve-settings.js';
import type { ResolvedSettings } from '../config/proxy-settings.js';
import { createLogger } from '../logging/create-logger.js';
import type { CommandEnvironment } from './command-environment.js';
import { formatConfigExplanation } from './format-config-explanation.js';
import { formatStartupErrors } from './format-startup-errors.js';

export async function configExplainCommand(environment: CommandEnvironment, commandLine: CommandLineArguments): Promise<number> {
  try {
    const settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    const rules = evaluateAccessModeRules(settings);
    const lockLines = await explainConnectorLock(settings, environment);
    environment.stdout.write(formatConfigExplanation(settings, rules, lockLines));
    return rules.some((rule) => rule.verdict === 'fail') ? 1 : 0;
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }
}

/** The lock file and each package's verdict, decided from files on disk exactly as serving would, importing nothing. */
async function explainConnectorLock(settings: ResolvedSettings, environment: CommandEnvironment): Promise<string[]> {
  const [{ inspectConnectorPackages }, { formatLockVerdicts }] = await Promise.all([
    import('../plugins/inspect-connector-packages.js'),
    import('../plugins/format-lock-verdicts.js'),
  ]);
  const logger = createLogger({ ...settings.values, logLevel: 'warn' }, { writeLogFile: false, env: environment.env });
  try {
    const inspection = await inspectConnectorPackages({
      settings: settings.values,
      cwd: environment.cwd,
      logger,
      requireLockOrigin: settings.origins?.['plugins.require_lock'] ?? 'set for this run',
    });
    return formatLockVerdicts(inspection.lock, inspection.packages);
  } finally {
    await logger.close();
  }
}
