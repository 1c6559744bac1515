/**
 * @fileoverview The metrics observer on its own, fed observations as the server makes them:
 * the cost hook, the caller label, bounded model labels, the upstream-error classification, the
 * open-streams gauge and the key-pool gauge. (The same metrics through the CLI:
 * e2e/metrics-through-cli.test.ts.)
 */
import { describe, expect, it } from '@jest/globals';
import type { CredentialCounts } from '@llmproxy/connector-sdk';
import { OTHER_LABEL_VALUE } from '../../src/observability/bounded-label.js';
import { MODEL_LABEL_LIMIT, PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';
import type { ChatExchange, ObservedRequest } from '../../src/observability/request-observer.js';

function exchange(overrides: Partial<ChatExchange> = {}): ChatExchange {
  return { frontend: 'anthropic-messages', backend: 'anthropic', connectorId: 'anthropic', model: 'claude-sonnet-4-5', stream: false, ...overrides };
}

function observe(metrics: PrometheusMetrics, chat: ChatExchange | undefined, overrides: Partial<ObservedRequest> = {}): void {
  const observation = metrics.requestStarted();
  observation.firstByte(1_100, chat);
  observation.ended({
    method: 'POST',
    status: 200,
    startedAt: 1_000,
    endedAt: 3_500,
    firstByteAt: 1_100,
    chat,
    caller: 'api-key#1',
    errorCode: undefined,
    clientDisconnected: false,
    ...overrides,
  });
}

function newMetrics(options: { callerLabel?: boolean; counts?: Array<{ backend: string; counts: CredentialCounts }> } = {}): PrometheusMetrics {
  return new PrometheusMetrics({ callerLabel: options.callerLabel ?? false, credentialCounts: () => options.counts ?? [], processMetrics: false });
}

async function valueOf(metrics: PrometheusMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const found = metric?.values.find(
    (entry) => Object.keys(labels).length === Object.keys(entry.labels).length && Object.entries(labels).every(([key, value]) => entry.labels[key] === value),
  );
  return found?.value;
}

describe('PrometheusMetrics', () => {
  it('counts a cost once the usage recorder set one, by backend and model, and none without', async () => {
    const metrics = newMetrics();
    observe(metrics, exchange({ costUsd: 0.0125 }));
    observe(metrics, exchange({ costUsd: 0.0075 }));
    observe(metrics, exchange({ model: 'unpriced-model' }));
    expect(await valueOf(metrics, 'llmproxy_cost_usd_total', { backend: 'anthropic', model: 'claude-sonnet-4-5' })).toBeCloseTo(0.02, 10);
    expect(await valueOf(metrics, 'llmproxy_cost_usd_total', { backend: 'anthropic', model: 'unpriced-model' })).toBeUndefined();
  });

  it('labels requests, tokens and cost by caller only when asked to', async () => {
    const usage = { inputTokens: 10, outputTokens: 4 };
    const withCaller = newMetrics({ callerLabel: true });
    observe(withCaller, exchange({ usage, costUsd: 1 }), { caller: 'google:1234' });
    const labels = { frontend: 'anthropic-messages', backend: 'anthropic', model: 'claude-sonnet-4-5', status: '200' };
    expect(await valueOf(withCaller, 'llmproxy_requests_total', { ...labels, caller: 'google:1234' })).toBe(1);
    expect(await valueOf(withCaller, 'llmproxy_tokens_total', { backend: 'anthropic', model: 'claude-sonnet-4-5', type: 'input', caller: 'google:1234' })).toBe(10);
    expect(await valueOf(withCaller, 'llmproxy_cost_usd_total', { backend: 'anthropic', model: 'claude-sonnet-4-5', caller: 'google:1234' })).toBe(1);

    const withoutCaller = newMetrics();
    observe(withoutCaller, exchange({ usage }), { caller: 'google:1234' });
    expect(await valueOf(withoutCaller, 'llmproxy_requests_total', labels)).toBe(1);
    expect(await withoutCaller.render()).not.toContain('google:1234');
  });

  it('keeps the first model names and counts later new ones as (other)', async () => {
    const metrics = newMetrics();
    for (let index = 0; index < MODEL_LABEL_LIMIT + 5; index += 1) observe(metrics, exchange({ model: `random-${index}` }));
    const labels = { frontend: 'anthropic-messages', backend: 'anthropic', status: '200' };
    expect(await valueOf(metrics, 'llmproxy_requests_total', { ...labels, model: 'random-0' })).toBe(1);
    expect(await valueOf(metrics, 'llmproxy_requests_total', { ...labels, model: `random-${MODEL_LABEL_LIMIT - 1}` })).toBe(1);
    expect(await valueOf(metrics, 'llmproxy_requests_total', { ...labels, model: `random-${MODEL_LABEL_LIMIT}` })).toBeUndefined();
    expect(await valueOf(metrics, 'llmproxy_requests_total', { ...labels, model: OTHER_LABEL_VALUE })).toBe(5);
  });

  it('counts upstream failures by kind, and not the client errors', async () => {
    const metrics = newMetrics();
    observe(metrics, exchange(), { status: 504, errorCode: 'UPSTREAM_TIMEOUT' });
    observe(metrics, exchange({ stream: true }), { status: 200, errorCode: 'UPSTREAM_STREAM_INTERRUPTED' });
    observe(metrics, exchange(), { status: 429, errorCode: 'BACKEND_KEYS_EXHAUSTED' });
    observe(metrics, exchange(), { status: 400, errorCode: 'INVALID_REQUEST' });
    expect(await valueOf(metrics, 'llmproxy_upstream_errors_total', { backend: 'anthropic', kind: 'UPSTREAM_TIMEOUT' })).toBe(1);
    expect(await valueOf(metrics, 'llmproxy_upstream_errors_total', { backend: 'anthropic', kind: 'UPSTREAM_STREAM_INTERRUPTED' })).toBe(1);
    expect(await valueOf(metrics, 'llmproxy_upstream_errors_total', { backend: 'anthropic', kind: 'BACKEND_KEYS_EXHAUSTED' })).toBe(1);
    expect(await valueOf(metrics, 'llmproxy_upstream_errors_total', { backend: 'anthropic', kind: 'INVALID_REQUEST' })).toBeUndefined();
  });

  it('counts a stream as open from its first byte to its end', async () => {
    const metrics = newMetrics();
    const observation = metrics.requestStarted();
    const chat = exchange({ stream: true });
    observation.firstByte(1_200, chat);
    expect(await valueOf(metrics, 'llmproxy_open_streams', { backend: 'anthropic' })).toBe(1);
    observation.ended({ method: 'POST', status: 200, startedAt: 1_000, endedAt: 9_000, firstByteAt: 1_200, chat, caller: undefined, errorCode: undefined, clientDisconnected: true });
    expect(await valueOf(metrics, 'llmproxy_open_streams', { backend: 'anthropic' })).toBe(0);
  });

  it('reads each backend key pool at scrape time', async () => {
    const counts = { active: 2, resting: 1, retired: 0 };
    const metrics = newMetrics({ counts: [{ backend: 'openai', counts }] });
    expect(await valueOf(metrics, 'llmproxy_upstream_api_keys', { backend: 'openai', state: 'resting' })).toBe(1);
    counts.retired = 1;
    counts.active = 1;
    expect(await valueOf(metrics, 'llmproxy_upstream_api_keys', { backend: 'openai', state: 'retired' })).toBe(1);
    expect(await valueOf(metrics, 'llmproxy_upstream_api_keys', { backend: 'openai', state: 'active' })).toBe(1);
  });

  it('records durations and first-byte times in seconds', async () => {
    const metrics = newMetrics();
    observe(metrics, exchange());
    const text = await metrics.render();
    expect(text).toContain('llmproxy_request_duration_seconds_sum{frontend="anthropic-messages",backend="anthropic",model="claude-sonnet-4-5",stream="false"} 2.5');
    expect(text).toContain('llmproxy_time_to_first_byte_seconds_sum{frontend="anthropic-messages",backend="anthropic",model="claude-sonnet-4-5",stream="false"} 0.1');
  });
});
