/**
 * @fileoverview Wire-format conversions core lends to connectors through their context.
 *
 * A connector package depends on this SDK only, never on core; yet a connector that talks to a
 * Gemini-shaped upstream (Gemini Code Assist) or an OpenAI-compatible one (Qwen's portal) should
 * convert exactly as core's own connectors do, with the same fixes and the same error texts.
 * Core therefore hands its converters in as {@link WireCodecs}: pure functions over the
 * canonical model and plain JSON, with no HTTP of their own. The same holds for an upstream that
 * speaks the OpenAI Responses API (the ChatGPT backend behind the Codex CLI).
 */
import type { ChatEvent, ChatRequest, ChatResponse } from './canonical.js';
import type { UpstreamError } from './errors.js';
import type { ServerSentEvent, UpstreamResponse } from './upstream-http-client.js';

/** Names the backend and upstream in the errors a codec throws. */
export interface CodecRequestOptions {
  /** The backend name, for error messages. */
  backendName: string;
  /** Names the upstream API in error messages, e.g. `Gemini Code Assist`. */
  upstreamName?: string;
}

export interface CodecResponseOptions extends CodecRequestOptions {
  /** The model asked for; used when the answer names none. */
  requestedModel: string;
}

/** What a Gemini-style error answer (google.rpc status with details) means. */
export interface GeminiErrorReading {
  /** The error for the client: the upstream's status, message, status name and ErrorInfo reason. */
  error: UpstreamError;
  /** Seconds the upstream asked to wait (`RetryInfo.retryDelay`, `ErrorInfo.metadata.quotaResetDelay`, `retry-after`). */
  retryAfterSeconds: number | undefined;
  /** True when the credentials themselves were refused. */
  rejectedCredentials: boolean;
  /** The google.rpc `details` entries (ErrorInfo, RetryInfo, Help, QuotaFailure, ...). */
  details: Array<Record<string, unknown>>;
}

/** Gemini `generateContent` conversions (the body Code Assist wraps in its own envelope). */
export interface GeminiWireCodec {
  /** Canonical request → a Gemini `GenerateContentRequest` body (contents, systemInstruction, tools, generationConfig, ...). */
  toRequest(request: ChatRequest, options: CodecRequestOptions): Record<string, unknown>;
  /** One whole `GenerateContentResponse` → the canonical answer. */
  fromResponse(body: unknown, options: CodecResponseOptions): Promise<ChatResponse>;
  /** `GenerateContentResponse` chunks (already parsed and unwrapped) → canonical events. */
  readStream(chunks: AsyncIterable<unknown>, options: CodecResponseOptions): AsyncIterable<ChatEvent>;
  /** Server-sent events (`?alt=sse`) → parsed JSON chunks; needs no `[DONE]`. */
  parseEvents(events: AsyncIterable<ServerSentEvent>, options: CodecResponseOptions): AsyncIterable<unknown>;
  /** An error answer (status, body text, headers) → its reading. */
  readError(
    status: number,
    text: string,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    backendName: string,
  ): GeminiErrorReading;
  /** Whole seconds of a google.protobuf.Duration such as `7s` or `1.5s`; undefined when it is not one. */
  parseDuration(value: unknown): number | undefined;
}

export interface OpenAIChatBodyOptions {
  backendName: string;
  /** `max_tokens` for most OpenAI-compatible servers; `max_completion_tokens` for OpenAI's own API. */
  maxTokensParameter: 'max_tokens' | 'max_completion_tokens';
}

/** OpenAI Chat Completions conversions. */
export interface OpenAIChatWireCodec {
  /** Canonical request → a `POST /chat/completions` body (with `stream` and usage reporting when streaming). */
  toBody(request: ChatRequest, options: OpenAIChatBodyOptions): Record<string, unknown>;
  /** A `chat.completion` object → the canonical answer. */
  fromResponse(body: unknown, backendName: string): ChatResponse;
  /** The `chat.completion.chunk` events of a stream → canonical events. */
  readStream(events: AsyncIterable<ServerSentEvent>, backendName: string): AsyncIterable<ChatEvent>;
  /** An error response (body not read yet) → the error for the client. */
  readError(response: UpstreamResponse, backendName: string): Promise<UpstreamError>;
}

export interface OpenAIResponsesBodyOptions {
  backendName: string;
  /**
   * Body fields sent when the client did not set them (a Responses client's own `store`,
   * `include`, `prompt_cache_key` ... win). Without it core's defaults apply: `store: false` and
   * `include: ['reasoning.encrypted_content']`.
   */
  defaults?: Readonly<Record<string, unknown>>;
}

/** OpenAI Responses API conversions (`POST /responses`). */
export interface OpenAIResponsesWireCodec {
  /**
   * Canonical request → a Responses request body: leading system messages become
   * `instructions`, turns become input items, reasoning signatures return as
   * `encrypted_content`; `stream: true` when the request streams. Fields it cannot translate
   * (e.g. stop sequences) are refused by name with `REQUEST_NOT_TRANSLATABLE`.
   */
  toBody(request: ChatRequest, options: OpenAIResponsesBodyOptions): Record<string, unknown>;
  /** A `response` object → the canonical answer (a `failed` response is thrown as its error). */
  fromResponse(body: unknown, backendName: string): ChatResponse;
  /**
   * The server-sent events of a streamed response → canonical events. `response.failed` and
   * `error` events are thrown as {@link UpstreamError}; a stream that ends early is
   * `UPSTREAM_STREAM_INTERRUPTED`.
   */
  readStream(events: AsyncIterable<ServerSentEvent>, backendName: string): AsyncIterable<ChatEvent>;
  /** An error response (body not read yet) → the error for the client. */
  readError(response: UpstreamResponse, backendName: string): Promise<UpstreamError>;
}

/** The codecs core provides in {@link ConnectorContext.codecs}. */
export interface WireCodecs {
  gemini: GeminiWireCodec;
  openaiChat: OpenAIChatWireCodec;
  /** Provided by core since the Responses conversion exists; absent in older hosts. */
  openaiResponses?: OpenAIResponsesWireCodec;
}
