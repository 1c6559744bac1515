/**
 * @fileoverview The programmatic API of @llmproxy/core: start a proxy inside your own process
 * (an application that embeds it, or your tests), get its address, close it. Settings are given
 * as the `llm-proxy` command line takes them, so `llm-proxy --help`, the README's settings table
 * and `llm-proxy config explain` document them; the environment and the YAML file apply as for
 * the CLI.
 */
import { validateAccessMode } from './access-mode/access-mode-rules.js';
import { startupLogLine } from './access-mode/describe-access-mode.js';
import { createCommandLineParser } from './cli/create-command-line-parser.js';
import { readCoreVersion } from './cli/core-version.js';
import type { AccessMode } from './config/proxy-settings.js';
import { resolveSettings } from './config/resolve-settings.js';
import { prepareDataDirectory } from './cli/prepare-data-directory.js';
import { checkCallerSettings } from './callers/check-caller-settings.js';
import { createLogger } from './logging/create-logger.js';

export { LlmProxyError } from '@llmproxy/connector-sdk';
export type { AccessMode } from './config/proxy-settings.js';

export interface StartLlmProxyOptions {
  /**
   * Settings as `llm-proxy serve` flags, e.g. `['--port', '0', '--api-keys', 'my-key']`.
   * Unknown flags are refused, as on the command line.
   */
  args?: readonly string[];
  /**
   * The environment: `LLM_PROXY_*` settings and the connectors' credentials (`OPENAI_API_KEY`…).
   * Defaults to `process.env`.
   */
  env?: NodeJS.ProcessEnv;
  /** Where the YAML file is searched, connector packages are found and relative paths start. Defaults to `process.cwd()`. */
  cwd?: string;
}

export interface LlmProxy {
  /** `http://<host>:<port>`; clients use `${url}/v1` (OpenAI), `url` (Anthropic, Gemini). */
  readonly url: string;
  /** The port listened on: the real one when port 0 was asked for. */
  readonly port: number;
  /** The API key generated for this run when none was configured (loopback hosts only). */
  readonly generatedApiKey: string | undefined;
  readonly accessMode: AccessMode;
  /** The version of @llmproxy/core. */
  readonly version: string;
  /**
   * Stops accepting requests, lets in-flight ones finish within `server.drain_timeout_ms`,
   * closes the connectors and the log. Safe to call more than once.
   */
  close(): Promise<void>;
}

/**
 * Starts a proxy and resolves once it listens. Rejects with an `LlmProxyError` (or an
 * `AggregateError` of them when several settings are wrong) for what `llm-proxy` would refuse
 * to start with; nothing is left running then.
 */
export async function startLlmProxy(options: StartLlmProxyOptions = {}): Promise<LlmProxy> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const commandLine = await createCommandLineParser(options.args ?? [])
    .strict()
    .parseAsync();
  const settings = await resolveSettings({ commandLine, env, cwd });
  validateAccessMode(settings);
  checkCallerSettings(settings.values);
  const version = readCoreVersion();
  if (settings.values.dataDirectory !== undefined) prepareDataDirectory(settings.values.dataDirectory);
  const logger = createLogger(settings.values, { env });
  await logger.ready();
  logger.info(startupLogLine(settings));
  try {
    // Loaded here, not at the top, so importing the package stays light.
    const { launchProxy } = await import('./server/launch-proxy.js');
    const running = await launchProxy({ settings, logger, env, cwd, version });
    let closing: Promise<void> | undefined;
    return {
      url: running.url,
      port: running.port,
      generatedApiKey: settings.generatedApiKey,
      accessMode: settings.values.accessMode,
      version,
      close: () =>
        (closing ??= (async () => {
          await running.close();
          await logger.close();
        })()),
    };
  } catch (error) {
    await logger.close();
    throw error;
  }
}
