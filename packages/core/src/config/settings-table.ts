/**
 * @fileoverview Every setting of the proxy, declared once: one row each, carrying its
 * command-line flag(s), environment variable, YAML schema leaf, default, parser and a description
 * of what is allowed (see `define-setting.ts` for the row's fields). The resolver, the yargs
 * options, the config-file schema, `llm-proxy config explain` and the docs all read this table, so
 * adding a setting means adding a row here (and a line in the docs).
 *
 * A setting's `name` is its YAML key where it has one (dotted, e.g. `auth.api_keys`), and is the
 * key under which its source is remembered in `ResolvedSettings.sources`.
 */
import { Type, type TInteger } from '@sinclair/typebox';
import type { Options } from 'yargs';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { convertedYaml, defineSetting, lastValue, opposingSwitches, type SettingDefinition } from './define-setting.js';
import { MODEL_ROUTES_ALLOWED, modelRoutesFromYaml, modelRoutesSchema, type ModelRouteRule } from './model-routes.js';
import { debuggingOverrideFlag, KNOWN_OAUTH_CONNECTORS } from './oauth-connector-ids.js';
import type { AccessMode, BackendConfig, CallerSettings, LogLevel, ModelPrice, SsoProviderSettings, UnknownFieldsPolicy } from './proxy-settings.js';
import {
  CALLER_ID_ALLOWED,
  CALLER_ID_PATTERN,
  callerSettingsFromYaml,
  callerSettingsMapFromYaml,
  callerSettingsSchema,
  modelPriceSchema,
  modelPricesFromYaml,
  PRICE_KEY_ALLOWED,
  PRICE_KEY_PATTERN,
} from './caller-settings-schema.js';
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
import { SSO_PROVIDER_ID_ALLOWED, SSO_PROVIDER_ID_PATTERN, ssoProviderFromYaml, ssoProviderSchema } from './sso-provider-schema.js';
import { isTrustedProxyEntry, parseTrustedProxies, TRUSTED_PROXY_ALLOWED, TRUSTED_PROXY_PATTERN } from './trusted-proxies.js';

/** A size such as `10mb`, `512kb` or `1048576`. */
const BYTE_SIZE_PATTERN = '^\\s*\\d+\\s*([kKmMgG]?[bB])?\\s*$';

const FILE_PATH_LEAF = 'a file path (relative paths start at the working directory)';

/** Host names and addresses as accepted by Node's `server.listen` (no brackets, no spaces). */
const HOST_PATTERN = '^[^\\s\\[\\]/]+$';
const HOST_ALLOWED = 'a host name or IP address such as 127.0.0.1 or 0.0.0.0';

/** The allowed text, parser and YAML leaf of a setting in whole milliseconds of at least `minimum`. */
function wholeMilliseconds(minimum: number): { allowed: string; parse: (text: string) => number | undefined; yaml: TInteger } {
  const allowed = `a whole number of milliseconds, ${minimum === 0 ? '0 or more' : `at least ${minimum}`}`;
  return { allowed, parse: (text) => parseWholeNumber(text, minimum), yaml: Type.Integer({ minimum, description: allowed }) };
}

const host = defineSetting<string>({
  name: 'host',
  effectiveValue: (values) => values.host,
  description: 'Address to bind (Single User Mode allows 127.0.0.1 only)',
  allowed: HOST_ALLOWED,
  flag: { name: 'host', description: 'Address to bind (default 127.0.0.1)' },
  envVar: 'LLM_PROXY_HOST',
  parse: (text) => parsePatternText(text, HOST_PATTERN),
  yaml: Type.String({ pattern: HOST_PATTERN, description: HOST_ALLOWED }),
  defaultValue: '127.0.0.1',
});

const PORT_ALLOWED = 'an integer from 0 to 65535 (0 picks a free port)';

const port = defineSetting<number>({
  name: 'port',
  effectiveValue: (values) => values.port,
  description: 'Port to listen on; 0 picks a free port',
  allowed: PORT_ALLOWED,
  flag: { name: 'port', description: 'Port to listen on, 0 for any free port (default 8000)' },
  envVar: 'LLM_PROXY_PORT',
  parse: parsePort,
  yaml: Type.Integer({ minimum: 0, maximum: 65535, description: PORT_ALLOWED }),
  defaultValue: 8000,
});

const config = defineSetting<string>({
  name: 'config',
  effectiveValue: (values) => values.configFile,
  description: 'YAML configuration file to read instead of searching the working directory',
  allowed: 'a path to a .yaml or .yml file',
  flag: { name: 'config', description: 'YAML configuration file (default: search the working directory)' },
  envVar: 'LLM_PROXY_CONFIG',
  parse: (text) => text.trim() || undefined,
  defaultValue: undefined,
});

/** A backend name, optionally followed by `:model`. */
const DEFAULT_BACKEND_PATTERN = '^[^:\\s]+(:\\S+)?$';
const DEFAULT_BACKEND_ALLOWED = 'a backend name or backend:model, e.g. openai or openai:gpt-4o';

const defaultBackend = defineSetting<string>({
  name: 'default_backend',
  effectiveValue: (values) => values.defaultBackend,
  description: 'Backend (and optionally model) for requests whose model names no backend',
  allowed: DEFAULT_BACKEND_ALLOWED,
  flag: { name: 'default-backend', description: 'Backend for models without a backend: prefix, e.g. openai:gpt-4o (default openai)' },
  envVar: 'LLM_PROXY_DEFAULT_BACKEND',
  parse: (text) => parsePatternText(text, DEFAULT_BACKEND_PATTERN),
  yaml: Type.String({ pattern: DEFAULT_BACKEND_PATTERN, description: DEFAULT_BACKEND_ALLOWED }),
  defaultValue: 'openai',
});

const modelRoutes = defineSetting<readonly ModelRouteRule[]>({
  name: 'model_routes',
  effectiveValue: (values) => values.modelRoutes,
  description:
    'Model routes, first match wins, applied before the backend: prefix: an exact model name or glob to backend:model, or to a list of targets tried in order when one fails before its first byte (docs/model-routes.md)',
  allowed: MODEL_ROUTES_ALLOWED,
  yaml: convertedYaml(modelRoutesSchema, modelRoutesFromYaml),
  defaultValue: [],
});

