/**
 * @fileoverview The proxy's Prometheus metrics, on prom-client (the one module that imports it):
 * chat requests, latency and time to first byte, tokens, cost, upstream errors, open streams,
 * the state of each backend's API keys, and Node's process metrics. A {@link RequestObserver}:
 * the server tells it about each request, and `/metrics` renders the registry.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CredentialCounts } from '@llmproxy/connector-sdk';
import { BoundedLabel } from './bounded-label.js';
import { TOKEN_TYPES, tokensOf, type ChatExchange, type ObservedRequest, type RequestObservation, type RequestObserver } from './request-observer.js';

/**
 * Seconds. LLM answers take from a fraction of a second (a short non-streamed answer) to many
 * minutes (long reasoning): the buckets reach 10 minutes.
 */
export const DURATION_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];
/** Seconds to the first byte: a cached prompt answers in tens of milliseconds, a thinking model in a minute. */
export const TTFB_BUCKETS_SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
/** Distinct model names kept as label values; later new names count as `(other)`. */
export const MODEL_LABEL_LIMIT = 200;
/** Distinct callers kept as label values (with the caller label on); later ones count as `(other)`. */
export const CALLER_LABEL_LIMIT = 1000;

/** The error codes counted as upstream errors: the upstream failed, not the client's request. */
export function isUpstreamErrorCode(code: string): boolean {
  return code.startsWith('UPSTREAM_') || code === 'BACKEND_KEYS_EXHAUSTED';
}

export interface PrometheusMetricsOptions {
  /** `metrics.caller_label`: add a `caller` label to requests and tokens (one series per caller). */
  callerLabel: boolean;
  /** Each backend's credential counts, read at scrape time (backends without a key pool are left out). */
  credentialCounts: () => ReadonlyArray<{ backend: string; counts: CredentialCounts }>;
  /** Adds Node's process metrics (CPU, memory, event loop lag, handles); on by default. */
  processMetrics?: boolean;
}

export class PrometheusMetrics implements RequestObserver {
  readonly registry = new Registry();
  readonly #callerLabel: boolean;
  readonly #models = new BoundedLabel(MODEL_LABEL_LIMIT);
  readonly #callers = new BoundedLabel(CALLER_LABEL_LIMIT);
  readonly #requests: Counter;
  readonly #duration: Histogram;
  readonly #timeToFirstByte: Histogram;
  readonly #tokens: Counter;
  readonly #cost: Counter;
  readonly #upstreamErrors: Counter;
  readonly #openStreams: Gauge;

  constructor(options: PrometheusMetricsOptions) {
    this.#callerLabel = options.callerLabel;
    const registers = [this.registry];
    const caller = options.callerLabel ? ['caller'] : [];
    this.#requests = new Counter({
      name: 'llmproxy_requests_total',
      help: 'Chat requests by client API (frontend), backend, model and HTTP status',
      labelNames: ['frontend', 'backend', 'model', 'status', ...caller],
      registers,
    });
    this.#duration = new Histogram({
      name: 'llmproxy_request_duration_seconds',
      help: 'Chat request duration, from arrival to the end of the response (a stream: its last event)',
      labelNames: ['frontend', 'backend', 'model', 'stream'],
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.#timeToFirstByte = new Histogram({
      name: 'llmproxy_time_to_first_byte_seconds',
      help: 'Chat request time to first byte: to the response headers, which a stream sends with its first event',
      labelNames: ['frontend', 'backend', 'model', 'stream'],
      buckets: TTFB_BUCKETS_SECONDS,
      registers,
    });
    this.#tokens = new Counter({
      name: 'llmproxy_tokens_total',
      help: 'Tokens as the upstream reported them, by type: input (cached included), output (reasoning included), cached input, reasoning',
      labelNames: ['backend', 'model', 'type', ...caller],
      registers,
    });
    this.#cost = new Counter({
      name: 'llmproxy_cost_usd_total',
      help: 'Cost in US dollars of the requests whose model has a known price',
      labelNames: ['backend', 'model', ...caller],
      registers,
    });
    this.#upstreamErrors = new Counter({
      name: 'llmproxy_upstream_errors_total',
      help: 'Chat requests that failed because of the upstream, by backend and kind (the llmproxy error code)',
      labelNames: ['backend', 'kind'],
      registers,
    });
    this.#openStreams = new Gauge({
      name: 'llmproxy_open_streams',
      help: 'Streamed chat responses in progress, by backend',
      labelNames: ['backend'],
      registers,
    });
    new Gauge({
      name: 'llmproxy_upstream_api_keys',
      help: 'Upstream API keys by backend and state: active, resting (rate limited, 429) or retired (rejected, 401)',
      labelNames: ['backend', 'state'],
      registers,
      collect() {
        this.reset();
        for (const { backend, counts } of options.credentialCounts()) {
          this.set({ backend, state: 'active' }, counts.active);
          this.set({ backend, state: 'resting' }, counts.resting);
          this.set({ backend, state: 'retired' }, counts.retired);
        }
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The Content-Type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  requestStarted(): RequestObservation {
    let streamOpenOn: string | undefined;
    return {
      firstByte: (_at, chat) => {
        if (chat === undefined || !chat.stream) return;
        streamOpenOn = chat.backend;
        this.#openStreams.inc({ backend: streamOpenOn });
      },
      ended: (request) => {
        if (streamOpenOn !== undefined) this.#openStreams.dec({ backend: streamOpenOn });
        if (request.chat !== undefined) this.#recordChat(request, request.chat);
      },
    };
  }

  #recordChat(request: ObservedRequest, chat: ChatExchange): void {
    const { frontend, backend } = chat;
    const model = this.#models.valueOf(chat.model);
    const caller: Record<string, string> = this.#callerLabel ? { caller: this.#callers.valueOf(request.caller ?? '(none)') } : {};
    this.#requests.inc({ frontend, backend, model, status: String(request.status), ...caller });
    const timing = { frontend, backend, model, stream: String(chat.stream) };
    this.#duration.observe(timing, (request.endedAt - request.startedAt) / 1000);
    if (request.firstByteAt !== undefined) this.#timeToFirstByte.observe(timing, (request.firstByteAt - request.startedAt) / 1000);
    if (chat.usage !== undefined) {
      for (const type of TOKEN_TYPES) {
        const tokens = tokensOf(chat.usage, type);
        if (tokens !== undefined && tokens > 0) this.#tokens.inc({ backend, model, type, ...caller }, tokens);
      }
    }
    if (chat.costUsd !== undefined && chat.costUsd > 0) this.#cost.inc({ backend, model, ...caller }, chat.costUsd);
    if (request.errorCode !== undefined && isUpstreamErrorCode(request.errorCode)) {
      this.#upstreamErrors.inc({ backend, kind: request.errorCode });
    }
  }
}
