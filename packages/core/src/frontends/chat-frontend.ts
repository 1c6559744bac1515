/**
 * @fileoverview The contract between a client API (OpenAI Chat, Anthropic Messages, Gemini,
 * OpenAI Responses) and the server's one generic chat route. A front-end only converts between
 * its wire format and the canonical model; routing, streaming, backpressure, aborts and error
 * responses are the route's job, so each front-end is N converters, not N route copies.
 */
import type { ChatEvent, ChatRequest, ChatResponse } from '@llmproxy/connector-sdk';
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
  parse(request: FrontendHttpRequest): ParsedFrontendRequest<RenderOptions>;
  renderResponse(response: ChatResponse, options: RenderOptions): object;
  /**
   * Yields SSE frames as events arrive. An error before the first frame is rethrown (the route
   * answers with an HTTP error); one after it is rendered in-stream in the API's own format.
   */
  renderStream(events: AsyncIterable<ChatEvent>, options: RenderOptions): AsyncIterable<string>;
}
