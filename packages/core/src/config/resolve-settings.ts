/**
 * @fileoverview Resolves every setting in the settings table by precedence
 * CLI > environment > YAML > default, remembering where each value came from, then derives the
 * automatic values (desktop notifications, the generated API key) and freezes the result.
 *
 * The command line arrives parsed (by the CLI's one yargs pass, with the table's flags); flag
 * and environment texts go through the same parser of each row. Every invalid flag value,
 * environment value and YAML problem is collected before failing, so one run reports them all.
 */
import path from 'node:path';

import { LlmProxyError } from '@llmproxy/connector-sdk';

import { deepFreeze } from './deep-freeze.js';
import type { CommandLineArguments, SettingDefinition } from './define-setting.js';
import { generateApiKey } from './generate-api-key.js';
import { isLoopbackHost } from './is-loopback-host.js';
import { CONFIG_SEARCH_PLACES, loadConfigFile, type LoadedConfigFile } from './load-config-file.js';
import type { ProxySettings, ResolvedSettings, SettingSource } from './proxy-settings.js';
import { commandLineCandidate, environmentCandidate, yamlCandidate, type Candidate } from './setting-candidates.js';
import {
  CONSOLE_ONLY_LOG_FILE_VALUES,
  DEFAULT_LOG_FILE_IN_DATA_DIRECTORY,
  DEFAULT_SSO_DATABASE_FILE_IN_DATA_DIRECTORY,
  DEFAULT_USAGE_DATABASE_FILE_IN_DATA_DIRECTORY,
  SETTINGS,
  type SettingKey,
  type SettingValue,
} from './settings-table.js';
import { listStartupErrors, throwStartupErrors } from './startup-errors.js';

export interface ResolveSettingsOptions {
  /** The parsed command line (yargs' result: the settings' flags among the command's own). */
  commandLine: CommandLineArguments;
  env: NodeJS.ProcessEnv;
  /** The working directory: where the YAML file is searched and relative paths start. */
  cwd: string;
}

type Candidates = { [Key in SettingKey]?: Candidate<SettingValue<Key>> };

export async function resolveSettings(options: ResolveSettingsOptions): Promise<ResolvedSettings> {
  const errors: LlmProxyError[] = [];
  const fromCommandLine: Candidates = {};
  const fromEnvironment: Candidates = {};
  const fromYaml: Candidates = {};

  for (const key of settingKeys()) {
    const definition = SETTINGS[key] as SettingDefinition<unknown>;
    collect(errors, () => setCandidate(fromCommandLine, key, commandLineCandidate(definition, options.commandLine)));
    collect(errors, () => setCandidate(fromEnvironment, key, environmentCandidate(definition, options.env)));
  }

  const explicitConfig = fromCommandLine.config ?? fromEnvironment.config;
  let loaded: LoadedConfigFile | undefined;
  try {
    loaded = await loadConfigFile({
      cwd: options.cwd,
      explicitPath: explicitConfig?.value,
      explicitPathOrigin: explicitConfig?.origin ?? '--config',
    });
  } catch (error) {
    errors.push(...asLlmProxyErrors(error));
  }

  if (loaded !== undefined) {
    const file = loaded;
    for (const key of settingKeys()) {
      collect(errors, () => setCandidate(fromYaml, key, yamlCandidate(SETTINGS[key] as SettingDefinition<unknown>, file)));
    }
  }

  throwStartupErrors(errors);

  const chosen: Candidates = {};
  for (const key of settingKeys()) {
    const definition = SETTINGS[key] as SettingDefinition<unknown>;
    const candidate =
      fromCommandLine[key] ??
      fromEnvironment[key] ??
      fromYaml[key] ??
      (definition.defaultValue === undefined ? undefined : { value: definition.defaultValue, source: 'default' as const, origin: 'default' });
    if (candidate !== undefined) setCandidate(chosen, key, candidate);
  }

  return deepFreeze(deriveSettings(chosen, loaded, options.cwd));
}

