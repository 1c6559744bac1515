/**
 * @fileoverview Per-request state shared by the server's middleware and routes: when the
 * request started, the abort signal handed to connectors, the backend that served it and the
 * upstream timing used for the overhead header.
 */
import type { Usage } from '@llmproxy/connector-sdk';
import type { Response } from 'express';
import type { ChatExchange, RequestObservation } from '../observability/request-observer.js';
import type { UpstreamTiming } from '../upstream/upstream-timing.js';
import type { RouteFamily } from './route-family.js';


export interface RequestContext {
  /** The request's `x-request-id` (request-id.ts), on its response and every log entry of it. */
  readonly requestId: string;
  /** `performance.now()` when the request reached the app. */
  readonly startedAt: number;
  /** The client API family of the path, which decides the error format. */
  readonly family: RouteFamily;
  /** Aborted when the client disconnects or shutdown gives up waiting; passed to connectors. */
  readonly abortController: AbortController;
  /** The backend that served the request, for the request log. */
  backend: string | undefined;
  /**
   * The waits of upstream requests sent with `abortController.signal`, for the overhead header.
   * Set when the context is created; a route may replace it with its own.
   */
  upstreamTiming: UpstreamTiming | undefined;
  /** True when the client presented a valid key, or authentication is disabled. */
  authenticated: boolean;
  /**
   * Who the request is attributed to, for logs and later per-user usage: `<provider>:<subject>`
   * for an SSO user, `api-key#<n>` for the n-th configured static key. Never a credential.
   */
  userId: string | undefined;
  /** The observers' side of this request (metrics, traces); undefined when nothing observes. */
  observation?: RequestObservation | undefined;
  /** What the chat route learned about the exchange, for the observers; set only when observed. */
  chat?: ChatExchange | undefined;
  /** `performance.now()` when the response headers went out; set only when observed. */
  firstByteAt?: number | undefined;
  /** The llmproxy error code the request failed with, before or inside a stream. */
  errorCode?: string | undefined;
  /**
   * Set when the proxy itself answered with a 4xx (not an upstream's error): its code and the
   * names of the offending fields, for the refusal log line. Never a value.
   */
  refusal?: { code: string; fields: readonly string[] };
  /** The token usage the upstream reported for a chat request, when it reported any. */
  usage?: Usage | undefined;
  /** The SSO user's group claims, for caller settings by group (`caller_groups`). */
  callerGroups: readonly string[];
  /** Run once when the response closes, after the request's log line: a route's bookkeeping. */
  readonly whenClosed: (() => void)[];
}

/**
 * The context lives on its response, not in a WeakMap keyed by the response: V8's young-generation
 * GC keeps a WeakMap's values alive whatever their keys, and a context reaches its response (its
 * abort signal's listeners, its close steps), so under load every finished request survived the
 * young-generation collections and was moved to the old generation as garbage, which grew the
 * heap by tens of megabytes before a full collection came.
 */
const CONTEXT = Symbol('llmproxy.requestContext');

interface ResponseWithContext {
  [CONTEXT]?: RequestContext;
}

export function attachRequestContext(response: Response, context: RequestContext): void {
  (response as ResponseWithContext)[CONTEXT] = context;
}

/** The context of a request, or undefined when it has none (yet). */
export function findRequestContext(response: Response): RequestContext | undefined {
  return (response as ResponseWithContext)[CONTEXT];
}

/** The context of a request that went through the request-context middleware. */
export function requestContextOf(response: Response): RequestContext {
  const context = (response as ResponseWithContext)[CONTEXT];
  if (context === undefined) throw new Error('Request context missing: the request-context middleware must run first');
  return context;
}
