/**
 * @fileoverview The resolved settings of one proxy process: every value after applying
 * CLI > env > YAML > default, with the source of each remembered. Produced once at startup,
 * frozen, and read by everything else.
 */
import type { ModelRouteRule } from './model-routes.js';
import type { LOG_LEVELS } from './setting-parsers.js';

export type AccessMode = 'single_user' | 'multi_user';

/** Where a setting's effective value came from. `auto` is a value derived from other settings. */
export type SettingSource = 'cli' | 'env' | 'yaml' | 'default' | 'auto';

export type LogLevel = (typeof LOG_LEVELS)[number];

/** `translation.unknown_fields`: what an undeclared request field does across APIs. */
export type UnknownFieldsPolicy = 'drop' | 'refuse';

/** A backend declared in YAML under `backends.<name>`. `type` names the connector; it defaults to the name. */
export type BackendConfig = Record<string, unknown> & { type?: string };

export interface ProxySettings {
  host: string;
  port: number;
  /** The YAML file that was loaded, if any. */
  configFile: string | undefined;
  /** `backend:model` used when a request's model names no backend. */
  defaultBackend: string | undefined;
  /** `model_routes`: patterns to targets, first match wins, applied before the `backend:` prefix. */
  modelRoutes: readonly ModelRouteRule[];
  /**
   * Absolute path of the directory the proxy writes into by default (`data_dir`). Always set by
   * `resolveSettings`; settings built by hand may leave it out (then `var` in the working directory).
   */
  dataDirectory?: string;
  logLevel: LogLevel;
  /** Absolute path of the log file; undefined logs to the console only (`logging.file: none`). */
  logFile: string | undefined;
  /** Always set by `resolveSettings`; settings built by hand may leave it out (the table's defaults). */
  logRotation?: {
    /** Size in bytes at which the log file is rotated. */
    maxSizeBytes: number;
    /** How many log files are kept, the current one included. */
    maxFiles: number;
  };
  accessMode: AccessMode;
  auth: {
    disabled: boolean;
    apiKeys: readonly string[];
  };
  sso: SsoSettings;
  notifications: {
    enabled: boolean;
  };
  /** Connector ids given as `--enable-<id>-backend-debugging-override`. */
  oauthDebuggingOverrides: readonly string[];
  allowOauthAutoReplacement: boolean;
  server: {
    /** Largest accepted request body, in bytes, counted after decompression. */
    bodyLimitBytes: number;
    /** Upstream timeout, in milliseconds. */
    upstreamTimeoutMs: number;
    /** Largest upstream body read whole, in bytes, after decompression. */
    upstreamBodyLimitBytes: number;
    /** Largest single upstream server-sent event, in bytes, after decompression. */
    upstreamEventLimitBytes: number;
    /** Longest wait from a streaming request to its first complete event, in milliseconds. */
    streamFirstContentTimeoutMs: number;
    /** Longest wait between two complete events of a stream, in milliseconds. */
    streamIdleTimeoutMs: number;
    /** How long shutdown waits for in-flight requests, in milliseconds. */
    drainTimeoutMs: number;
    /** How long a client may take to send a whole request, headers and body, in milliseconds. */
    requestTimeoutMs: number;
    /** Browser origins allowed to call the proxy in Single User Mode. */
    allowedOrigins: readonly string[];
    /** Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client; empty trusts none. */
    trustProxy: readonly string[];
    /** First wait before an upstream API key the upstream rejected is tried again, in ms; doubles per rejection. */
    upstreamKeyRetryMs: number;
    /** The longest wait before a rejected upstream API key is tried again, in ms. */
    upstreamKeyRetryMaxMs: number;
    /** How long a model-route target that failed rests when its upstream named no Retry-After, in ms. */
    fallbackRestMs: number;
  };
  /** Prometheus metrics (`metrics:` in YAML). */
  metrics: {
    /** /metrics is served; always true when `port` is set. */
    enabled: boolean;
    /** A separate port serving /metrics without authentication; undefined serves none. */
    port: number | undefined;
    /** The address the metrics port binds. */
    host: string;
    /** Requests, tokens and cost carry a `caller` label. */
    callerLabel: boolean;
  };
  /**
   * How requests cross to a backend of another API (docs/translation.md). Absent in settings
   * built without the resolver: unknown fields are then dropped, the default.
   */
  translation?: {
    /** `translation.unknown_fields`: a request field no front-end table declares is dropped or refused. */
    unknownFields: UnknownFieldsPolicy;
  };
  /** Connector packages named in config (`plugins:` in YAML). */
  plugins: readonly string[];
  /**
   * `plugins.require_lock`: third-party connector packages need an entry in the connector lock
   * file even when there is no lock file. Unset means false.
   */
  requirePluginLock?: boolean;
  backends: Readonly<Record<string, BackendConfig>>;
  /** Per-caller settings: models, limits, budgets (docs/team-server.md). */
  callers: CallerDirectory;
  usage: {
    /** Whether every chat request leaves a usage record. */
    enabled: boolean;
    /** The SQLite file of usage records, absolute. */
    databaseFile: string;
  };
  /** Operator prices by `backend:model`, ahead of the bundled price table. */
  prices: Readonly<Record<string, ModelPrice>>;
  /** Shared stores of several replicas; unset means the embedded ones (SQLite files, memory). */
  storage: {
    /** PostgreSQL for usage records and personal tokens. */
    databaseUrl: string | undefined;
    /** Redis for counters, the failed-attempt limiter and the Responses conversation store. */
    redisUrl: string | undefined;
  };
}