/** How long a route target that failed is skipped when its upstream named no Retry-After. */
export const DEFAULT_FALLBACK_REST_MS = 30_000;

const fallbackRest = defineSetting<number>({
  name: 'server.fallback_rest_ms',
  effectiveValue: (values) => values.server.fallbackRestMs,
  description:
    'How long a model-route target that failed (connection error, 429, 5xx) is skipped while other targets remain, when its upstream sent no Retry-After; in milliseconds',
  ...wholeMilliseconds(0),
  envVar: 'LLM_PROXY_FALLBACK_REST_MS',
  defaultValue: DEFAULT_FALLBACK_REST_MS,
});

const LOG_LEVEL_ALLOWED = `one of ${LOG_LEVELS.join(', ')}`;

const logLevel = defineSetting<LogLevel>({
  name: 'logging.level',
  effectiveValue: (values) => values.logLevel,
  helpGroup: 'Logging:',
  description: 'Least severe log level written',
  allowed: LOG_LEVEL_ALLOWED,
  flag: { name: 'log-level', description: `Log level: ${LOG_LEVELS.join(', ')} (default info)` },
  envVar: 'LLM_PROXY_LOG_LEVEL',
  parse: (text) => parseOneOf(text, LOG_LEVELS),
  yaml: Type.Unsafe<LogLevel>({ type: 'string', enum: [...LOG_LEVELS], description: LOG_LEVEL_ALLOWED }),
  defaultValue: 'info',
});

/** The data directory, relative to the working directory, when nothing sets it (where the proxy always kept its files). */
export const DEFAULT_DATA_DIRECTORY = 'var';

const dataDirectory = defineSetting<string>({
  name: 'data_dir',
  effectiveValue: (values) => values.dataDirectory,
  description:
    'Directory for everything the proxy writes (log file, SSO database, OAuth account pools), created with mode 0700 when missing; relative paths start at the working directory',
  allowed: 'a directory path',
  flag: { name: 'data-dir', description: 'Directory for the log file, SSO database and account pools (default var)' },
  envVar: 'LLM_PROXY_DATA_DIR',
  parse: (text) => text.trim() || undefined,
  yaml: Type.String({ minLength: 1, description: 'a directory path (relative paths start at the working directory)' }),
  defaultValue: DEFAULT_DATA_DIRECTORY,
});

/** The log file's path inside the data directory, when `logging.file` is not set. */
export const DEFAULT_LOG_FILE_IN_DATA_DIRECTORY = 'logs/llm-proxy.log';
/** The values of `logging.file` that turn the log file off (console only). */
export const CONSOLE_ONLY_LOG_FILE_VALUES: readonly string[] = ['none', '-'];
const LOG_FILE_ALLOWED = 'a file path, or none (or -) to log to the console only';

const logFile = defineSetting<string>({
  name: 'logging.file',
  effectiveValue: (values) => values.logFile ?? 'none',
  helpGroup: 'Logging:',
  description: `Log file, or none (or -) for the console only; unset means ${DEFAULT_LOG_FILE_IN_DATA_DIRECTORY} in data_dir; relative paths start at the working directory`,
  allowed: LOG_FILE_ALLOWED,
  flag: { name: 'log-file', description: `Log file, or none for the console only (default: ${DEFAULT_LOG_FILE_IN_DATA_DIRECTORY} in the data directory)` },
  envVar: 'LLM_PROXY_LOG_FILE',
  parse: (text) => text.trim() || undefined,
  yaml: Type.String({ minLength: 1, description: LOG_FILE_ALLOWED }),
  // Derived from data_dir when nothing sets it.
  defaultValue: undefined,
});

export const DEFAULT_LOG_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 5;
const LOG_MAX_SIZE_ALLOWED = 'a size such as 10mb, 512kb or a number of bytes, at least 1kb';
const MINIMUM_LOG_MAX_SIZE = 1024;
const LOG_MAX_FILES_ALLOWED = 'a whole number from 1 to 1000';
const MAXIMUM_LOG_MAX_FILES = 1000;

const logMaxSize = defineSetting<number>({
  name: 'logging.max_size',
  effectiveValue: (values) => values.logRotation?.maxSizeBytes,
  helpGroup: 'Logging:',
  description: 'Size at which the log file is rotated (renamed with a number, a new one begun)',
  allowed: LOG_MAX_SIZE_ALLOWED,
  flag: { name: 'log-max-size', description: 'Size at which the log file rotates, e.g. 10mb (default 10mb)' },
  envVar: 'LLM_PROXY_LOG_MAX_SIZE',
  parse: parseLogMaxSize,
  yaml: convertedYaml(
    Type.Unsafe<string | number>({ type: ['string', 'integer'], pattern: BYTE_SIZE_PATTERN, minimum: MINIMUM_LOG_MAX_SIZE, description: LOG_MAX_SIZE_ALLOWED }),
    (value, filepath) => {
      const bytes = parseLogMaxSize(value);
      if (bytes === undefined) {
        throw new LlmProxyError({
          code: 'CONFIG_INVALID',
          message: `Invalid configuration in ${filepath}: logging.max_size has a value that is not allowed`,
          currentValue: JSON.stringify(value),
          fix: `Allowed: ${LOG_MAX_SIZE_ALLOWED}`,
          details: { key: 'logging.max_size', file: filepath },
        });
      }
      return bytes;
    },
  ),
  defaultValue: DEFAULT_LOG_MAX_SIZE,
});

const logMaxFiles = defineSetting<number>({
  name: 'logging.max_files',
  effectiveValue: (values) => values.logRotation?.maxFiles,
  helpGroup: 'Logging:',
  description: 'How many log files are kept, the current one included; the oldest is deleted at rotation',
  allowed: LOG_MAX_FILES_ALLOWED,
  flag: { name: 'log-max-files', description: 'How many log files to keep, the current one included (default 5)' },
  envVar: 'LLM_PROXY_LOG_MAX_FILES',
  parse: (text) => {
    const count = parseWholeNumber(text, 1);
    return count !== undefined && count <= MAXIMUM_LOG_MAX_FILES ? count : undefined;
  },
  yaml: Type.Integer({ minimum: 1, maximum: MAXIMUM_LOG_MAX_FILES, description: LOG_MAX_FILES_ALLOWED }),
  defaultValue: DEFAULT_LOG_MAX_FILES,
});

