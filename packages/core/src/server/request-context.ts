/**
 * @fileoverview Per-request state shared by the server's middleware and routes: when the
 * request started, the abort signal handed to connectors, the backend that served it and the
 * upstream timing used for the overhead header.
 */
import type { Response } from 'express';
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
  /** The SSO user's group claims, for caller settings by group (`caller_groups`). */
  callerGroups: readonly string[];
  /** The code of the error the request was answered with, for its usage record. */
  errorCode: string | undefined;
  /** Run once when the response closes, after the request's log line: a route's bookkeeping. */
  readonly whenClosed: (() => void)[];
}

const contexts = new WeakMap<Response, RequestContext>();

export function attachRequestContext(response: Response, context: RequestContext): void {
  contexts.set(response, context);
}

/** The context of a request, or undefined when it has none (yet). */
export function findRequestContext(response: Response): RequestContext | undefined {
  return contexts.get(response);
}

/** The context of a request that went through the request-context middleware. */
export function requestContextOf(response: Response): RequestContext {
  const context = contexts.get(response);
  if (context === undefined) throw new Error('Request context missing: the request-context middleware must run first');
  return context;
}
