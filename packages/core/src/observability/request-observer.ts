/**
 * @fileoverview What the server tells its observers (Prometheus metrics, OpenTelemetry traces)
 * about each request: that it started, when its first byte went out, and how it ended. The
 * server calls these at three points it already has (request tracking, the response-header
 * hook, the response's close); the chat route only fills in a {@link ChatExchange}.
 */
import type { Usage } from '@llmproxy/connector-sdk';

/** What the chat route learned about one chat request, filled in as the exchange goes. */
export interface ChatExchange {
  /** The client API: `openai-chat`, `openai-responses`, `anthropic-messages` or `gemini`. */
  readonly frontend: string;
  /** The backend that served it (its name in the registry). */
  backend: string;
  /** The backend's connector id (`openai`, `anthropic`, ...), for `gen_ai.provider.name`. */
  connectorId: string;
  /** The model asked of the backend, after routing (without the `backend:` prefix). */
  model: string;
  /** Whether the client asked for a stream. */
  readonly stream: boolean;
  /** The model that answered, as the upstream named it. */
  responseModel?: string;
  /** The token usage as the upstream reported it; unset when it reported none. */
  usage?: Usage;
  /**
   * The request's cost in US dollars, when a price table knows the model; unset means unknown,
   * never zero. Nothing sets it yet. A usage recorder that prices the usage sets it in its own
   * `ended()`, as an observer placed before the metrics in {@link combineObservers}' list, and
   * the metrics (`llmproxy_cost_usd_total`) and the span (`llmproxy.cost_usd`) then carry it.
   */
  costUsd?: number;
}

/** A request as it ended. Times are `performance.now()` milliseconds. */
export interface ObservedRequest {
  method: string;
  /** The HTTP status sent (or about to be sent) to the client. */
  status: number;
  startedAt: number;
  endedAt: number;
  /** When the response headers went out (for a stream: with its first event); unset if never. */
  firstByteAt: number | undefined;
  /** Set for requests that reached a chat route. */
  chat: ChatExchange | undefined;
  /** `api-key#<n>` or `<provider>:<subject>`: who sent it, when authenticated. Never a credential. */
  caller: string | undefined;
  /** The llmproxy error code the request failed with (before or inside a stream), if any. */
  errorCode: string | undefined;
  /** The client went away before the response ended. */
  clientDisconnected: boolean;
}

/** The per-request side of an observer. */
export interface RequestObservation {
  /** The response headers are going out now (a stream's first event goes with them). */
  firstByte(at: number, chat: ChatExchange | undefined): void;
  /** The response closed; called once. */
  ended(request: ObservedRequest): void;
}

export interface RequestObserver {
  /**
   * A request reached the app. `signal` is the one handed to connectors (upstream calls sent
   * with it can be watched). Undefined means this request needs nothing more from the server.
   */
  requestStarted(request: { method: string; path: string; startedAt: number; signal: AbortSignal }): RequestObservation | undefined;
}

/**
 * One observer that tells each of `observers`, in their order (an observer that adds to the
 * exchange, such as a cost, comes before those that read it); undefined when there are none
 * (the server then skips observing).
 */
export function combineObservers(observers: readonly RequestObserver[]): RequestObserver | undefined {
  if (observers.length === 0) return undefined;
  if (observers.length === 1) return observers[0];
  return {
    requestStarted(request) {
      const observations = observers.flatMap((observer) => observer.requestStarted(request) ?? []);
      if (observations.length === 0) return undefined;
      return {
        firstByte(at, chat) {
          for (const observation of observations) observation.firstByte(at, chat);
        },
        ended(observed) {
          for (const observation of observations) observation.ended(observed);
        },
      };
    },
  };
}

/** Token usage types the metrics and traces name, in a fixed order. */
export const TOKEN_TYPES = ['input', 'output', 'cached', 'reasoning'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** The tokens of one type in a usage; undefined when the upstream did not report that type. */
export function tokensOf(usage: Usage, type: TokenType): number | undefined {
  switch (type) {
    case 'input':
      return usage.inputTokens;
    case 'output':
      return usage.outputTokens;
    case 'cached':
      return usage.cachedInputTokens;
    case 'reasoning':
      return usage.reasoningTokens;
  }
}
