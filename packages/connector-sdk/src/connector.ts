/**
 * @fileoverview The connector contract. A connector package's manifest names an entry (an
 * `exports` subpath) whose default export is a {@link ConnectorDefinition} made with
 * {@link defineConnector}. Core checks the definition against the manifest, then creates one
 * connector instance per configured backend.
 */
import type { ChatRequest, ChatResult, ModelInfo, WireProtocol } from './canonical.js';
import type { UpstreamHttpClient, UpstreamResponse } from './upstream-http-client.js';
import type { WireCodecs } from './wire-codecs.js';

/** Version literal carried by every definition so core can refuse an incompatible contract. */
export const CONNECTOR_SPECIFICATION_VERSION = 'llmproxy.connector.v1';

const DEFINITION_BRAND = Symbol.for('llmproxy.connector-definition');

/** A child logger scoped to one backend. Never pass secrets in `meta`; core redacts known shapes anyway. */
export interface ConnectorLogger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

export interface DesktopNotification {
  title: string;
  message: string;
  /** Notifications with the same key within a short window are sent once. */
  dedupeKey?: string;
}

/** Sends operator-relevant desktop notifications. Never blocks or fails the caller. */
export interface Notifier {
  notify(notification: DesktopNotification): void;
}

/** What core hands a connector: nothing more, so a connector never sees the app or its peers. */
export interface ConnectorContext {
  /** The backend name this instance serves (the connector id, or a YAML backend name). */
  backendName: string;
  logger: ConnectorLogger;
  http: UpstreamHttpClient;
  notifier: Notifier;
  /** This backend's own YAML slice (`backends.<name>`), without `type`. */
  config: Record<string, unknown>;
  /** The process environment, for documented variables such as OPENAI_API_KEY. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The operator's data directory (absolute; `data_dir`): where a connector keeps the files it
   * writes (an account pool) unless its own settings place them. Undefined from a host that
   * does not give one: use `var` in the working directory, where such files always lived.
   */
  dataDirectory?: string;
  /**
   * Core's wire-format converters (Gemini, OpenAI Chat), for connectors whose upstream speaks one
   * of those formats. Core always provides them; a host that does not leaves this undefined.
   */
  codecs?: WireCodecs;
  /**
   * How long an API key the upstream rejected stays out before it is tried again: the first
   * wait, doubling with each rejection in a row up to the cap (the operator's
   * `server.upstream_key_retry_ms` / `_max_ms`). Undefined: the connector's own defaults.
   */
  apiKeyRetry?: { initialMs: number; maxMs: number };
}

export interface ChatOptions {
  /** Aborted when the client disconnects or the server shuts down. */
  signal: AbortSignal;
  /**
   * The id of the client request this call serves (its `x-request-id`), for the connector's log
   * lines about it (`requestId` in their meta). Core always sets it; a host that does not leaves
   * it undefined.
   */
  requestId?: string;
}

/** The credentials of a backend by state (an API-key pool's keys, for example). */
export interface CredentialCounts {
  /** Usable now. */
  active: number;
  /** Resting after the upstream rate-limited them (429), until their Retry-After passed. */
  resting: number;
  /** Rejected by the upstream (revoked or invalid), out until their back-off passed. */
  retired: number;
}

/**
 * A request relayed as the client sent it, for an upstream that speaks the client's protocol.
 * Core has already rewritten the model (in the body, or for Gemini left it to the URL) and
 * picked the client headers worth forwarding; the connector adds only what it owns (the URL,
 * its credentials, its own fixed headers).
 */
export interface RelayRequest {
  /** The client's protocol, which the connector said its upstream speaks for this model. */
  protocol: WireProtocol;
  /** The routed model, without the `backend:` prefix (Gemini: the model of the URL path). */
  model: string;
  /** The client's JSON body, byte for byte, with the routed model in it where the protocol has one. */
  body: Uint8Array;
  /** Whether the client asked for a stream (Gemini: `streamGenerateContent?alt=sse`). */
  stream: boolean;
  /**
   * Client headers of the protocol that the upstream should see, lower-cased (e.g.
   * `anthropic-beta`, `anthropic-version`). Never credentials, hop-by-hop headers or Host.
   */
  headers: Readonly<Record<string, string>>;
}

