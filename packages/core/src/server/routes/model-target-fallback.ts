/**
 * @fileoverview Serving a chat request from the first of its targets that answers. A model
 * route may name several `backend:model` targets; when one fails before any byte reached the
 * client with a failure another backend may not share (the upstream could not be reached, was
 * rate limited, or answered 5xx), the next target serves the request. A target that failed so
 * rests (its `Retry-After`, else `server.fallback_rest_ms`) and is skipped while it rests, unless
 * every target rests.
 *
 * "Before any byte": a connector's chat() resolves once the upstream answered its headers; a
 * stream is also held until its first event, so a stream that breaks before saying anything
 * still falls back. Once an event was taken, a failure reaches the client as the error it is.
 */
import { LlmProxyError, UpstreamError, type ChatEvent, type ChatResult } from '@llmproxy/connector-sdk';
import type { AppLogger } from '../../logging/app-logger.js';
import type { ModelRoute } from '../resolve-model-route.js';

/** The response header naming the backend that answered a chat request. */
export const BACKEND_HEADER = 'x-llmproxy-backend';

/** The longest rest an upstream's `Retry-After` can ask for; a longer one is cut to this. */
export const MAX_TARGET_REST_MS = 10 * 60_000;

/** Failures of the proxy's own upstream layer that say the backend, not the request, is the problem. */
const RETRYABLE_CODES = new Set([
  'UPSTREAM_UNREACHABLE',
  'UPSTREAM_CONNECTION_LOST',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_FIRST_CONTENT_TIMEOUT',
  'BACKEND_KEYS_EXHAUSTED',
]);

/** When each target that failed may be tried first again; one per process, shared by every route. */
export class TargetRests {
  readonly #until = new Map<string, number>();

  constructor(
    readonly defaultRestMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  isResting(target: ModelRoute): boolean {
    const until = this.#until.get(keyOf(target));
    return until !== undefined && until > this.now();
  }

  rest(target: ModelRoute, ms: number): void {
    this.#until.set(keyOf(target), this.now() + ms);
  }

  /** The targets in their order, those that rest left out unless all of them rest. */
  available(targets: readonly ModelRoute[]): readonly ModelRoute[] {
    const awake = targets.filter((target) => !this.isResting(target));
    return awake.length === 0 ? targets : awake;
  }
}

export interface TargetFallback {
  rests: TargetRests;
  /** Where the one line per fallback goes; the app's logger (a route built alone may have none). */
  logger?: AppLogger;
}

/**
 * Runs `attempt` on each available target in turn until one succeeds, and returns its result
 * with the target. A failure that is not retryable, or the last target's, is thrown as it is.
 */
export async function serveFromFirstAnsweringTarget(
  targets: readonly ModelRoute[],
  fallback: TargetFallback,
  requestedModel: string,
  attempt: (target: ModelRoute) => Promise<ChatResult>,
): Promise<{ target: ModelRoute; result: ChatResult }> {
  // A request with one target (no route, or a route of one) is sent as it always was.
  if (targets.length === 1) return { target: targets[0]!, result: await attempt(targets[0]!) };
  const candidates = fallback.rests.available(targets);
  for (let index = 0; ; index++) {
    const target = candidates[index]!;
    const next = candidates[index + 1];
    try {
      // The last candidate needs no look at its first event: nothing could take over.
      const result = next === undefined ? await attempt(target) : await untilFirstEvent(await attempt(target));
      return { target, result };
    } catch (error) {
      if (!isRetryable(error)) throw error;
      const restMs = restFor(error, fallback.rests.defaultRestMs);
      // The last one rests too, so the next request tries the others first.
      fallback.rests.rest(target, restMs);
      if (next === undefined) throw error;
      fallback.logger?.warn('A model route target failed before its first byte; the next target serves the request', {
        model: requestedModel,
        failed: `${target.backend.name}:${target.model}`,
        failure: describeFailure(error),
        restMs,
        next: `${next.backend.name}:${next.model}`,
      });
    }
  }
}

/** True for a failure another backend may not share: unreachable, rate limited, or a 5xx. */
export function isRetryable(error: unknown): boolean {
  if (UpstreamError.is(error)) return error.upstreamStatus === 429 || error.upstreamStatus >= 500;
  return LlmProxyError.is(error) && RETRYABLE_CODES.has(error.code) && (error.httpStatus === 429 || error.httpStatus >= 500);
}

function describeFailure(error: unknown): string {
  if (UpstreamError.is(error)) return `HTTP ${error.upstreamStatus}`;
  return LlmProxyError.is(error) ? error.code : 'unknown';
}

/**
 * The upstream's wait when it named one, capped: OpenAI's `retry-after-ms`, else `Retry-After`
 * (seconds or an HTTP date); else the default.
 */
export function restFor(error: unknown, defaultRestMs: number, now: number = Date.now()): number {
  let seconds: number | undefined;
  if (UpstreamError.is(error)) {
    const milliseconds = Number(error.upstreamHeaders['retry-after-ms']);
    seconds =
      error.upstreamHeaders['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0
        ? milliseconds / 1000
        : parseRetryAfter(error.upstreamHeaders['retry-after'], now);
  }
  if (seconds === undefined && LlmProxyError.is(error)) {
    const given = error.details['retryAfterSeconds'];
    if (typeof given === 'number' && Number.isFinite(given) && given >= 0) seconds = given;
  }
  return seconds === undefined ? defaultRestMs : Math.min(seconds * 1000, MAX_TARGET_REST_MS);
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/**
 * A stream result held until its first event (or its end), so a failure before then is thrown
 * here, while the next target can still take over; the same stream otherwise.
 */
async function untilFirstEvent(result: ChatResult): Promise<ChatResult> {
  if (result.type !== 'stream') return result;
  const iterator = result.events[Symbol.asyncIterator]();
  const first = await iterator.next();
  return { type: 'stream', events: rejoined(first, iterator) };
}

async function* rejoined(first: IteratorResult<ChatEvent>, iterator: AsyncIterator<ChatEvent>): AsyncGenerator<ChatEvent> {
  let finished = first.done === true;
  try {
    if (finished) return;
    yield first.value as ChatEvent;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // A consumer that stopped early (the client went away) lets the upstream stream go too.
    if (!finished) await iterator.return?.();
  }
}

function keyOf(target: ModelRoute): string {
  return `${target.backend.name}:${target.model}`;
}
