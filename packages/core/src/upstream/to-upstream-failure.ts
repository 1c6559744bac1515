/**
 * @fileoverview Translates transport failures of upstream requests into llmproxy errors that
 * name the host and the setting to change. Request headers (credentials) never reach the
 * errors or the log: only a failure's name, message and code are kept.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { AppLogger } from '../logging/app-logger.js';
import { requestIdOfSignal } from './request-signals.js';

/** What the translation needs to know about one upstream request. */
export interface UpstreamRequestState {
  url: string;
  timeoutMs: number;
  signal: AbortSignal;
  logger: AppLogger;
  /** Set when the request was cut because the upstream was silent for `timeoutMs`. */
  timedOut: boolean;
  /** `performance.now()` when the request was sent. */
  startedAt: number;
}

/** The limits named in {@link upstreamLimitError}'s errors. */
export interface UpstreamLimits {
  bodyLimitBytes: number;
  eventLimitBytes: number;
  firstContentTimeoutMs: number;
  streamIdleTimeoutMs: number;
}

/**
 * The error for an upstream that broke one of the response limits: a body or event too large
 * (502) or a stream that did not deliver an event in time (504). Each names its setting.
 */
export function upstreamLimitError(
  kind: 'body-size' | 'event-size' | 'first-content' | 'idle',
  state: UpstreamRequestState,
  limits: UpstreamLimits,
): LlmProxyError {
  const host = hostOf(state.url);
  state.logger.warn('Upstream response broke a limit', { requestId: requestIdOfSignal(state.signal), host, limit: kind });
  switch (kind) {
    case 'body-size':
      return new LlmProxyError({
        code: 'UPSTREAM_BODY_TOO_LARGE',
        message: `The upstream ${host} sent a response body larger than server.upstream_body_limit (${limits.bodyLimitBytes} bytes, counted after decompression); the connection was closed`,
        currentValue: `server.upstream_body_limit = ${limits.bodyLimitBytes}`,
        fix: 'Raise server.upstream_body_limit (LLM_PROXY_UPSTREAM_BODY_LIMIT) if the backend legitimately sends answers this large, or check the backend',
        httpStatus: 502,
        details: { host, limitBytes: limits.bodyLimitBytes },
      });
    case 'event-size':
      return new LlmProxyError({
        code: 'UPSTREAM_EVENT_TOO_LARGE',
        message: `The upstream ${host} sent a stream event larger than server.upstream_event_limit (${limits.eventLimitBytes} bytes, counted after decompression); the connection was closed`,
        currentValue: `server.upstream_event_limit = ${limits.eventLimitBytes}`,
        fix: 'Raise server.upstream_event_limit (LLM_PROXY_UPSTREAM_EVENT_LIMIT) if the backend legitimately sends events this large, or check the backend',
        httpStatus: 502,
        details: { host, limitBytes: limits.eventLimitBytes },
      });
    case 'first-content':
      return new LlmProxyError({
        code: 'UPSTREAM_FIRST_CONTENT_TIMEOUT',
        message: `The upstream ${host} sent no stream event within ${limits.firstContentTimeoutMs} ms of the request (keep-alive comments and unfinished events do not count); the request was cancelled`,
        currentValue: `server.stream_first_content_timeout_ms = ${limits.firstContentTimeoutMs}`,
        fix: 'Raise server.stream_first_content_timeout_ms (LLM_PROXY_STREAM_FIRST_CONTENT_TIMEOUT_MS) if the model thinks longer before answering, or check the backend',
        httpStatus: 504,
        details: { host },
      });
    case 'idle':
      return new LlmProxyError({
        code: 'UPSTREAM_STREAM_IDLE_TIMEOUT',
        message: `The upstream ${host} sent no complete stream event for ${limits.streamIdleTimeoutMs} ms in the middle of its stream (keep-alive comments and unfinished events do not count); the request was cancelled`,
        currentValue: `server.stream_idle_timeout_ms = ${limits.streamIdleTimeoutMs}`,
        fix: 'Raise server.stream_idle_timeout_ms (LLM_PROXY_STREAM_IDLE_TIMEOUT_MS) if the model pauses longer between events, or check the backend',
        httpStatus: 504,
        details: { host },
      });
  }
}

/**
 * An abort by the caller rethrows the signal's reason, as fetch does, so the caller recognises
 * its own abort. `phase` says whether the response headers had arrived.
 */
export function toUpstreamFailure(error: unknown, state: UpstreamRequestState, phase: 'request' | 'body'): unknown {
  if (state.signal.aborted) return abortReason(state.signal);
  if (LlmProxyError.is(error)) return error;
  const host = hostOf(state.url);
  if (state.timedOut) {
    state.logger.warn('Upstream request timed out', { requestId: requestIdOfSignal(state.signal), host, timeoutMs: state.timeoutMs, phase });
    return new LlmProxyError({
      code: 'UPSTREAM_TIMEOUT',
      message:
        phase === 'request'
          ? `The upstream ${host} did not answer within ${state.timeoutMs} ms`
          : `The upstream ${host} sent nothing for ${state.timeoutMs} ms in the middle of its response`,
      currentValue: `server.upstream_timeout_ms = ${state.timeoutMs}`,
      fix: 'Raise server.upstream_timeout_ms in the config file if the backend is slow, or check that it is up',
      httpStatus: 504,
      details: { host },
      cause: safeCause(error),
    });
  }
  const code = errorCode(error);
  state.logger.warn('Upstream request failed', { requestId: requestIdOfSignal(state.signal), host, code, phase });
  if (phase === 'body') {
    return new LlmProxyError({
      code: 'UPSTREAM_CONNECTION_LOST',
      message: `The connection to the upstream ${host} broke while its response was being read`,
      currentValue: code,
      fix: 'Retry the request; if it keeps happening, check the backend and the network',
      httpStatus: 502,
      details: { host },
      cause: safeCause(error),
    });
  }
  return new LlmProxyError({
    code: 'UPSTREAM_UNREACHABLE',
    message: `Could not reach the upstream ${host}`,
    currentValue: code,
    fix: 'Check the backend base_url and that the upstream server is running and reachable',
    httpStatus: 502,
    details: { host },
    cause: safeCause(error),
  });
}

/** The reason of an aborted signal, or an `AbortError` like fetch's when it has none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The upstream request was aborted.', 'AbortError');
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A copy of a failure with only its name, message and code, for `cause`. */
function safeCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const cause = new Error(error.message);
  cause.name = error.name;
  const code = errorCode(error);
  if (code !== undefined) (cause as Error & { code?: string }).code = code;
  return cause;
}