export type BudgetPeriod = 'day' | 'month';

/** A spending limit in US dollars per calendar day or month (UTC). */
export interface Budget {
  usd: number;
  period: BudgetPeriod;
}

/** What one caller (or group, or every caller by default) may do. Unset fields inherit. */
export interface CallerSettings {
  name?: string;
  /** May read `/admin/usage`. */
  admin?: boolean;
  /** Glob patterns over `backend:model`; unset allows every model. */
  models?: readonly string[];
  limits?: {
    requestsPerMinute?: number;
    tokensPerMinute?: number;
    concurrentStreams?: number;
  };
  budgets?: readonly Budget[];
}

/** `caller_defaults`, `callers` and `caller_groups` from YAML. */
export interface CallerDirectory {
  defaults: CallerSettings;
  /** By caller id: `api-key#<n>` or `<provider>:<subject>`. */
  byId: Readonly<Record<string, CallerSettings>>;
  /** By SSO group claim. */
  byGroup: Readonly<Record<string, CallerSettings>>;
}

/** An operator's price of a model, in US dollars per million tokens. */
export interface ModelPrice {
  inputUsdPerMtok: number;
  outputUsdPerMtok: number;
  /** Cached (cache-read) input tokens; the input price when unset. */
  cachedInputUsdPerMtok?: number;
}

/** Where a provider's client secret is read at startup; the secret itself never enters the settings. */
export type SsoClientSecretSource = { kind: 'env'; variable: string } | { kind: 'file'; path: string };

/**
 * Who may sign in through one provider. A user is allowed when any rule matches; email rules
 * match only an email the provider marked verified, unless `requireVerifiedEmail` is false.
 */
export interface SsoAllowedUsers {
  /** Lower-cased domains such as `example.com`; subdomains do not match. */
  emailDomains: readonly string[];
  /** Lower-cased email addresses. */
  emails: readonly string[];
  /** Group names matched exactly against the `groupsClaim` claim. */
  groups: readonly string[];
  groupsClaim: string;
  requireVerifiedEmail: boolean;
  /** Every account the provider authenticates is allowed (an explicit choice, never a default). */
  anyUser: boolean;
}

/** One OpenID Connect provider under `sso.providers.<id>`. */
export interface SsoProviderSettings {
  /** The key under `sso.providers`: part of URLs (`/auth/login/<id>`) and of user ids (`<id>:<subject>`). */
  id: string;
  /** Shown on the sign-in page. */
  displayName: string;
  /** Issuer URL; its `/.well-known/openid-configuration` is read at startup. */
  issuer: string;
  clientId: string;
  /** Undefined when neither `client_secret_env` nor `client_secret_file` is set (a startup error when SSO is on). */
  clientSecret: SsoClientSecretSource | undefined;
  scopes: readonly string[];
  /** Audiences accepted for bearer tokens issued by this provider; defaults to the client id. */
  audiences: readonly string[];
  allowedUsers: SsoAllowedUsers;
}

/** Single sign-on with OpenID Connect (`sso:` in YAML). */
export interface SsoSettings {
  enabled: boolean;
  /**
   * The fields below are always set by `resolveSettings`; they are optional only so that
   * settings built by hand with SSO off need not spell them out. Read them through
   * `ssoOptionsOf()` (sso/sso-options.ts), which applies the defaults.
   */
  providers?: readonly SsoProviderSettings[];
  /** Where users reach the proxy, e.g. `https://llm.example.com`; undefined derives it from each request. */
  publicUrl?: string | undefined;
  /** Lifetime of personal proxy tokens, in days. */
  tokenLifetimeDays?: number;
  /** Absolute path of the SQLite database holding tokens, sessions and sign-in attempts. */
  databaseFile?: string;
}

/** Dotted setting names (e.g. `auth.api_keys`) as written in YAML, mapped to their source. */
export type SettingSources = Readonly<Record<string, SettingSource>>;

export interface ResolvedSettings {
  values: Readonly<ProxySettings>;
  sources: SettingSources;
  /**
   * Where each setting's value came from, in words, keyed like `sources`: the flag (`--host`),
   * the variable (`LLM_PROXY_PORT`), the file (`port in /srv/llm-proxy.yaml`), `default`, or
   * why an automatic value was chosen. Never contains secret values.
   */
  origins?: Readonly<Record<string, string>>;
  /**
   * The API key generated for this run (auth on, no keys configured, loopback host); it is also
   * in `values.auth.apiKeys`. The serve command prints it once to stdout; it is never logged.
   */
  generatedApiKey?: string;
}