/** A base URL a connector sends requests to, and the setting that chose it. */
export interface UpstreamBaseUrl {
  /** The URL as configured, e.g. `http://127.0.0.1:8000/v1`. */
  url: string;
  /** Where it came from, as the user would change it: `ANTHROPIC_BASE_URL`, `backends.x.base_url`, or `default`. */
  setting: string;
}

export interface Connector {
  /** Lists the backend's models (names without the `backend:` prefix). */
  listModels(options: ChatOptions): Promise<ModelInfo[]>;
  /**
   * Answers a chat request. When `request.stream` is true return a stream; otherwise either
   * shape is accepted (core collects a stream into a response).
   */
  chat(request: ChatRequest, options: ChatOptions): Promise<ChatResult>;
  /**
   * Counts the input tokens of a request with the upstream's own tokenizer, for connectors
   * whose upstream can. Core estimates for the others.
   */
  countTokens?(request: ChatRequest, options: ChatOptions): Promise<number>;
  /**
   * The protocol the upstream speaks for `model` when the connector can relay requests in it
   * unchanged, else undefined. Core relays a request (through {@link relay}) only when this
   * equals the client's protocol; every other request goes through {@link chat}.
   */
  relayProtocol?(model: string): WireProtocol | undefined;
  /**
   * Sends a same-protocol request upstream as the client sent it and resolves with the
   * upstream's answer once its headers arrived, whatever its status (core relays error
   * bodies to the client too). Key rotation and retries before the first byte are the
   * connector's, as for {@link chat}. Added in SDK 1.3; connectors without it are never relayed.
   */
  relay?(request: RelayRequest, options: ChatOptions): Promise<UpstreamResponse>;
  /**
   * One line per credential for the operator's health details, by number and never by value,
   * e.g. `key #1: active`, `key #2: resting until <time>`, `key #3: retired, next try at <time>`.
   */
  describeCredentials?(): string[];
  /** How many credentials are in each state right now, for the operator's metrics; never a value. */
  credentialCounts?(): CredentialCounts;
  /** Releases timers, watchers and sockets at shutdown. */
  close?(): Promise<void>;
  /**
   * The base URLs the connector sends requests to, with the setting that chose each, so core can
   * refuse at startup a backend that points at the proxy itself (a client's `*_BASE_URL` exported
   * in the proxy's shell). Optional: without it only the run-time loop check applies.
   */
  upstreamBaseUrls?(): readonly UpstreamBaseUrl[];
}

export interface ConnectorDefinitionOptions {
  /** Must equal the manifest's connector id. */
  id: string;
  /** Must equal the manifest's `hasStaticCredentials`. */
  hasStaticCredentials: boolean;
  /**
   * Whether core creates a backend named after the connector id without any YAML. False for
   * connectors that only make sense once configured (e.g. a generic OpenAI-compatible server).
   */
  createsDefaultBackend?: boolean;
  /**
   * For connectors with `hasStaticCredentials: false`: one sentence naming the vendor terms that
   * restrict this use of the vendor's credentials and the risk to the account. Core shows it,
   * with how to opt in, to a client whose request reaches the connector before the user opted in.
   */
  optInNotice?: string;
  create(context: ConnectorContext): Connector | Promise<Connector>;
}

export interface ConnectorDefinition extends Readonly<Required<Omit<ConnectorDefinitionOptions, 'optInNotice'>>> {
  readonly specificationVersion: typeof CONNECTOR_SPECIFICATION_VERSION;
  /** See {@link ConnectorDefinitionOptions.optInNotice}; absent in definitions made by older SDKs. */
  readonly optInNotice?: string;
}

/** Declares a connector. The result is the default export of the connector's entry module. */
export function defineConnector(options: ConnectorDefinitionOptions): ConnectorDefinition {
  return Object.freeze({
    [DEFINITION_BRAND]: true,
    specificationVersion: CONNECTOR_SPECIFICATION_VERSION,
    createsDefaultBackend: options.createsDefaultBackend ?? true,
    id: options.id,
    hasStaticCredentials: options.hasStaticCredentials,
    ...(options.optInNotice === undefined ? {} : { optInNotice: options.optInNotice }),
    create: options.create,
  });
}

/** True for a value made by {@link defineConnector}, whichever copy of the SDK made it. */
export function isConnectorDefinition(value: unknown): value is ConnectorDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION_BRAND] === true;
}
