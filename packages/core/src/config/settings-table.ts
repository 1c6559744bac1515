/**
 * @fileoverview Every setting of the proxy, declared once: its command-line flag(s), environment
 * variable, YAML key, default, parser and a description of what is allowed. The resolver, the
 * yargs option list, `llm-proxy config explain` and the docs all read this table.
 *
 * A setting's `name` is its YAML key where it has one (dotted, e.g. `auth.api_keys`), and is the
 * key under which its source is remembered in `ResolvedSettings.sources`.
 */
import type { Options } from 'yargs';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { debuggingOverrideFlag, KNOWN_OAUTH_CONNECTORS } from '../access-mode/oauth-connector-ids.js';
import {
  API_KEY_PATTERN,
  BACKEND_NAME_PATTERN,
  BODY_LIMIT_ALLOWED,
  DEFAULT_BACKEND_ALLOWED,
  DEFAULT_BACKEND_PATTERN,
  HOST_ALLOWED,
  HOST_PATTERN,
  LOG_LEVEL_ALLOWED,
  MAXIMUM_TOKEN_LIFETIME_DAYS,
  ORIGIN_PATTERN,
  PORT_ALLOWED,
  PUBLIC_URL_ALLOWED,
  PUBLIC_URL_PATTERN,
  SSO_PROVIDER_ID_ALLOWED,
  TOKEN_LIFETIME_ALLOWED,
  type ConfigFile,
} from './config-file-schema.js';
import { DEFAULT_SSO_DATABASE_FILE, DEFAULT_TOKEN_LIFETIME_DAYS } from '../sso/sso-options.js';
import type { AccessMode, BackendConfig, LogLevel, ProxySettings, SsoProviderSettings } from './proxy-settings.js';
import {
  BOOLEAN_TEXT_ALLOWED,
  LOG_LEVELS,
  parseBooleanText,
  parseByteSize,
  parseCommaList,
  parseOneOf,
  parsePatternText,
  parsePort,
  parseWholeNumber,
} from './setting-parsers.js';

/** Flags as parsed by yargs, keyed by the flag name without dashes. */
export type CommandLineArguments = Readonly<Record<string, unknown>>;

/** A value read from the command line, with the flag(s) that gave it (for messages). */
export interface CommandLineValue<Value> {
  value: Value;
  flags: readonly string[];
}

export interface SettingDefinition<Value> {
  /** YAML key (dotted) where the setting has one; otherwise a snake_case name. */
  readonly name: string;
  /** One line for `--help` and the docs. */
  readonly description: string;
  /** What is allowed, in words; quoted by error messages. */
  readonly allowed: string;
  /** The flags that set this setting, as typed (`--port`). */
  readonly cliFlags: readonly string[];
  readonly envVar: string | undefined;
  readonly yamlKey: string | undefined;
  /** `undefined` for settings derived from others when nothing sets them (see the resolver). */
  readonly defaultValue: Value | undefined;
  /** True for secrets: values are never shown, only counted. */
  readonly secret: boolean;
  /** The `--help` section its flags are listed under. */
  readonly helpGroup: string;
  /** yargs definitions of this setting's flags. */
  readonly commandLineOptions: Readonly<Record<string, Options>>;
  /** The value given on the command line, if any. Throws `LlmProxyError` for a value not allowed. */
  readCommandLine(args: CommandLineArguments): CommandLineValue<Value> | undefined;
  /** Parses the environment variable's text; `undefined` when the text is not allowed. */
  parseEnvironment(text: string): Value | undefined;
  /** The value in the (schema-validated) YAML file, if set. Throws `LlmProxyError` for a value not allowed. */
  readYaml(config: ConfigFile, filepath: string): Value | undefined;
  /** Where the resolved value lives in {@link ProxySettings}, for `config explain`. */
  effectiveValue(values: ProxySettings): unknown;
}

type DefinitionInput<Value> = Omit<
  SettingDefinition<Value>,
  'helpGroup' | 'secret' | 'envVar' | 'yamlKey' | 'commandLineOptions' | 'readCommandLine' | 'parseEnvironment' | 'readYaml' | 'cliFlags'