function parseLogMaxSize(value: string | number): number | undefined {
  const bytes = parseByteSize(value);
  return bytes !== undefined && bytes >= MINIMUM_LOG_MAX_SIZE ? bytes : undefined;
}

const ACCESS_MODES: readonly AccessMode[] = ['single_user', 'multi_user'];

const accessMode = defineSetting<AccessMode>({
  name: 'access_mode.mode',
  effectiveValue: (values) => values.accessMode,
  helpGroup: 'Access mode and authentication:',
  description: 'Single User Mode (local development) or Multi User Mode (shared deployments)',
  allowed: 'single_user or multi_user',
  flags: opposingSwitches(
    { name: 'single-user-mode', description: 'Single User Mode: local development, 127.0.0.1 only (default)', value: 'single_user' },
    { name: 'multi-user-mode', description: 'Multi User Mode: shared deployments, no OAuth connectors', value: 'multi_user' },
    {
      code: 'ACCESS_MODE_CONFLICT',
      fix: 'Remove one of the flags: --single-user-mode for local development on 127.0.0.1, --multi-user-mode for shared deployments',
    },
  ),
  envVar: 'LLM_PROXY_ACCESS_MODE',
  parse: (text) => parseOneOf(text, ACCESS_MODES),
  yaml: Type.Unsafe<AccessMode>({ type: 'string', enum: [...ACCESS_MODES], description: 'single_user or multi_user' }),
  defaultValue: 'single_user',
});

const disableAuth = defineSetting<boolean>({
  name: 'auth.disable_auth',
  effectiveValue: (values) => values.auth.disabled,
  helpGroup: 'Access mode and authentication:',
  description: 'Serve without client authentication (refused off loopback in Multi User Mode)',
  allowed: 'true or false',
  switchFlag: { name: 'disable-auth', description: 'Serve without client authentication' },
  envVar: 'LLM_PROXY_DISABLE_AUTH',
  parse: parseBooleanText,
  yaml: Type.Boolean({ description: 'true or false' }),
  defaultValue: false,
});

/** An API key: any non-empty text without whitespace or commas (commas separate keys on the command line). */
const API_KEY_PATTERN = '^[^\\s,]+$';

const apiKeys = defineSetting<readonly string[]>({
  name: 'auth.api_keys',
  effectiveValue: (values) => values.auth.apiKeys,
  helpGroup: 'Access mode and authentication:',
  description: 'API keys clients must present (Authorization: Bearer, x-api-key or x-goog-api-key)',
  allowed: 'a comma-separated list of keys without spaces, e.g. key1,key2',
  secret: true,
  flag: { name: 'api-keys', description: 'Comma-separated API keys clients must present' },
  envVar: 'LLM_PROXY_API_KEYS',
  parse: (text) => parseCommaList(text, API_KEY_PATTERN),
  yaml: Type.Array(Type.String({ pattern: API_KEY_PATTERN, description: 'a non-empty key without spaces or commas' }), {
    description: 'a list of API keys',
  }),
  defaultValue: [],
});

const ssoEnabled = defineSetting<boolean>({
  name: 'sso.enabled',
  effectiveValue: (values) => values.sso.enabled,
  helpGroup: 'Access mode and authentication:',
  description: 'Single sign-on with OpenID Connect: users sign in at /auth/login and get personal proxy tokens',
  allowed: 'true or false',
  switchFlag: { name: 'sso-enabled', description: 'Single sign-on with OpenID Connect (providers under sso.providers in YAML)' },
  envVar: 'LLM_PROXY_SSO_ENABLED',
  parse: parseBooleanText,
  yaml: Type.Boolean({ description: 'true or false' }),
  defaultValue: false,
});

/** The address users reach the proxy at: http(s), host, optional port and path, no query. */
const PUBLIC_URL_PATTERN = '^https?://[^\\s/?#]+(/[^\\s?#]*)?$';
const PUBLIC_URL_ALLOWED = 'an http(s) URL such as https://llm.example.com (no query string)';

const ssoPublicUrl = defineSetting<string>({
  name: 'sso.public_url',
  effectiveValue: (values) => values.sso.publicUrl,
  helpGroup: 'Access mode and authentication:',
  description: 'The address users reach the proxy at, for the SSO callback URL; unset derives it from each request',
  allowed: PUBLIC_URL_ALLOWED,
  envVar: 'LLM_PROXY_SSO_PUBLIC_URL',
  parse: (text) => parsePatternText(text, PUBLIC_URL_PATTERN)?.replace(/\/+$/, ''),
  yaml: convertedYaml(Type.String({ pattern: PUBLIC_URL_PATTERN, description: PUBLIC_URL_ALLOWED }), (url) => url.replace(/\/+$/, '')),
  // Derived from each request when nothing sets it.
  defaultValue: undefined,
});

/** Exported for `ssoOptionsOf`, which applies the defaults to settings built by hand. */
export const DEFAULT_TOKEN_LIFETIME_DAYS = 30;
const MAXIMUM_TOKEN_LIFETIME_DAYS = 3650;
const TOKEN_LIFETIME_ALLOWED = `a whole number of days from 1 to ${MAXIMUM_TOKEN_LIFETIME_DAYS}`;

const ssoTokenLifetimeDays = defineSetting<number>({
  name: 'sso.token_lifetime_days',
  effectiveValue: (values) => values.sso.tokenLifetimeDays,
  helpGroup: 'Access mode and authentication:',
  description: 'How long a personal proxy token issued after SSO sign-in stays valid, in days',
  allowed: TOKEN_LIFETIME_ALLOWED,
  envVar: 'LLM_PROXY_SSO_TOKEN_LIFETIME_DAYS',
  parse: (text) => {
    const days = parseWholeNumber(text, 1);
    return days !== undefined && days <= MAXIMUM_TOKEN_LIFETIME_DAYS ? days : undefined;
  },
  yaml: Type.Integer({ minimum: 1, maximum: MAXIMUM_TOKEN_LIFETIME_DAYS, description: TOKEN_LIFETIME_ALLOWED }),
  defaultValue: DEFAULT_TOKEN_LIFETIME_DAYS,
});

