/**
 * The fallback between a model route's targets, with fake targets: which failures fall back,
 * how long a failed target rests (Retry-After, capped, or the default), the order while some
 * rest, and that a stream is only held until its first event. The CLI-level proof is
 * test/e2e/model-routes.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError, type ChatEvent, type ChatResult } from '@llmproxy/connector-sdk';
import type { ModelRoute } from '../../src/server/resolve-model-route.js';
import { isRetryable, MAX_TARGET_REST_MS, restFor, serveFromFirstAnsweringTarget, TargetRests } from '../../src/server/routes/model-target-fallback.js';
import { modelRouteMatcher } from '../../src/server/model-route-matcher.js';

function target(name: string, model = 'm'): ModelRoute {
  return { backend: { name } as ModelRoute['backend'], model };
}

const upstream = (status: number, headers: Record<string, string> = {}): UpstreamError =>
  new UpstreamError({ backend: 'x', status, error: { message: `HTTP ${status}` }, headers });

const answer: ChatResult = { type: 'response', response: {} as never };

describe('isRetryable', () => {
  it('falls back on 429, 5xx and unreachable upstreams, not on the request or credentials', () => {
    expect(isRetryable(upstream(429))).toBe(true);
    expect(isRetryable(upstream(503))).toBe(true);
    expect(isRetryable(new LlmProxyError({ code: 'UPSTREAM_UNREACHABLE', message: 'x', httpStatus: 502 }))).toBe(true);
    expect(isRetryable(new LlmProxyError({ code: 'BACKEND_KEYS_EXHAUSTED', message: 'x', httpStatus: 429 }))).toBe(true);
    expect(isRetryable(upstream(400))).toBe(false);
    expect(isRetryable(upstream(401))).toBe(false);
    // Every key rejected (401) is a credentials problem, not a rate limit.
    expect(isRetryable(new LlmProxyError({ code: 'BACKEND_KEYS_EXHAUSTED', message: 'x', httpStatus: 401 }))).toBe(false);
    expect(isRetryable(new LlmProxyError({ code: 'REQUEST_NOT_TRANSLATABLE', message: 'x', httpStatus: 400 }))).toBe(false);
    expect(isRetryable(new DOMException('aborted', 'AbortError'))).toBe(false);
  });
});

describe('restFor', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it("uses the upstream's Retry-After in seconds or as a date, capped, else the default", () => {
    expect(restFor(upstream(429, { 'retry-after': '7' }), 30_000, now)).toBe(7_000);
    expect(restFor(upstream(429, { 'retry-after-ms': '1500', 'retry-after': '2' }), 30_000, now)).toBe(1_500);
    expect(restFor(upstream(503, { 'retry-after': 'Thu, 01 Jan 2026 00:00:20 GMT' }), 30_000, now)).toBe(20_000);
    expect(restFor(upstream(429, { 'retry-after': '86400' }), 30_000, now)).toBe(MAX_TARGET_REST_MS);
    expect(restFor(new LlmProxyError({ code: 'BACKEND_KEYS_EXHAUSTED', message: 'x', httpStatus: 429, details: { retryAfterSeconds: 3 } }), 30_000, now)).toBe(3_000);
    expect(restFor(upstream(500), 30_000, now)).toBe(30_000);
    expect(restFor(upstream(429, { 'retry-after': 'soon' }), 1_234, now)).toBe(1_234);
  });
});

describe('serveFromFirstAnsweringTarget', () => {
  it('tries the resting targets only when every target rests, in their order', async () => {
    let clock = 0;
    const rests = new TargetRests(1_000, () => clock);
    const [a, b] = [target('a'), target('b')];
    const tried: string[] = [];
    const failing = (names: string[]) => async (candidate: ModelRoute) => {
      tried.push(candidate.backend.name);
      if (names.includes(candidate.backend.name)) throw upstream(503);
      return answer;
    };

    expect((await serveFromFirstAnsweringTarget([a, b], { rests }, 'm', failing(['a']))).target).toBe(b);
    expect((await serveFromFirstAnsweringTarget([a, b], { rests }, 'm', failing([]))).target).toBe(b);
    expect(tried).toEqual(['a', 'b', 'b']);

    // b fails too: both rest now, so the next request tries both again, a first.
    await expect(serveFromFirstAnsweringTarget([a, b], { rests }, 'm', failing(['b']))).rejects.toMatchObject({ upstreamStatus: 503 });
    tried.length = 0;
    expect((await serveFromFirstAnsweringTarget([a, b], { rests }, 'm', failing([]))).target).toBe(a);
    expect(tried).toEqual(['a']);

    clock = 1_001;
    expect(rests.isResting(a)).toBe(false);
  });

  it('throws a failure that is not retryable without trying the next target', async () => {
    const rests = new TargetRests(1_000);
    const tried: string[] = [];
    const attempt = async (candidate: ModelRoute): Promise<ChatResult> => {
      tried.push(candidate.backend.name);
      throw upstream(400);
    };
    await expect(serveFromFirstAnsweringTarget([target('a'), target('b')], { rests }, 'm', attempt)).rejects.toMatchObject({ upstreamStatus: 400 });
    expect(tried).toEqual(['a']);
  });

  it('falls back when a stream fails before its first event, and hands on every event of one that started', async () => {
    const rests = new TargetRests(1_000);
    const brokenBeforeFirst = (): AsyncIterable<ChatEvent> => ({
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.reject(new LlmProxyError({ code: 'UPSTREAM_CONNECTION_LOST', message: 'lost', httpStatus: 502 })),
      }),
    });
    const events: ChatEvent[] = [{ type: 'response-start', id: 'r', model: 'm' } as ChatEvent, { type: 'text-delta', text: 'hi' } as ChatEvent];
    async function* good(): AsyncGenerator<ChatEvent> {
      yield* events;
    }
    const served = await serveFromFirstAnsweringTarget([target('a'), target('b')], { rests }, 'm', async (candidate) =>
      candidate.backend.name === 'a' ? { type: 'stream', events: brokenBeforeFirst() } : { type: 'stream', events: good() },
    );
    expect(served.target.backend.name).toBe('b');
    const received: ChatEvent[] = [];
    if (served.result.type === 'stream') for await (const event of served.result.events) received.push(event);
    expect(received).toEqual(events);
  });
});

describe('modelRouteMatcher', () => {
  it('matches exact names and globs, first rule first, * within one /-separated part', () => {
    const rules = [
      { pattern: 'claude-*-haiku-*', targets: [{ backend: 'small', model: 's' }] },
      { pattern: 'claude-*', targets: [{ backend: 'big', model: 'b' }] },
      { pattern: 'vendor/*', targets: [{ backend: 'vendor', model: 'v' }] },
    ];
    const match = modelRouteMatcher(rules);
    expect(match('claude-3-5-haiku-20241022')?.pattern).toBe('claude-*-haiku-*');
    expect(match('claude-sonnet-4-5')?.pattern).toBe('claude-*');
    expect(match('vendor/model-1')?.pattern).toBe('vendor/*');
    expect(match('vendor/deep/model')).toBeUndefined();
    expect(match('Claude-sonnet')).toBeUndefined();
    expect(match('')).toBeUndefined();
  });
});