> &
  Partial<SettingDefinition<Value>>;

function defineSetting<Value>(input: DefinitionInput<Value>): SettingDefinition<Value> {
  return {
    secret: false,
    helpGroup: 'Server:',
    envVar: undefined,
    yamlKey: undefined,
    cliFlags: Object.keys(input.commandLineOptions ?? {}).map((flag) => `--${flag}`),
    commandLineOptions: {},
    readCommandLine: () => undefined,
    parseEnvironment: () => undefined,
    readYaml: (config) => (input.yamlKey === undefined ? undefined : (lookupYaml(config, input.yamlKey) as Value | undefined)),
    ...input,
  };
}

/** The value at a dotted YAML key; `null` counts as unset. */
export function lookupYaml(config: ConfigFile, dottedKey: string): unknown {
  let current: unknown = config;
  for (const segment of dottedKey.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current ?? undefined;
}

/** A setting with one text-valued flag, whose text is parsed like the environment variable's. */
function textFlag<Value>(
  flag: string,
  description: string,
  parse: (text: string) => Value | undefined,
  allowed: string,
  options: { secret?: boolean } = {},
) {
  return {
    commandLineOptions: { [flag]: { type: 'string', requiresArg: true, description } satisfies Options },
    readCommandLine(args: CommandLineArguments): CommandLineValue<Value> | undefined {
      const text = args[flag];
      if (text === undefined) return undefined;
      const value = parse(String(text));
      if (value === undefined) throw invalidFlagValue(`--${flag}`, options.secret === true ? undefined : String(text), allowed);
      return { value, flags: [`--${flag}`] };
    },
  };
}

/** A boolean setting turned on by one switch (`--disable-auth`); `--switch=false` turns it off. */
function switchFlag(flag: string, description: string) {
  return {
    commandLineOptions: { [flag]: { type: 'boolean', description } satisfies Options },
    readCommandLine(args: CommandLineArguments): CommandLineValue<boolean> | undefined {
      const value = args[flag];
      return typeof value === 'boolean' ? { value, flags: [`--${flag}`] } : undefined;
    },
  };
}

/** `text` undefined hides the value (secrets). */
export function invalidFlagValue(flag: string, text: string | undefined, allowed: string): LlmProxyError {
  return new LlmProxyError({
    code: 'CLI_ARGUMENT_INVALID',
    message: `${flag} has a value that is not allowed`,
    currentValue: text === undefined ? '(hidden)' : JSON.stringify(text),
    fix: `Allowed: ${allowed}`,
    details: { flag },
  });
}

const API_KEYS_ALLOWED = 'a comma-separated list of keys without spaces, e.g. key1,key2';

const host = defineSetting<string>({
  name: 'host',
  effectiveValue: (values) => values.host,
  description: 'Address to bind (Single User Mode allows 127.0.0.1 only)',
  allowed: HOST_ALLOWED,
  envVar: 'LLM_PROXY_HOST',
  yamlKey: 'host',
  defaultValue: '127.0.0.1',
  ...textFlag('host', 'Address to bind (default 127.0.0.1)', (text) => parsePatternText(text, HOST_PATTERN), HOST_ALLOWED),
  parseEnvironment: (text) => parsePatternText(text, HOST_PATTERN),
});

const port = defineSetting<number>({
  name: 'port',
  effectiveValue: (values) => values.port,
  description: 'Port to listen on; 0 picks a free port',
  allowed: PORT_ALLOWED,
  envVar: 'LLM_PROXY_PORT',
  yamlKey: 'port',
  defaultValue: 8000,
  ...textFlag('port', 'Port to listen on, 0 for any free port (default 8000)', parsePort, PORT_ALLOWED),
  parseEnvironment: parsePort,
});

const config = defineSetting<string>({
  name: 'config',
  effectiveValue: (values) => values.configFile,
  description: 'YAML configuration file to read instead of searching the working directory',
  allowed: 'a path to a .yaml or .yml file',
  envVar: 'LLM_PROXY_CONFIG',
  defaultValue: undefined,
  ...textFlag('config', 'YAML configuration file (default: search the working directory)', (text) => text.trim() || undefined, 'a path to a .yaml or .yml file'),
  parseEnvironment: (text) => text.trim() || undefined,
});

const defaultBackend = defineSetting<string>({
  name: 'default_backend',
  effectiveValue: (values) => values.defaultBackend,
  description: 'Backend (and optionally model) for requests whose model names no backend',
  allowed: DEFAULT_BACKEND_ALLOWED,
  envVar: 'LLM_PROXY_DEFAULT_BACKEND',
  yamlKey: 'default_backend',
  defaultValue: 'openai',
  ...textFlag('default-backend', 'Backend for models without a backend: prefix, e.g. openai:gpt-4o (default openai)', (text) => parsePatternText(text, DEFAULT_BACKEND_PATTERN), DEFAULT_BACKEND_ALLOWED),
  parseEnvironment: (text) => parsePatternText(text, DEFAULT_BACKEND_PATTERN),
});

const logLevel = defineSetting<LogLevel>({
  name: 'logging.level',
  effectiveValue: (values) => values.logLevel,
  helpGroup: 'Logging:',
  description: 'Least severe log level written',
  allowed: LOG_LEVEL_ALLOWED,
  envVar: 'LLM_PROXY_LOG_LEVEL',
  yamlKey: 'logging.level',
  defaultValue: 'info',
  ...textFlag('log-level', `Log level: ${LOG_LEVELS.join(', ')} (default info)`, (text) => parseOneOf(text, LOG_LEVELS), LOG_LEVEL_ALLOWED),
  parseEnvironment: (text) => parseOneOf(text, LOG_LEVELS),
});

const logFile = defineSetting<string>({
  name: 'logging.file',
  effectiveValue: (values) => values.logFile,
  helpGroup: 'Logging:',
  description: 'Log file; relative paths start at the working directory',
  allowed: 'a file path',
  envVar: 'LLM_PROXY_LOG_FILE',
  yamlKey: 'logging.file',
  defaultValue: 'var/logs/llm-proxy.log',
  ...textFlag('log-file', 'Log file (default var/logs/llm-proxy.log)', (text) => text.trim() || undefined, 'a file path'),
  parseEnvironment: (text) => text.trim() || undefined,
});

const ACCESS_MODES: readonly AccessMode[] = ['single_user', 'multi_user'];

const accessMode = defineSetting<AccessMode>({
  name: 'access_mode.mode',
  effectiveValue: (values) => values.accessMode,
  helpGroup: 'Access mode and authentication:',
  description: 'Single User Mode (local development) or Multi User Mode (shared deployments)',
  allowed: 'single_user or multi_user',
  envVar: 'LLM_PROXY_ACCESS_MODE',
  yamlKey: 'access_mode.mode',
  defaultValue: 'single_user',
  cliFlags: ['--single-user-mode', '--multi-user-mode'],
  commandLineOptions: {
    'single-user-mode': { type: 'boolean', description: 'Single User Mode: local development, 127.0.0.1 only (default)' },
    'multi-user-mode': { type: 'boolean', description: 'Multi User Mode: shared deployments, no OAuth connectors' },
  },
  readCommandLine(args) {
    const single = args['single-user-mode'] === true;
    const multi = args['multi-user-mode'] === true;
    if (single && multi) {
      throw new LlmProxyError({
        code: 'ACCESS_MODE_CONFLICT',
        message: 'Cannot specify both --single-user-mode and --multi-user-mode',
        currentValue: '--single-user-mode --multi-user-mode',
        fix: 'Remove one of the flags: --single-user-mode for local development on 127.0.0.1, --multi-user-mode for shared deployments',
      });
    }
    if (single) return { value: 'single_user', flags: ['--single-user-mode'] };
    if (multi) return { value: 'multi_user', flags: ['--multi-user-mode'] };
    return undefined;
  },
  parseEnvironment: (text) => parseOneOf(text, ACCESS_MODES),
});

const disableAuth = defineSetting<boolean>({
  name: 'auth.disable_auth',
  effectiveValue: (values) => values.auth.disabled,
  helpGroup: 'Access mode and authentication:',
  description: 'Serve without client authentication (refused off loopback in Multi User Mode)',
  allowed: 'true or false',
  envVar: 'LLM_PROXY_DISABLE_AUTH',
  yamlKey: 'auth.disable_auth',
  defaultValue: false,
  ...switchFlag('disable-auth', 'Serve without client authentication'),
  parseEnvironment: parseBooleanText,
});

const apiKeys = defineSetting<readonly string[]>({
  name: 'auth.api_keys',
  effectiveValue: (values) => values.auth.apiKeys,
  helpGroup: 'Access mode and authentication:',
  description: 'API keys clients must present (Authorization: Bearer, x-api-key or x-goog-api-key)',
  allowed: API_KEYS_ALLOWED,
  envVar: 'LLM_PROXY_API_KEYS',
  yamlKey: 'auth.api_keys',
  defaultValue: [],
  secret: true,
  ...textFlag('api-keys', 'Comma-separated API keys clients must present', (text) => parseCommaList(text, API_KEY_PATTERN), API_KEYS_ALLOWED, {
    secret: true,
  }),
  parseEnvironment: (text) => parseCommaList(text, API_KEY_PATTERN),
});

const ssoEnabled = defineSetting<boolean>({
  name: 'sso.enabled',
  effectiveValue: (values) => values.sso.enabled,
  helpGroup: 'Access mode and authentication:',
  description: 'Single sign-on with OpenID Connect: users sign in at /auth/login and get personal proxy tokens',
  allowed: 'true or false',
  envVar: 'LLM_PROXY_SSO_ENABLED',
  yamlKey: 'sso.enabled',
  defaultValue: false,
  ...switchFlag('sso-enabled', 'Single sign-on with OpenID Connect (providers under sso.providers in YAML)'),
  parseEnvironment: parseBooleanText,
});

const ssoPublicUrl = defineSetting<string>({
  name: 'sso.public_url',
  effectiveValue: (values) => values.sso.publicUrl,
  helpGroup: 'Access mode and authentication:',
  description: 'The address users reach the proxy at, for the SSO callback URL; unset derives it from each request',
  allowed: PUBLIC_URL_ALLOWED,
  envVar: 'LLM_PROXY_SSO_PUBLIC_URL',
  yamlKey: 'sso.public_url',
  // Derived from each request when nothing sets it.
  defaultValue: undefined,
  parseEnvironment: (text) => parsePatternText(text, PUBLIC_URL_PATTERN)?.replace(/\/+$/, ''),
  readYaml: (configFile) => (lookupYaml(configFile, 'sso.public_url') as string | undefined)?.replace(/\/+$/, ''),
});

const ssoTokenLifetimeDays = defineSetting<number>({
  name: 'sso.token_lifetime_days',
  effectiveValue: (values) => values.sso.tokenLifetimeDays,
  helpGroup: 'Access mode and authentication:',
  description: 'How long a personal proxy token issued after SSO sign-in stays valid, in days',
  allowed: TOKEN_LIFETIME_ALLOWED,
  envVar: 'LLM_PROXY_SSO_TOKEN_LIFETIME_DAYS',
  yamlKey: 'sso.token_lifetime_days',
  defaultValue: DEFAULT_TOKEN_LIFETIME_DAYS,
  parseEnvironment: (text) => {
    const days = parseWholeNumber(text, 1);
    return days !== undefined && days <= MAXIMUM_TOKEN_LIFETIME_DAYS ? days : undefined;
  },
});

const ssoDatabaseFile = defineSetting<string>({
  name: 'sso.database_file',
  effectiveValue: (values) => values.sso.databaseFile,
  helpGroup: 'Access mode and authentication:',
  description: 'SQLite database of SSO tokens and sessions, created on first start; relative paths start at the working directory',
  allowed: 'a file path',
  envVar: 'LLM_PROXY_SSO_DATABASE_FILE',
  yamlKey: 'sso.database_file',
  defaultValue: DEFAULT_SSO_DATABASE_FILE,
  parseEnvironment: (text) => text.trim() || undefined,
});

const ssoProviders = defineSetting<readonly SsoProviderSettings[]>({
  name: 'sso.providers',
  effectiveValue: (values) => values.sso.providers,
  helpGroup: 'Access mode and authentication:',
  description: 'OpenID Connect providers by id: issuer, client_id, client_secret_env or client_secret_file, scopes, allowed_users',
  allowed: SSO_PROVIDER_ID_ALLOWED,
  yamlKey: 'sso.providers',
  defaultValue: [],
  readYaml(configFile, filepath) {
    const providers = lookupYaml(configFile, 'sso.providers') as Record<string, SsoProviderYaml> | undefined;
    if (providers === undefined) return undefined;
    return Object.entries(providers).map(([id, provider]) => ssoProviderFromYaml(id, provider, filepath));
  },
});

type SsoProviderYaml = NonNullable<NonNullable<ConfigFile['sso']>['providers']>[string];

const DEFAULT_SSO_SCOPES: readonly string[] = ['openid', 'email', 'profile'];

function ssoProviderFromYaml(id: string, provider: SsoProviderYaml, filepath: string): SsoProviderSettings {
  if (provider.client_secret_env !== undefined && provider.client_secret_file !== undefined) {
    throw new LlmProxyError({
      code: 'CONFIG_INVALID',
      message: `Invalid configuration in ${filepath}: sso.providers.${id} sets both client_secret_env and client_secret_file`,
      currentValue: `client_secret_env ${provider.client_secret_env}, client_secret_file ${provider.client_secret_file}`,
      fix: 'Keep one of them: the client secret comes from exactly one place',
      details: { key: `sso.providers.${id}`, file: filepath },
    });
  }
  const clientId = provider.client_id ?? '';
  const allowed = provider.allowed_users ?? {};
  return {
    id,
    displayName: provider.name ?? id,
    issuer: provider.issuer ?? '',
    clientId,
    clientSecret:
      provider.client_secret_env !== undefined
        ? { kind: 'env', variable: provider.client_secret_env }
        : provider.client_secret_file !== undefined
          ? { kind: 'file', path: provider.client_secret_file }
          : undefined,
    // `openid` is what makes it OpenID Connect; it is added when a list leaves it out.
    scopes: provider.scopes === undefined ? DEFAULT_SSO_SCOPES : ['openid', ...provider.scopes.filter((scope) => scope !== 'openid')],
    audiences: provider.audiences ?? (clientId === '' ? [] : [clientId]),
    allowedUsers: {
      emailDomains: (allowed.email_domains ?? []).map((domain) => domain.toLowerCase().replace(/^@/, '')),
      emails: (allowed.emails ?? []).map((email) => email.toLowerCase()),
      groups: allowed.groups ?? [],
      groupsClaim: allowed.groups_claim ?? 'groups',
      requireVerifiedEmail: allowed.require_verified_email ?? true,
      anyUser: allowed.any_user ?? false,
    },
  };
}

const notificationsEnabled = defineSetting<boolean>({
  name: 'notifications.enabled',
  effectiveValue: (values) => values.notifications.enabled,
  helpGroup: 'Desktop notifications:',
  description: 'Desktop notifications; unset means on for 127.0.0.1, localhost and ::1, off otherwise',
  allowed: `${BOOLEAN_TEXT_ALLOWED}; unset for automatic`,
  envVar: 'LLM_PROXY_ENABLE_NOTIFICATIONS',
  yamlKey: 'notifications.enabled',
  // Derived from the host when nothing sets it.
  defaultValue: undefined,
  cliFlags: ['--enable-notifications', '--disable-notifications'],
  commandLineOptions: {
    'enable-notifications': { type: 'boolean', description: 'Force desktop notifications on' },
    'disable-notifications': { type: 'boolean', description: 'Force desktop notifications off' },
  },
  readCommandLine(args) {
    const enable = args['enable-notifications'] === true;
    const disable = args['disable-notifications'] === true;
    if (enable && disable) {
      throw new LlmProxyError({
        code: 'NOTIFICATIONS_FLAG_CONFLICT',
        message: 'Cannot specify both --enable-notifications and --disable-notifications',
        currentValue: '--enable-notifications --disable-notifications',
        fix: 'Remove one of the flags',
      });
    }
    if (enable) return { value: true, flags: ['--enable-notifications'] };
    if (disable) return { value: false, flags: ['--disable-notifications'] };
    return undefined;
  },
  parseEnvironment: parseBooleanText,
});

const oauthConnectorIds = Object.keys(KNOWN_OAUTH_CONNECTORS);

const oauthDebuggingOverrides = defineSetting<readonly string[]>({
  name: 'oauth_debugging_overrides',
  effectiveValue: (values) => values.oauthDebuggingOverrides,
  helpGroup: 'OAuth connectors (Single User Mode only):',
  description: 'OAuth connector debugging overrides (Single User Mode only)',
  allowed: oauthConnectorIds.map(debuggingOverrideFlag).join(', '),
  defaultValue: [],
  cliFlags: oauthConnectorIds.map(debuggingOverrideFlag),
  commandLineOptions: Object.fromEntries(
    oauthConnectorIds.map((id) => [
      debuggingOverrideFlag(id).slice(2),
      { type: 'boolean', description: `Debugging override for ${id}` } satisfies Options,
    ]),
  ),
  readCommandLine(args) {
    const given = oauthConnectorIds.filter((id) => args[debuggingOverrideFlag(id).slice(2)] === true);
    return given.length === 0 ? undefined : { value: given, flags: given.map(debuggingOverrideFlag) };
  },
});

const allowOauthAutoReplacement = defineSetting<boolean>({
  name: 'allow_oauth_auto_replacement',
  effectiveValue: (values) => values.allowOauthAutoReplacement,
  helpGroup: 'OAuth connectors (Single User Mode only):',
  description: 'Let OAuth connectors replace exhausted accounts automatically (Single User Mode only)',
  allowed: 'the --allow-oauth-auto-replacement switch',
  defaultValue: false,
  ...switchFlag('allow-oauth-auto-replacement', 'Let OAuth connectors replace accounts automatically (Single User Mode only)'),
});

const bodyLimit = defineSetting<number>({
  name: 'server.body_limit',
  effectiveValue: (values) => values.server.bodyLimitBytes,
  description: 'Largest accepted request body, counted after decompression',
  allowed: BODY_LIMIT_ALLOWED,
  envVar: 'LLM_PROXY_BODY_LIMIT',
  yamlKey: 'server.body_limit',
  defaultValue: 10 * 1024 * 1024,
  parseEnvironment: parseByteSize,
  readYaml(configFile, filepath) {
    const value = lookupYaml(configFile, 'server.body_limit') as string | number | undefined;
    if (value === undefined) return undefined;
    const bytes = parseByteSize(value);
    if (bytes === undefined) {
      throw new LlmProxyError({
        code: 'CONFIG_INVALID',
        message: `Invalid configuration in ${filepath}: server.body_limit has a value that is not allowed`,
        currentValue: JSON.stringify(value),
        fix: `Allowed: ${BODY_LIMIT_ALLOWED}, at least 1 byte`,
        details: { key: 'server.body_limit', file: filepath },
      });
    }
    return bytes;
  },
});

const upstreamTimeout = defineSetting<number>({
  name: 'server.upstream_timeout_ms',
  effectiveValue: (values) => values.server.upstreamTimeoutMs,
  description: 'How long to wait for an upstream, in milliseconds',
  allowed: 'a whole number of milliseconds, at least 1',
  envVar: 'LLM_PROXY_UPSTREAM_TIMEOUT_MS',
  yamlKey: 'server.upstream_timeout_ms',
  defaultValue: 600_000,
  parseEnvironment: (text) => parseWholeNumber(text, 1),
});

const drainTimeout = defineSetting<number>({
  name: 'server.drain_timeout_ms',
  effectiveValue: (values) => values.server.drainTimeoutMs,
  description: 'How long shutdown waits for in-flight requests, in milliseconds',
  allowed: 'a whole number of milliseconds, 0 or more',
  envVar: 'LLM_PROXY_DRAIN_TIMEOUT_MS',
  yamlKey: 'server.drain_timeout_ms',
  defaultValue: 10_000,
  parseEnvironment: (text) => parseWholeNumber(text, 0),
});

const allowedOrigins = defineSetting<readonly string[]>({
  name: 'server.allowed_origins',
  effectiveValue: (values) => values.server.allowedOrigins,
  description: 'Browser origins allowed to call the proxy in Single User Mode',
  allowed: 'a comma-separated list of origins such as http://localhost:3000',
  envVar: 'LLM_PROXY_ALLOWED_ORIGINS',
  yamlKey: 'server.allowed_origins',
  defaultValue: [],
  parseEnvironment: (text) => parseCommaList(text, ORIGIN_PATTERN),
});

const plugins = defineSetting<readonly string[]>({
  name: 'plugins',
  effectiveValue: (values) => values.plugins,
  description: 'Connector packages to load besides those found automatically',
  allowed: 'a comma-separated list of npm package names',
  envVar: 'LLM_PROXY_PLUGINS',
  yamlKey: 'plugins',
  defaultValue: [],
  parseEnvironment: (text) => parseCommaList(text, '^\\S+$'),
  // `plugins:` is either the list itself or a mapping whose `packages` holds it.
  readYaml: (configFile) => {
    const value = lookupYaml(configFile, 'plugins') as readonly string[] | { packages?: readonly string[] } | undefined;
    return value === undefined || Array.isArray(value) ? (value as readonly string[] | undefined) : (value as { packages?: readonly string[] }).packages;
  },
});

const pluginsRequireLock = defineSetting<boolean>({
  name: 'plugins.require_lock',
  effectiveValue: (values) => values.requirePluginLock ?? false,
  description:
    'Third-party connector packages load only when llm-proxy.connectors.lock lists them (a missing lock file refuses them all in Multi User Mode)',
  allowed: BOOLEAN_TEXT_ALLOWED,
  envVar: 'LLM_PROXY_PLUGINS_REQUIRE_LOCK',
  yamlKey: 'plugins.require_lock',
  // Derived from the access mode and host when nothing sets it.
  defaultValue: undefined,
  parseEnvironment: parseBooleanText,
});

const backends = defineSetting<Readonly<Record<string, BackendConfig>>>({
  name: 'backends',
  effectiveValue: (values) => values.backends,
  description: 'Backends by name; `type` names the connector (default: the name), the rest is its settings',
  allowed: `a mapping of backend names (matching ${BACKEND_NAME_PATTERN}) to backend settings`,
  yamlKey: 'backends',
  defaultValue: {},
});

/** Every setting, in the order `config explain` and the docs list them. */
export const SETTINGS = {
  config,
  host,
  port,
  defaultBackend,
  logLevel,
  logFile,
  accessMode,
  disableAuth,
  apiKeys,
  ssoEnabled,
  ssoPublicUrl,
  ssoTokenLifetimeDays,
  ssoDatabaseFile,
  ssoProviders,
  notificationsEnabled,
  oauthDebuggingOverrides,
  allowOauthAutoReplacement,
  bodyLimit,
  upstreamTimeout,
  drainTimeout,
  allowedOrigins,
  plugins,
  pluginsRequireLock,
  backends,
} as const;

export type SettingsTable = typeof SETTINGS;
export type SettingKey = keyof SettingsTable;
/** The value type of one setting. */
export type SettingValue<Key extends SettingKey> = SettingsTable[Key] extends SettingDefinition<infer Value> ? Value : never;

/** All yargs option definitions, from the table. */
export function commandLineOptions(): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const definition of Object.values(SETTINGS) as SettingDefinition<unknown>[]) {
    for (const [flag, option] of Object.entries(definition.commandLineOptions)) {
      options[flag] = { ...option, group: definition.helpGroup };
    }
  }
  return options;
}
