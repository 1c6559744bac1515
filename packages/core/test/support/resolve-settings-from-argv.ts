/**
 * Resolves settings from command-line words the way `llm-proxy` does: one pass of the CLI's own
 * parser (unknown flags refused), whose result goes to the resolver.
 */
import { createCommandLineParser } from '../../src/cli/create-command-line-parser.js';
import type { ResolvedSettings } from '../../src/config/proxy-settings.js';
import { resolveSettings } from '../../src/config/resolve-settings.js';

export interface ResolveSettingsFromArgvOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export async function resolveSettingsFromArgv(options: ResolveSettingsFromArgvOptions): Promise<ResolvedSettings> {
  const commandLine = await createCommandLineParser(options.argv).strictOptions().help(false).version(false).parseAsync();
  return resolveSettings({ commandLine, env: options.env, cwd: options.cwd });
}