/** Builds the settings from the chosen candidates, adding the automatic values. */
function deriveSettings(chosen: Candidates, loaded: LoadedConfigFile | undefined, cwd: string): ResolvedSettings {
  const value = <Key extends SettingKey>(key: Key): SettingValue<Key> => {
    const candidate = chosen[key];
    if (candidate === undefined) throw new Error(`Setting ${SETTINGS[key].name} has no value and no default`);
    return candidate.value as SettingValue<Key>;
  };

  // Files the operator did not place land in the data directory; explicit paths start at the working directory.
  const dataDirectory = path.resolve(cwd, value('dataDirectory'));
  chosen.logFile ??= {
    value: path.join(dataDirectory, DEFAULT_LOG_FILE_IN_DATA_DIRECTORY),
    source: 'default',
    origin: `${DEFAULT_LOG_FILE_IN_DATA_DIRECTORY} in data_dir`,
  };
  chosen.ssoDatabaseFile ??= {
    value: path.join(dataDirectory, DEFAULT_SSO_DATABASE_FILE_IN_DATA_DIRECTORY),
    source: 'default',
    origin: `${DEFAULT_SSO_DATABASE_FILE_IN_DATA_DIRECTORY} in data_dir`,
  };
  chosen.usageDatabaseFile ??= {
    value: path.join(dataDirectory, DEFAULT_USAGE_DATABASE_FILE_IN_DATA_DIRECTORY),
    source: 'default',
    origin: `${DEFAULT_USAGE_DATABASE_FILE_IN_DATA_DIRECTORY} in data_dir`,
  };
  const logFile = value('logFile');

  const host = value('host');
  const hostIsLoopback = isLoopbackHost(host);

  chosen.notificationsEnabled ??= {
    value: hostIsLoopback,
    source: 'auto',
    origin: `auto: host ${host} is ${hostIsLoopback ? '' : 'not '}loopback and notifications.enabled is not set`,
  };

  // A shared server off loopback is where an unreviewed connector package costs the most.
  const requireLockAuto = value('accessMode') === 'multi_user' && !hostIsLoopback;
  chosen.pluginsRequireLock ??= {
    value: requireLockAuto,
    source: 'auto',
    origin: `auto: ${value('accessMode') === 'multi_user' ? 'Multi User Mode' : 'Single User Mode'} binds ${host}${requireLockAuto ? ', off loopback,' : ''} and plugins.require_lock is not set`,
  };

  // A metrics port is asked for only to serve metrics.
  if (chosen.metricsPort !== undefined && chosen.metricsEnabled?.source === 'default') {
    chosen.metricsEnabled = { value: true, source: 'auto', origin: `auto: metrics.port is set by ${chosen.metricsPort.origin}` };
  }

  let generatedApiKey: string | undefined;
  // With SSO on, users sign in for their own tokens: a shared key for the run is not needed.
  if (!value('disableAuth') && value('apiKeys').length === 0 && hostIsLoopback && !value('ssoEnabled')) {
    generatedApiKey = generateApiKey();
    chosen.apiKeys = {
      value: [generatedApiKey],
      source: 'auto',
      origin: 'auto: generated for this run, since auth is on, no keys are configured and the host is loopback',
    };
  }

  chosen.config = loaded === undefined
    ? { value: '(none)', source: 'default', origin: `searched the working directory for ${CONFIG_SEARCH_PLACES.join(', ')}: none found` }
    : {
        value: loaded.filepath,
        source: chosen.config?.source ?? 'default',
        origin: chosen.config?.origin ?? 'found in the working directory',
      };

  const values: ProxySettings = {
    host,
    port: value('port'),
    configFile: loaded?.filepath,
    defaultBackend: value('defaultBackend'),
    modelRoutes: value('modelRoutes'),
    dataDirectory,
    logLevel: value('logLevel'),
    logFile: CONSOLE_ONLY_LOG_FILE_VALUES.includes(logFile) ? undefined : path.resolve(cwd, logFile),
    logRotation: { maxSizeBytes: value('logMaxSize'), maxFiles: value('logMaxFiles') },
    accessMode: value('accessMode'),
    auth: { disabled: value('disableAuth'), apiKeys: value('apiKeys') },
    sso: {
      enabled: value('ssoEnabled'),
      providers: value('ssoProviders').map((provider) =>
        provider.clientSecret?.kind === 'file'
          ? { ...provider, clientSecret: { kind: 'file' as const, path: path.resolve(cwd, provider.clientSecret.path) } }
          : provider,
      ),
      publicUrl: chosen.ssoPublicUrl?.value,
      tokenLifetimeDays: value('ssoTokenLifetimeDays'),
      databaseFile: path.resolve(cwd, value('ssoDatabaseFile')),
    },
    notifications: { enabled: value('notificationsEnabled') },
    oauthDebuggingOverrides: value('oauthDebuggingOverrides'),
    allowOauthAutoReplacement: value('allowOauthAutoReplacement'),
    server: {
      bodyLimitBytes: value('bodyLimit'),
      upstreamTimeoutMs: value('upstreamTimeout'),
      upstreamBodyLimitBytes: value('upstreamBodyLimit'),
      upstreamEventLimitBytes: value('upstreamEventLimit'),
      streamFirstContentTimeoutMs: value('streamFirstContentTimeout'),
      streamIdleTimeoutMs: value('streamIdleTimeout'),
      drainTimeoutMs: value('drainTimeout'),
      requestTimeoutMs: value('requestTimeout'),
      allowedOrigins: value('allowedOrigins'),
      trustProxy: value('trustProxy'),
      upstreamKeyRetryMs: value('upstreamKeyRetry'),
      upstreamKeyRetryMaxMs: value('upstreamKeyRetryMax'),
      fallbackRestMs: value('fallbackRest'),
    },
    metrics: {
      enabled: value('metricsEnabled'),
      port: chosen.metricsPort?.value as number | undefined,
      host: value('metricsHost'),
      callerLabel: value('metricsCallerLabel'),
    },
    translation: { unknownFields: value('unknownFields') },
    plugins: value('plugins'),
    requirePluginLock: value('pluginsRequireLock'),
    backends: structuredClone(value('backends')),
    callers: { defaults: value('callerDefaults'), byId: value('callers'), byGroup: value('callerGroups') },
    usage: { enabled: value('usageEnabled'), databaseFile: path.resolve(cwd, value('usageDatabaseFile')) },
    prices: value('prices'),
    storage: { databaseUrl: chosen.storageDatabaseUrl?.value, redisUrl: chosen.storageRedisUrl?.value },
  };

  const sources: Record<string, SettingSource> = {};
  const origins: Record<string, string> = {};
  for (const key of settingKeys()) {
    const candidate = chosen[key];
    if (candidate === undefined) continue;
    sources[SETTINGS[key].name] = candidate.source;
    origins[SETTINGS[key].name] = candidate.origin;
  }

  return generatedApiKey === undefined ? { values, sources, origins } : { values, sources, origins, generatedApiKey };
}

function settingKeys(): SettingKey[] {
  return Object.keys(SETTINGS) as SettingKey[];
}

function setCandidate(candidates: Candidates, key: SettingKey, candidate: Candidate<unknown> | undefined): void {
  if (candidate === undefined) return;
  (candidates as Record<SettingKey, Candidate<unknown>>)[key] = candidate;
}

function collect(errors: LlmProxyError[], step: () => void): void {
  try {
    step();
  } catch (error) {
    errors.push(...asLlmProxyErrors(error));
  }
}

function asLlmProxyErrors(error: unknown): LlmProxyError[] {
  return listStartupErrors(error).map((problem) => {
    if (LlmProxyError.is(problem)) return problem;
    throw problem;
  });
}