/** The SSO database's path inside the data directory, when `sso.database_file` is not set. */
export const DEFAULT_SSO_DATABASE_FILE_IN_DATA_DIRECTORY = 'sso/llm-proxy-sso.sqlite';

const ssoDatabaseFile = defineSetting<string>({
  name: 'sso.database_file',
  effectiveValue: (values) => values.sso.databaseFile,
  helpGroup: 'Access mode and authentication:',
  description: `SQLite database of SSO tokens and sessions, created on first start; unset means ${DEFAULT_SSO_DATABASE_FILE_IN_DATA_DIRECTORY} in data_dir; relative paths start at the working directory`,
  allowed: 'a file path',
  envVar: 'LLM_PROXY_SSO_DATABASE_FILE',
  parse: (text) => text.trim() || undefined,
  yaml: Type.String({ minLength: 1, description: FILE_PATH_LEAF }),
  // Derived from data_dir when nothing sets it.
  defaultValue: undefined,
});

const ssoProviders = defineSetting<readonly SsoProviderSettings[]>({
  name: 'sso.providers',
  effectiveValue: (values) => values.sso.providers,
  helpGroup: 'Access mode and authentication:',
  description: 'OpenID Connect providers by id: issuer, client_id, client_secret_env or client_secret_file, scopes, allowed_users',
  allowed: SSO_PROVIDER_ID_ALLOWED,
  yaml: convertedYaml(
    Type.Record(Type.String(), ssoProviderSchema, {
      propertyNames: { type: 'string', pattern: SSO_PROVIDER_ID_PATTERN },
      description: SSO_PROVIDER_ID_ALLOWED,
    }),
    (providers, filepath) => Object.entries(providers).map(([id, provider]) => ssoProviderFromYaml(id, provider, filepath)),
  ),
  defaultValue: [],
});

const notificationsEnabled = defineSetting<boolean>({
  name: 'notifications.enabled',
  effectiveValue: (values) => values.notifications.enabled,
  helpGroup: 'Desktop notifications:',
  description: 'Desktop notifications; unset means on for 127.0.0.1, localhost and ::1, off otherwise',
  allowed: `${BOOLEAN_TEXT_ALLOWED}; unset for automatic`,
  flags: opposingSwitches(
    { name: 'enable-notifications', description: 'Force desktop notifications on', value: true },
    { name: 'disable-notifications', description: 'Force desktop notifications off', value: false },
    { code: 'NOTIFICATIONS_FLAG_CONFLICT', fix: 'Remove one of the flags' },
  ),
  envVar: 'LLM_PROXY_ENABLE_NOTIFICATIONS',
  parse: parseBooleanText,
  // `null` in YAML is "unset": automatic.
  yaml: Type.Unsafe<boolean | null>({
    type: ['boolean', 'null'],
    description: 'true, false, or null (automatic: on when the host is 127.0.0.1, localhost or ::1)',
  }),
  // Derived from the host when nothing sets it.
  defaultValue: undefined,
});

const oauthConnectorIds = Object.keys(KNOWN_OAUTH_CONNECTORS);

const oauthDebuggingOverrides = defineSetting<readonly string[]>({
  name: 'oauth_debugging_overrides',
  effectiveValue: (values) => values.oauthDebuggingOverrides,
  helpGroup: 'OAuth connectors (Single User Mode only):',
  description: 'OAuth connector debugging overrides (Single User Mode only)',
  allowed: oauthConnectorIds.map(debuggingOverrideFlag).join(', '),
  flags: {
    options: Object.fromEntries(
      oauthConnectorIds.map((id) => [
        debuggingOverrideFlag(id).slice(2),
        { type: 'boolean', description: `Debugging override for ${id}` } satisfies Options,
      ]),
    ),
    read(args) {
      const given = oauthConnectorIds.filter((id) => lastValue(args, debuggingOverrideFlag(id).slice(2)) === true);
      return given.length === 0 ? undefined : { value: given, flags: given.map(debuggingOverrideFlag) };
    },
  },
  defaultValue: [],
});

const allowOauthAutoReplacement = defineSetting<boolean>({
  name: 'allow_oauth_auto_replacement',
  effectiveValue: (values) => values.allowOauthAutoReplacement,
  helpGroup: 'OAuth connectors (Single User Mode only):',
  description: 'Let OAuth connectors replace exhausted accounts automatically (Single User Mode only)',
  allowed: 'the --allow-oauth-auto-replacement switch',
  switchFlag: { name: 'allow-oauth-auto-replacement', description: 'Let OAuth connectors replace accounts automatically (Single User Mode only)' },
  defaultValue: false,
});

const BODY_LIMIT_ALLOWED = 'a size such as 10mb, 512kb or a number of bytes';

