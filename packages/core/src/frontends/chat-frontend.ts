/**
 * @fileoverview The contract between a client API (OpenAI Chat, Anthropic Messages, Gemini,
 * OpenAI Responses) and the server's one generic chat route. A front-end only converts between
 * its wire format and the canonical model; routing, streaming, backpressure, aborts and error
 * responses are the route's job, so each front-end is N converters, not N route copies.
 */
import type { ChatEvent, ChatRequest, ChatResponse, Usage, WireProtocol } from '@llmproxy/connector-sdk';
import type { RequestFieldTable } from '../canonical/translation-fidelity.js';

/** What a front-end sees of an HTTP request. */
export interface FrontendHttpRequest {
  body: unknown;
  /** Route parameters, e.g. `{ model: 'gemini-2.5-pro' }` for a Gemini path. */
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, unknown>>;
}

export interface ParsedFrontendRequest<RenderOptions> {
  /** The raw model the client named (`backend:model`, `model`, or '' when absent). */
  model: string;
  /** The canonical request; its `model` is replaced by the router. */
  request: ChatRequest;
  /** What the renderers need to know about the client's request (e.g. whether it wants usage). */
  renderOptions: RenderOptions;
  /**
   * Paths of fields kept only for an upstream of the front-end's own API outside the protocol
   * extras (cache breakpoints, tool-loading hints, hosted tools): dropped, and named, for any other.
   */
  vendorOnlyFields?: readonly string[];
}

export interface ChatFrontend<RenderOptions = unknown> {
  /** The client API, as metrics and traces label it: `openai-chat`, `openai-responses`, `anthropic-messages`, `gemini`. */
  readonly name: string;
  /** The declared request fields: content, or hints dropped on the way to another API (docs/translation.md). */
  readonly requestFields: RequestFieldTable;
  /** Parses and validates a request; throws LlmProxyError (400) naming the bad field. */
  parse(request: FrontendHttpRequest): ParsedFrontendRequest<RenderOptions> | Promise<ParsedFrontendRequest<RenderOptions>>;
  renderResponse(response: ChatResponse, options: RenderOptions): object;
  /**
   * Yields SSE frames as events arrive. An error before the first frame is rethrown (the route
   * answers with an HTTP error); one after it is rendered in-stream in the API's own format.
   */
  renderStream(events: AsyncIterable<ChatEvent>, options: RenderOptions): AsyncIterable<string>;
  /** Present when requests of this API can be relayed unchanged to an upstream of the same API. */
  relay?: FrontendRelay;
}

/** What the relay needs of a same-API request, read without converting the body. */
export interface RelayableRequest {
  /** The raw model the client named, as {@link ParsedFrontendRequest.model}. */
  model: string;
  stream: boolean;
}

/**
 * How a front-end's requests are relayed to an upstream of the same API (see
 * server/routes/relay-same-api.ts): the request goes out as the client sent it, the answer
 * comes back as the upstream sent it.
 */
export interface FrontendRelay {
  protocol: WireProtocol;
  /** Whether the model is a body field (rewritten to the routed model) rather than in the URL. */
  modelInBody: boolean;
  /**
   * Client request headers forwarded upstream, lower-cased: the protocol's own headers that
   * change what the upstream does. Never credentials, hop-by-hop headers or Host.
   */
  forwardedHeaders: readonly string[];
  /**
   * The model and stream flag, or undefined when this request must take the canonical path
   * (a body the front-end's parser should answer with its own error, or a feature the proxy
   * itself serves). Cheap: the body is already JSON-parsed, nothing is converted.
   */
  read(request: FrontendHttpRequest): RelayableRequest | undefined | Promise<RelayableRequest | undefined>;
  /** The JSON key of the token usage in answers and stream events (`usage`, `usageMetadata`). */
  usageKey: string;
  /** The canonical usage of the protocol's usage object (merged over the whole answer). */
  usageOf(wireUsage: Record<string, unknown>): Usage;
  /** The stream frame that reports an error the proxy raised after the stream started. */
  streamErrorFrame(error: unknown): string;
  /**
   * Text that only a complete stream's last events hold (`data: [DONE]`, `"message_stop"`): a
   * stream that ends without any of them was cut off upstream, and the client is told so with
   * {@link streamErrorFrame}, as the canonical path's stream readers do.
   */
  streamEndMarkers: readonly string[];
  /**
   * For an API whose streams carry token usage only when asked: the top-level field that asks,
   * added when the client's stream request did not ask itself, and how to recognise the
   * usage-only event that then arrives, which the client did not ask for and does not get.
   */
  streamUsageRequest?: {
    wanted(body: unknown): boolean;
    field: string;
    isUsageOnlyEvent(event: string): boolean;
  };
  /**
   * Reads a whole answer into the canonical model, for the one case the relay converts: an
   * upstream that ignored the client's stream flag and answered in one piece, which the route
   * then replays as the stream the client asked for.
   */
  readWholeAnswer(body: unknown, backendName: string, model: string): ChatResponse | Promise<ChatResponse>;
}
