/**
 * @fileoverview `llm-proxy config explain`: prints every effective setting with its source, the
 * resolved access mode and each access-mode rule's verdict, without binding a port. Exits 1 when
 * a rule fails, so scripts can check a configuration before deploying it.
 */
import { evaluateAccessModeRules } from '../access-mode/access-mode-rules.js';
import type { CommandLineArguments } from '../config/define-setting.js';
import { resolveSettings } from '../config/resolve-settings.js';
import type { CommandEnvironment } from './command-environment.js';
import { formatConfigExplanation } from './format-config-explanation.js';
import { formatStartupErrors } from './format-startup-errors.js';

export async function configExplainCommand(environment: CommandEnvironment, commandLine: CommandLineArguments): Promise<number> {
  try {
    const settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    const rules = evaluateAccessModeRules(settings);
    environment.stdout.write(formatConfigExplanation(settings, rules));
    return rules.some((rule) => rule.verdict === 'fail') ? 1 : 0;
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }
}