const bodyLimit = defineSetting<number>({
  name: 'server.body_limit',
  effectiveValue: (values) => values.server.bodyLimitBytes,
  description: 'Largest accepted request body, counted after decompression',
  allowed: BODY_LIMIT_ALLOWED,
  envVar: 'LLM_PROXY_BODY_LIMIT',
  parse: parseByteSize,
  yaml: convertedYaml(
    Type.Unsafe<string | number>({ type: ['string', 'integer'], pattern: BYTE_SIZE_PATTERN, minimum: 1, description: BODY_LIMIT_ALLOWED }),
    (value, filepath) => {
      const bytes = parseByteSize(value);
      // The schema cannot see that `0mb` is zero bytes, or that a size overflows.
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
  ),
  defaultValue: 10 * 1024 * 1024,
});

const upstreamTimeout = defineSetting<number>({
  name: 'server.upstream_timeout_ms',
  effectiveValue: (values) => values.server.upstreamTimeoutMs,
  description: 'How long to wait for an upstream, in milliseconds',
  ...wholeMilliseconds(1),
  envVar: 'LLM_PROXY_UPSTREAM_TIMEOUT_MS',
  defaultValue: 600_000,
});

/**
 * Upstream body and event limits: without them a gzip bomb or an endless SSE line
 * from an upstream fills the proxy's memory. 64 MiB is far above any chat answer (a 1M-token
 * context answered in full is a few MiB of JSON; a large base64 image a few tens of MiB), and 16 MiB
 * for one event leaves room for an event carrying a whole image or a long tool-call argument.
 */
export const DEFAULT_UPSTREAM_BODY_LIMIT = 64 * 1024 * 1024;
export const DEFAULT_UPSTREAM_EVENT_LIMIT = 16 * 1024 * 1024;
/**
 * Stream deadlines: reasoning models may think for minutes before their first event (OpenAI's
 * pro models, Claude with a large thinking budget), and some pause long between events while
 * they think or call server tools, so the defaults are generous rather than tight.
 */
export const DEFAULT_STREAM_FIRST_CONTENT_TIMEOUT_MS = 300_000;
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 120_000;

/** A byte-size row under `server.` (YAML accepts `64mb` or a number of bytes). */
function upstreamByteLimit(options: { name: string; key: string; envVar: string; description: string; defaultValue: number }): SettingDefinition<number> {
  return defineSetting<number>({
    name: options.name,
    effectiveValue: (values) => values.server[options.key as 'upstreamBodyLimitBytes' | 'upstreamEventLimitBytes'],
    description: options.description,
    allowed: BODY_LIMIT_ALLOWED,
    envVar: options.envVar,
    parse: parseByteSize,
    yaml: convertedYaml(
      Type.Unsafe<string | number>({ type: ['string', 'integer'], pattern: BYTE_SIZE_PATTERN, minimum: 1, description: BODY_LIMIT_ALLOWED }),
      (value, filepath) => {
        const bytes = parseByteSize(value);
        if (bytes === undefined) {
          throw new LlmProxyError({
            code: 'CONFIG_INVALID',
            message: `Invalid configuration in ${filepath}: ${options.name} has a value that is not allowed`,
            currentValue: JSON.stringify(value),
            fix: `Allowed: ${BODY_LIMIT_ALLOWED}, at least 1 byte`,
            details: { key: options.name, file: filepath },
          });
        }
        return bytes;
      },
    ),
    defaultValue: options.defaultValue,
  });
}

const upstreamBodyLimit = upstreamByteLimit({
  name: 'server.upstream_body_limit',
  key: 'upstreamBodyLimitBytes',
  envVar: 'LLM_PROXY_UPSTREAM_BODY_LIMIT',
  description: 'Largest upstream response body read whole (JSON answers, error bodies), counted after decompression',
  defaultValue: DEFAULT_UPSTREAM_BODY_LIMIT,
});

const upstreamEventLimit = upstreamByteLimit({
  name: 'server.upstream_event_limit',
  key: 'upstreamEventLimitBytes',
  envVar: 'LLM_PROXY_UPSTREAM_EVENT_LIMIT',
  description: 'Largest single server-sent event (or line) of an upstream stream, counted after decompression',
  defaultValue: DEFAULT_UPSTREAM_EVENT_LIMIT,
});

const streamFirstContentTimeout = defineSetting<number>({
  name: 'server.stream_first_content_timeout_ms',
  effectiveValue: (values) => values.server.streamFirstContentTimeoutMs,
  description: 'Longest wait from sending a streaming request to its first complete event (keep-alive comments do not count), in milliseconds',
  ...wholeMilliseconds(1),
  envVar: 'LLM_PROXY_STREAM_FIRST_CONTENT_TIMEOUT_MS',
  defaultValue: DEFAULT_STREAM_FIRST_CONTENT_TIMEOUT_MS,
});

const streamIdleTimeout = defineSetting<number>({
  name: 'server.stream_idle_timeout_ms',
  effectiveValue: (values) => values.server.streamIdleTimeoutMs,
  description: 'Longest wait between two complete events of an upstream stream (comments and partial events do not count), in milliseconds',
  ...wholeMilliseconds(1),
  envVar: 'LLM_PROXY_STREAM_IDLE_TIMEOUT_MS',
  defaultValue: DEFAULT_STREAM_IDLE_TIMEOUT_MS,
});

const drainTimeout = defineSetting<number>({
  name: 'server.drain_timeout_ms',
  effectiveValue: (values) => values.server.drainTimeoutMs,
  description: 'How long shutdown waits for in-flight requests, in milliseconds',
  ...wholeMilliseconds(0),
  envVar: 'LLM_PROXY_DRAIN_TIMEOUT_MS',
  defaultValue: 10_000,
});

// Node's own limit on receiving a request was 120 s plus up to 30 s until its check ran, and a
// stalled body held a socket that long. Sixty seconds still lets a 10 MB body through at about
// 1.5 Mbit/s; a proxy for slow links raises it.
const requestTimeout = defineSetting<number>({
  name: 'server.request_timeout_ms',
  effectiveValue: (values) => values.server.requestTimeoutMs,
  description: 'How long a client may take to send a whole request (headers and body), in milliseconds; answers are not limited',
  ...wholeMilliseconds(1000),
  envVar: 'LLM_PROXY_REQUEST_TIMEOUT_MS',
  defaultValue: 60_000,
});

/** A browser origin: scheme, host and optional port, without a path. */
const ORIGIN_PATTERN = '^https?://[^/\\s]+$';

const allowedOrigins = defineSetting<readonly string[]>({
  name: 'server.allowed_origins',
  effectiveValue: (values) => values.server.allowedOrigins,
  description: 'Browser origins allowed to call the proxy in Single User Mode',
  allowed: 'a comma-separated list of origins such as http://localhost:3000',
  envVar: 'LLM_PROXY_ALLOWED_ORIGINS',
  parse: (text) => parseCommaList(text, ORIGIN_PATTERN),
  yaml: Type.Array(Type.String({ pattern: ORIGIN_PATTERN, description: 'an origin such as http://localhost:3000' }), {
    description: 'a list of origins',
  }),
  defaultValue: [],
});

/** Reverse proxies whose X-Forwarded-For names the client; none by default, so the header is ignored. */
const trustProxy = defineSetting<readonly string[]>({
  name: 'server.trust_proxy',
  effectiveValue: (values) => values.server.trustProxy,
  description: 'Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client, for the failed-attempt limiter and logs',
  allowed: `a comma-separated list of ${TRUSTED_PROXY_ALLOWED}`,
  flag: { name: 'trust-proxy', description: 'Reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For is believed (default none)' },
  envVar: 'LLM_PROXY_TRUST_PROXY',
  parse: parseTrustedProxies,
  yaml: convertedYaml(
    Type.Array(Type.String({ pattern: TRUSTED_PROXY_PATTERN, description: 'an IP address or CIDR range' }), { description: 'a list of addresses or CIDR ranges' }),
    (entries: readonly string[], filepath) => {
      const bad = entries.find((entry) => !isTrustedProxyEntry(entry));
      if (bad === undefined) return entries;
      throw new LlmProxyError({
        code: 'CONFIG_INVALID',
        message: `Invalid configuration in ${filepath}: server.trust_proxy has an entry that is not an IP address or CIDR range`,
        currentValue: bad,
        fix: `List ${TRUSTED_PROXY_ALLOWED}`,
        details: { key: 'server.trust_proxy', file: filepath },
      });
    },
  ),
  defaultValue: [],
});

/** The back-off of an upstream API key the upstream rejected: first wait, doubling per rejection in a row, up to the cap. */
const upstreamKeyRetry = defineSetting<number>({
  name: 'server.upstream_key_retry_ms',
  effectiveValue: (values) => values.server.upstreamKeyRetryMs,
  description: 'How long an upstream API key the upstream rejected stays out before it is tried again, in milliseconds; doubles with each rejection in a row',
  ...wholeMilliseconds(1),
  envVar: 'LLM_PROXY_UPSTREAM_KEY_RETRY_MS',
  defaultValue: 30_000,
});

const upstreamKeyRetryMax = defineSetting<number>({
  name: 'server.upstream_key_retry_max_ms',
  effectiveValue: (values) => values.server.upstreamKeyRetryMaxMs,
  description: 'The longest a rejected upstream API key stays out before it is tried again, in milliseconds',
  ...wholeMilliseconds(1),
  envVar: 'LLM_PROXY_UPSTREAM_KEY_RETRY_MAX_MS',
  defaultValue: 30 * 60_000,
});

const metricsEnabled = defineSetting<boolean>({
  name: 'metrics.enabled',
  effectiveValue: (values) => values.metrics.enabled,
  helpGroup: 'Metrics:',
  description:
    'Prometheus metrics at /metrics: on the main port for clients that authenticate with a configured API key (auth.api_keys), and on metrics.port when set; on when metrics.port is set',
  allowed: 'true or false',
  switchFlag: { name: 'metrics', description: 'Serve Prometheus metrics at /metrics (to clients with a configured API key)' },
  envVar: 'LLM_PROXY_METRICS',
  parse: parseBooleanText,
  yaml: Type.Boolean({ description: 'true or false' }),
  defaultValue: false,
});

/** The metrics port may be 0 (a free port, announced on stdout), like the main port. */
const metricsPort = defineSetting<number>({
  name: 'metrics.port',
  effectiveValue: (values) => values.metrics.port,
  helpGroup: 'Metrics:',
  description: 'A separate port serving only /metrics, without authentication, on metrics.host; unset serves none',
  allowed: PORT_ALLOWED,
  flag: { name: 'metrics-port', description: 'Serve /metrics (no authentication) on this separate port too (default none)' },
  envVar: 'LLM_PROXY_METRICS_PORT',
  parse: parsePort,
  yaml: Type.Integer({ minimum: 0, maximum: 65535, description: PORT_ALLOWED }),
  defaultValue: undefined,
});

const metricsHost = defineSetting<string>({
  name: 'metrics.host',
  effectiveValue: (values) => values.metrics.host,
  helpGroup: 'Metrics:',
  description: 'Address the metrics port binds; its /metrics has no authentication, so loopback unless a firewall guards it',
  allowed: HOST_ALLOWED,
  flag: { name: 'metrics-host', description: 'Address of the metrics port (default 127.0.0.1)' },
  envVar: 'LLM_PROXY_METRICS_HOST',
  parse: (text) => parsePatternText(text, HOST_PATTERN),
  yaml: Type.String({ pattern: HOST_PATTERN, description: HOST_ALLOWED }),
  defaultValue: '127.0.0.1',
});

const metricsCallerLabel = defineSetting<boolean>({
  name: 'metrics.caller_label',
  effectiveValue: (values) => values.metrics.callerLabel,
  helpGroup: 'Metrics:',
  description: 'Label requests, tokens and cost by caller (api-key#n or provider:subject): one series per caller, so off by default',
  allowed: 'true or false',
  switchFlag: { name: 'metrics-caller-label', description: 'Label request and token metrics by caller (more series)' },
  envVar: 'LLM_PROXY_METRICS_CALLER_LABEL',
  parse: parseBooleanText,
  yaml: Type.Boolean({ description: 'true or false' }),
  defaultValue: false,
});

/** `plugins:` is the list itself, or a mapping that also holds the lock setting. */
const PLUGINS_YAML = Type.Unsafe<readonly string[] | { packages?: readonly string[]; require_lock?: boolean }>({
  // One schema with `items` (arrays only) and `properties` (objects only) rather than a union,
  // so an error names the offending key instead of both alternatives.
  type: ['array', 'object'],
  items: Type.String({ minLength: 1, description: 'an npm package name' }),
  properties: {
    packages: Type.Array(Type.String({ minLength: 1, description: 'an npm package name' }), {
      description: 'a list of connector package names',
    }),
    require_lock: Type.Boolean({
      description: 'true (third-party connector packages need llm-proxy.connectors.lock) or false',
    }),
  },
  additionalProperties: false,
  description: 'a list of connector package names, or a mapping with packages and require_lock',
});

const UNKNOWN_FIELDS_POLICIES = ['drop', 'refuse'] as const;
const UNKNOWN_FIELDS_ALLOWED = 'drop or refuse';

// Clients add request fields every few weeks; refusing each new one breaks them on their next
// release, so a field no front-end table declares is dropped across APIs unless the operator asks.
const unknownFields = defineSetting<UnknownFieldsPolicy>({
  name: 'translation.unknown_fields',
  effectiveValue: (values) => values.translation?.unknownFields ?? 'drop',
  description: 'What a request field no front-end table declares does on its way to a backend of another API: drop it (named in x-llmproxy-dropped-fields) or refuse the request with 400',
  allowed: UNKNOWN_FIELDS_ALLOWED,
  flag: { name: 'unknown-fields', description: 'Unknown request fields across APIs: drop or refuse (default drop)' },
  envVar: 'LLM_PROXY_UNKNOWN_FIELDS',
  parse: (text) => parseOneOf(text, UNKNOWN_FIELDS_POLICIES),
  yaml: Type.Unsafe<UnknownFieldsPolicy>({ type: 'string', enum: [...UNKNOWN_FIELDS_POLICIES], description: UNKNOWN_FIELDS_ALLOWED }),
  defaultValue: 'drop',
});

const plugins = defineSetting<readonly string[]>({
  name: 'plugins',
  effectiveValue: (values) => values.plugins,
  description: 'Connector packages to load besides those found automatically',
  allowed: 'a comma-separated list of npm package names',
  envVar: 'LLM_PROXY_PLUGINS',
  parse: (text) => parseCommaList(text, '^\\S+$'),
  yaml: convertedYaml(PLUGINS_YAML, (value) => (Array.isArray(value) ? value : (value as { packages?: readonly string[] }).packages)),
  defaultValue: [],
});

const pluginsRequireLock = defineSetting<boolean>({
  name: 'plugins.require_lock',
  effectiveValue: (values) => values.requirePluginLock ?? false,
  description:
    'Third-party connector packages load only when llm-proxy.connectors.lock lists them (a missing lock file refuses them all in Multi User Mode)',
  allowed: 'true or false',
  envVar: 'LLM_PROXY_PLUGINS_REQUIRE_LOCK',
  parse: parseBooleanText,
  // Its YAML shape is part of the `plugins` row's leaf.
  yamlWithinLeafOf: 'plugins',
  // Derived from the access mode and host when nothing sets it.
  defaultValue: undefined,
});

/** A backend name: used as the `backend:` prefix of model names, so it cannot contain `:`. */
const BACKEND_NAME_PATTERN = '^[^:\\s]+$';

const backends = defineSetting<Readonly<Record<string, BackendConfig>>>({
  name: 'backends',
  effectiveValue: (values) => values.backends,
  description: 'Backends by name; `type` names the connector (default: the name), the rest is its settings',
  allowed: `a mapping of backend names (matching ${BACKEND_NAME_PATTERN}) to backend settings`,
  // Each entry's keys beyond `type` belong to the connector that serves it, which validates its own slice.
  yaml: Type.Record(
    Type.String(),
    Type.Object(
      { type: Type.Optional(Type.String({ minLength: 1, description: 'a connector id such as openai or openai-compatible' })) },
      { additionalProperties: true, description: 'a mapping with the connector settings of this backend' },
    ),
    {
      propertyNames: { type: 'string', pattern: BACKEND_NAME_PATTERN },
      description: 'a mapping of backend names (without ":" or spaces) to backend settings',
    },
  ),
  defaultValue: {},
});

const CALLERS_GROUP = 'Callers and usage:';

const callerDefaults = defineSetting<CallerSettings>({
  name: 'caller_defaults',
  effectiveValue: (values) => values.callers.defaults,
  helpGroup: CALLERS_GROUP,
  description: 'Settings of every caller (models, limits, budgets) that its group or own entry does not override',
  allowed: 'caller settings: name, admin, models, limits, budgets',
  yaml: convertedYaml(callerSettingsSchema, (yaml) => callerSettingsFromYaml(yaml)),
  defaultValue: {},
});

const callers = defineSetting<Readonly<Record<string, CallerSettings>>>({
  name: 'callers',
  effectiveValue: (values) => values.callers.byId,
  helpGroup: CALLERS_GROUP,
  description: 'Settings by caller id (api-key#<n>, <provider>:<subject>): name, admin, models, limits, budgets',
  allowed: CALLER_ID_ALLOWED,
  yaml: convertedYaml(
    Type.Record(Type.String(), callerSettingsSchema, { propertyNames: { type: 'string', pattern: CALLER_ID_PATTERN }, description: CALLER_ID_ALLOWED }),
    (yaml) => callerSettingsMapFromYaml(yaml),
  ),
  defaultValue: {},
});

const CALLER_GROUP_ALLOWED = 'a mapping of SSO group names (the groups claim) to caller settings';

const callerGroups = defineSetting<Readonly<Record<string, CallerSettings>>>({
  name: 'caller_groups',
  effectiveValue: (values) => values.callers.byGroup,
  helpGroup: CALLERS_GROUP,
  description: "Settings of SSO users by group claim, between caller_defaults and the user's own entry",
  allowed: CALLER_GROUP_ALLOWED,
  yaml: convertedYaml(
    Type.Record(Type.String(), callerSettingsSchema, { propertyNames: { type: 'string', minLength: 1 }, description: CALLER_GROUP_ALLOWED }),
    (yaml) => callerSettingsMapFromYaml(yaml),
  ),
  defaultValue: {},
});

const usageEnabled = defineSetting<boolean>({
  name: 'usage.enabled',
  effectiveValue: (values) => values.usage.enabled,
  helpGroup: CALLERS_GROUP,
  description: 'Record every chat request (caller, model, tokens, cost) in the usage database',
  allowed: BOOLEAN_TEXT_ALLOWED,
  flags: opposingSwitches(
    { name: 'enable-usage', description: 'Record usage in the usage database (default on)', value: true },
    { name: 'disable-usage', description: 'Record no usage', value: false },
    { code: 'USAGE_FLAG_CONFLICT', fix: 'Remove one of the flags' },
  ),
  envVar: 'LLM_PROXY_USAGE_ENABLED',
  parse: parseBooleanText,
  yaml: Type.Boolean({ description: 'true or false' }),
  defaultValue: true,
});

/** Within the data directory, beside the SSO database. */
export const DEFAULT_USAGE_DATABASE_FILE_IN_DATA_DIRECTORY = 'usage/llm-proxy-usage.sqlite';

const usageDatabaseFile = defineSetting<string>({
  name: 'usage.database_file',
  effectiveValue: (values) => values.usage.databaseFile,
  helpGroup: CALLERS_GROUP,
  description: `SQLite database of usage records, created on first start; unset means ${DEFAULT_USAGE_DATABASE_FILE_IN_DATA_DIRECTORY} in data_dir; relative paths start at the working directory`,
  allowed: 'a file path',
  flag: { name: 'usage-database-file', description: `SQLite file of usage records (default ${DEFAULT_USAGE_DATABASE_FILE_IN_DATA_DIRECTORY} in data_dir)` },
  envVar: 'LLM_PROXY_USAGE_DATABASE_FILE',
  parse: (text) => text.trim() || undefined,
  yaml: Type.String({ minLength: 1, description: FILE_PATH_LEAF }),
  // Derived from data_dir when nothing sets it.
  defaultValue: undefined,
});

const prices = defineSetting<Readonly<Record<string, ModelPrice>>>({
  name: 'prices',
  effectiveValue: (values) => values.prices,
  helpGroup: CALLERS_GROUP,
  description: 'Prices by backend:model in USD per million tokens, ahead of the bundled price table',
  allowed: PRICE_KEY_ALLOWED,
  yaml: convertedYaml(
    Type.Record(Type.String(), modelPriceSchema, { propertyNames: { type: 'string', pattern: PRICE_KEY_PATTERN }, description: PRICE_KEY_ALLOWED }),
    (yaml) => modelPricesFromYaml(yaml),
  ),
  defaultValue: {},
});

const STORAGE_GROUP = 'Shared storage (several replicas):';

/** `scheme://…` with a host; the rest is the driver's to judge when it connects at startup. */
function storageUrlParser(schemes: readonly string[]): (text: string) => string | undefined {
  return (text) => {
    const trimmed = text.trim();
    try {
      const url = new URL(trimmed);
      return schemes.includes(url.protocol) && url.hostname !== '' ? trimmed : undefined;
    } catch {
      return undefined;
    }
  };
}

const POSTGRES_URL_ALLOWED = 'a postgres://user[:password]@host[:port]/database URL';
const parsePostgresUrl = storageUrlParser(['postgres:', 'postgresql:']);

const storageDatabaseUrl = defineSetting<string>({
  name: 'storage.database_url',
  effectiveValue: (values) => values.storage.databaseUrl,
  helpGroup: STORAGE_GROUP,
  description: 'PostgreSQL database shared by replicas for usage records and personal tokens (default: SQLite files under var/)',
  allowed: POSTGRES_URL_ALLOWED,
  // The URL may carry the database password.
  secret: true,
  flag: { name: 'database-url', description: 'PostgreSQL URL for usage records and personal tokens, shared by replicas' },
  envVar: 'LLM_PROXY_DATABASE_URL',
  parse: parsePostgresUrl,
  yaml: Type.String({ pattern: '^postgres(ql)?://[^/?#]+', description: POSTGRES_URL_ALLOWED }),
  defaultValue: undefined,
});

const REDIS_URL_ALLOWED = 'a redis://[:password@]host[:port][/db] or rediss:// URL';
const parseRedisUrl = storageUrlParser(['redis:', 'rediss:']);

const storageRedisUrl = defineSetting<string>({
  name: 'storage.redis_url',
  effectiveValue: (values) => values.storage.redisUrl,
  helpGroup: STORAGE_GROUP,
  description: 'Redis shared by replicas for rate-limit and stream counters, budgets, the failed-login limiter and previous_response_id (default: in memory)',
  allowed: REDIS_URL_ALLOWED,
  secret: true,
  flag: { name: 'redis-url', description: 'Redis URL for counters and conversation state shared by replicas' },
  envVar: 'LLM_PROXY_REDIS_URL',
  parse: parseRedisUrl,
  yaml: Type.String({ pattern: '^rediss?://[^/?#]+', description: REDIS_URL_ALLOWED }),
  defaultValue: undefined,
});

/** Every setting, in the order `config explain` and the docs list them. */
export const SETTINGS = {
  config,
  host,
  port,
  defaultBackend,
  modelRoutes,
  dataDirectory,
  logLevel,
  logFile,
  logMaxSize,
  logMaxFiles,
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
  upstreamBodyLimit,
  upstreamEventLimit,
  streamFirstContentTimeout,
  streamIdleTimeout,
  drainTimeout,
  requestTimeout,
  allowedOrigins,
  trustProxy,
  upstreamKeyRetry,
  upstreamKeyRetryMax,
  fallbackRest,
  metricsEnabled,
  metricsPort,
  metricsHost,
  metricsCallerLabel,
  unknownFields,
  plugins,
  pluginsRequireLock,
  backends,
  callerDefaults,
  callers,
  callerGroups,
  usageEnabled,
  usageDatabaseFile,
  prices,
  storageDatabaseUrl,
  storageRedisUrl,
} as const;

export type SettingsTable = typeof SETTINGS;
export type SettingKey = keyof SettingsTable;
/** The value type of one setting. */
export type SettingValue<Key extends SettingKey> = SettingsTable[Key] extends SettingDefinition<infer Value> ? Value : never;

/** Every row, in table order. */
export const SETTING_DEFINITIONS: readonly SettingDefinition<unknown>[] = Object.values(SETTINGS);

/** The yargs option definitions of the given rows' flags (by default every row's), each under its help group. */
export function commandLineOptions(definitions: readonly SettingDefinition<unknown>[] = SETTING_DEFINITIONS): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const definition of definitions) {
    for (const [flag, option] of Object.entries(definition.commandLineOptions)) {
      options[flag] = { ...option, group: definition.helpGroup };
    }
  }
  return options;
}
