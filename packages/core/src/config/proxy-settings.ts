/**
 * @fileoverview The resolved settings of one proxy process: every value after applying
 * CLI > env > YAML > default, with the source of each remembered. Produced once at startup,
 * frozen, and read by everything else.
 */

export type AccessMode = 'single_user' | 'multi_user';

/** Where a setting's effective value came from. `auto` is a value derived from other settings. */
export type SettingSource = 'cli' | 'env' | 'yaml' | 'default' | 'auto';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** A backend declared in YAML under `backends.<name>`. `type` names the connector; it defaults to the name. */
export type BackendConfig = Record<string, unknown> & { type?: string };

export interface ProxySettings {
  host: string;
  port: number;
  /** The YAML file that was loaded, if any. */
  configFile: string | undefined;
  /** `backend:model` used when a request's model names no backend. */
  defaultBackend: string | undefined;
  logLevel: LogLevel;
  logFile: string;
  accessMode: AccessMode;
  auth: {
    disabled: boolean;
    apiKeys: readonly string[];
  };
  sso: {
    enabled: boolean;
  };
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
    /** How long shutdown waits for in-flight requests, in milliseconds. */
    drainTimeoutMs: number;
    /** Browser origins allowed to call the proxy in Single User Mode. */
    allowedOrigins: readonly string[];
  };
  /** Connector packages named in config (`plugins:` in YAML). */
  plugins: readonly string[];
  backends: Readonly<Record<string, BackendConfig>>;
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
