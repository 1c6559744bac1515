/**
 * @fileoverview Prometheus metrics through the real `llm-proxy` CLI and a fake OpenAI upstream
 * on 127.0.0.1: after streamed and whole answers, one upstream failure and one rate-limited key,
 * `/metrics` on the metrics port (no authentication) counts the requests, tokens, upstream
 * errors and TTFB observations with the right labels and values, the open-streams gauge follows
 * a live stream, and the key pool's state shows; the main port serves the same metrics only to a
 * client with a configured key. With metrics and tracing off, neither library is even imported.
 */
import fs from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rateLimitedReply, serverErrorReply, startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, runLlmProxy, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-metrics-tests';
const OPENAI_KEY = 'sk-openai-key-for-metrics-tests';
const MODEL = 'gpt-4o-mini';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function call(url: string, options: { method?: string; key?: string; body?: object } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: { ...(options.key === undefined ? {} : { authorization: `Bearer ${options.key}` }), 'content-type': 'application/json' },
        agent: false,
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text }));
      },
    );
    outgoing.once('error', reject);
    outgoing.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

const chat = (proxy: RunningCli, stream: boolean): Promise<Answer> =>
  call(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    key: CLIENT_KEY,
    body: { model: MODEL, stream, messages: [{ role: 'user', content: 'Hello' }] },
  });

/** The value of the sample `name{labels}` in Prometheus text, or undefined when absent. Labels in the order printed. */
function sample(metricsText: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  for (const line of metricsText.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = (match[2] ?? '').split(/,(?=[a-zA-Z_]+=")/).filter((part) => part !== '').sort();
    if (present.length === wanted.length && present.every((part, index) => part === wanted[index])) return Number(match[3]);
  }
  return undefined;
}

/** The first key is the operator's: /metrics on the main port is for admin callers. */
const ADMIN_CONFIG = 'callers:\n  api-key#1:\n    admin: true\n';
const OTHER_CLIENT_KEY = 'another-client-key-for-metrics-tests';

describe('Prometheus metrics through the CLI', () => {
  let upstream: FakeOpenAIUpstream;
  let proxy: RunningCli;
  let metricsUrl: string;

  beforeAll(async () => {
    assertCliBuilt();
    upstream = await startFakeOpenAIUpstream();
    // Two upstream keys, so a 429 rests one and the request goes on with the other.
    proxy = await startLlmProxy(['--port', '0', '--api-keys', `${CLIENT_KEY},${OTHER_CLIENT_KEY}`, '--disable-notifications', '--metrics-port', '0'], {
      cwd: createWorkingDirectory({ 'llm-proxy.yaml': ADMIN_CONFIG }),
      env: { OPENAI_API_KEY: OPENAI_KEY, OPENAI_API_KEY_2: `${OPENAI_KEY}-2`, OPENAI_BASE_URL: upstream.baseUrl },
    });
    const announced = await proxy.waitForStdout(/^llm-proxy metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m);
    metricsUrl = announced[1] ?? '';
  });

  afterAll(async () => {
    const stopped = await proxy.stop('SIGTERM');
    await upstream.close();
    cleanUpCliRuns();
    expect(stopped.exitCode).toBe(0);
  });

  it('counts requests, tokens, upstream errors and first-byte times with their labels', async () => {
    upstream.enqueue({ type: 'answer', text: ['Hi'] }, { type: 'answer', text: ['Hel', 'lo'], chunkDelayMs: 20 }, serverErrorReply());
    const whole = await chat(proxy, false);
    const streamed = await chat(proxy, true);
    const failed = await chat(proxy, false);
    expect(whole.status).toBe(200);
    expect(streamed.status).toBe(200);
    expect(streamed.text).toContain('data: [DONE]');
    expect(failed.status).toBeGreaterThanOrEqual(500);

    const scraped = await call(metricsUrl);
    expect(scraped.status).toBe(200);
    expect(scraped.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = scraped.text;
    const labels = { frontend: 'openai-chat', backend: 'openai', model: MODEL };
    expect(sample(metrics, 'llmproxy_requests_total', { ...labels, status: '200' })).toBe(2);
    expect(sample(metrics, 'llmproxy_requests_total', { ...labels, status: String(failed.status) })).toBe(1);
    // The fake reports 11 prompt (3 cached) and 7 completion (2 reasoning) tokens per answer.
    const tokens = { backend: 'openai', model: MODEL };
    expect(sample(metrics, 'llmproxy_tokens_total', { ...tokens, type: 'input' })).toBe(22);
    expect(sample(metrics, 'llmproxy_tokens_total', { ...tokens, type: 'output' })).toBe(14);
    expect(sample(metrics, 'llmproxy_tokens_total', { ...tokens, type: 'cached' })).toBe(6);
    expect(sample(metrics, 'llmproxy_tokens_total', { ...tokens, type: 'reasoning' })).toBe(4);
    expect(sample(metrics, 'llmproxy_upstream_errors_total', { backend: 'openai', kind: 'UPSTREAM_ERROR' })).toBe(1);
    // One streamed request observed in the first-byte and duration histograms, two whole ones.
    expect(sample(metrics, 'llmproxy_time_to_first_byte_seconds_count', { ...labels, stream: 'true' })).toBe(1);
    expect(sample(metrics, 'llmproxy_time_to_first_byte_seconds_count', { ...labels, stream: 'false' })).toBe(2);
    expect(sample(metrics, 'llmproxy_time_to_first_byte_seconds_bucket', { ...labels, stream: 'true', le: '+Inf' })).toBe(1);
    expect(sample(metrics, 'llmproxy_request_duration_seconds_count', { ...labels, stream: 'true' })).toBe(1);
    expect(sample(metrics, 'llmproxy_time_to_first_byte_seconds_sum', { ...labels, stream: 'true' })).toBeGreaterThan(0);
    expect(sample(metrics, 'llmproxy_open_streams', { backend: 'openai' })).toBe(0);
    // The cost the usage records priced (gpt-4o-mini is in the bundled price table), per answer with usage.
    const cost = sample(metrics, 'llmproxy_cost_usd_total', tokens);
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThan(0.01);
    // Node's process metrics.
    expect(sample(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('labels requests by the client API they came through', async () => {
    const anthropicClient = await call(`${proxy.url}/v1/messages`, {
      method: 'POST',
      key: CLIENT_KEY,
      body: { model: `openai:${MODEL}`, max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] },
    });
    expect(anthropicClient.status).toBe(200);
    const metrics = (await call(metricsUrl)).text;
    expect(sample(metrics, 'llmproxy_requests_total', { frontend: 'anthropic-messages', backend: 'openai', model: MODEL, status: '200' })).toBe(1);
  });

  it('counts a stream the upstream broke off as an upstream error, with the 200 already sent', async () => {
    const before = (await call(metricsUrl)).text;
    const brokenBefore = sample(before, 'llmproxy_upstream_errors_total', { backend: 'openai', kind: 'UPSTREAM_STREAM_INTERRUPTED' }) ?? 0;
    // One content frame, then the connection ends without a finish or [DONE].
    const frame = { id: 'chatcmpl-broken', object: 'chat.completion.chunk', created: 1, model: MODEL, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hal' }, finish_reason: null }] };
    upstream.enqueue({ type: 'raw-stream', frames: [`data: ${JSON.stringify(frame)}\n\n`] });
    const broken = await chat(proxy, true);
    expect(broken.status).toBe(200);
    expect(broken.text).toContain('"error"');
    const after = (await call(metricsUrl)).text;
    expect(sample(after, 'llmproxy_upstream_errors_total', { backend: 'openai', kind: 'UPSTREAM_STREAM_INTERRUPTED' })).toBe(brokenBefore + 1);
  });

  it('shows a stream while it is open', async () => {
    upstream.enqueue({ type: 'answer', text: ['one', 'two'], chunkDelayMs: [1_500] });
    const streaming = chat(proxy, true);
    await upstream.waitForRequest(upstream.requests.length);
    // The first frame is out; the next is 1.5 s away.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const during = await call(metricsUrl);
    expect(sample(during.text, 'llmproxy_open_streams', { backend: 'openai' })).toBe(1);
    expect((await streaming).status).toBe(200);
    const after = await call(metricsUrl);
    expect(sample(after.text, 'llmproxy_open_streams', { backend: 'openai' })).toBe(0);
  });

  it('shows a rate-limited upstream key as resting', async () => {
    const before = await call(metricsUrl);
    expect(sample(before.text, 'llmproxy_upstream_api_keys', { backend: 'openai', state: 'active' })).toBe(2);
    upstream.enqueue(rateLimitedReply(600));
    // The first key is rate limited; the request is answered with the second.
    expect((await chat(proxy, false)).status).toBe(200);
    const after = await call(metricsUrl);
    expect(sample(after.text, 'llmproxy_upstream_api_keys', { backend: 'openai', state: 'resting' })).toBe(1);
    expect(sample(after.text, 'llmproxy_upstream_api_keys', { backend: 'openai', state: 'active' })).toBe(1);
    expect(sample(after.text, 'llmproxy_upstream_api_keys', { backend: 'openai', state: 'retired' })).toBe(0);
  });

  it('serves /metrics on the main port only to an admin caller', async () => {
    const anonymous = await call(`${proxy.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('llmproxy_requests_total');
    const wrongKey = await call(`${proxy.url}/metrics`, { key: 'not-a-configured-key' });
    expect(wrongKey.status).toBe(401);
    const notAdmin = await call(`${proxy.url}/metrics`, { key: OTHER_CLIENT_KEY });
    expect(notAdmin.status).toBe(403);
    expect(JSON.parse(notAdmin.text)).toMatchObject({ error: { code: 'METRICS_FORBIDDEN' } });
    const operator = await call(`${proxy.url}/metrics`, { key: CLIENT_KEY });
    expect(operator.status).toBe(200);
    // Both ports render the same registry: two whole and three streamed (one broken off) answers so far.
    expect(sample(operator.text, 'llmproxy_requests_total', { frontend: 'openai-chat', backend: 'openai', model: MODEL, status: '200' })).toBe(5);
  });

  it('answers nothing but /metrics on the metrics port', async () => {
    const other = await call(metricsUrl.replace(/\/metrics$/, '/v1/models'));
    expect(other.status).toBe(404);
  });
});

describe('with metrics and tracing off', () => {
  it('serves no /metrics and never imports prom-client or OpenTelemetry', async () => {
    assertCliBuilt();
    const upstream = await startFakeOpenAIUpstream({ apiKey: OPENAI_KEY });
    const recordDirectory = createWorkingDirectory();
    const loadedFile = path.join(recordDirectory, 'loaded-modules.log');
    const recorder = pathToFileURL(path.resolve(import.meta.dirname, '../support/fixtures/record-loaded-packages.mjs')).href;
    const proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: upstream.baseUrl, NODE_OPTIONS: `--import ${recorder}`, LOADED_MODULES_FILE: loadedFile },
    });
    try {
      expect((await chat(proxy, true)).status).toBe(200);
      const metrics = await call(`${proxy.url}/metrics`, { key: CLIENT_KEY });
      expect(metrics.status).toBe(404);
      expect(JSON.parse(metrics.text)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    } finally {
      expect((await proxy.stop('SIGTERM')).exitCode).toBe(0);
      await upstream.close();
    }
    const loaded = fs.readFileSync(loadedFile, 'utf8').split('\n');
    // The recorder works: the libraries every run uses are listed.
    expect(loaded.some((url) => url.includes('/node_modules/express/'))).toBe(true);
    expect(loaded.filter((url) => /\/node_modules\/(prom-client|@opentelemetry)\//.test(url))).toEqual([]);
    cleanUpCliRuns();
  });
});

describe('the caller label', () => {
  it('names the caller by key number when the operator opts in, never by the key', async () => {
    assertCliBuilt();
    const upstream = await startFakeOpenAIUpstream({ apiKey: OPENAI_KEY });
    const scriptKey = 'second-client-key-for-metrics-tests';
    const proxy = await startLlmProxy(['--port', '0', '--api-keys', `${CLIENT_KEY},${scriptKey}`, '--disable-notifications', '--metrics', '--metrics-caller-label'], {
      cwd: createWorkingDirectory({ 'llm-proxy.yaml': ADMIN_CONFIG }),
      env: { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: upstream.baseUrl },
    });
    try {
      const answered = await call(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        key: scriptKey,
        body: { model: MODEL, messages: [{ role: 'user', content: 'Hello' }] },
      });
      expect(answered.status).toBe(200);
      // No metrics port was asked for: none is announced, and the main port serves them.
      expect(proxy.output.stdout).not.toContain('llm-proxy metrics on');
      const metrics = (await call(`${proxy.url}/metrics`, { key: CLIENT_KEY })).text;
      expect(sample(metrics, 'llmproxy_requests_total', { frontend: 'openai-chat', backend: 'openai', model: MODEL, status: '200', caller: 'api-key#2' })).toBe(1);
      expect(sample(metrics, 'llmproxy_tokens_total', { backend: 'openai', model: MODEL, type: 'input', caller: 'api-key#2' })).toBe(11);
      for (const secret of [CLIENT_KEY, scriptKey, OPENAI_KEY]) expect(metrics).not.toContain(secret);
    } finally {
      expect((await proxy.stop('SIGTERM')).exitCode).toBe(0);
      await upstream.close();
      cleanUpCliRuns();
    }
  });
});

describe('the metrics port', () => {
  it('stops startup when it cannot be bound, naming the port and the fix', async () => {
    assertCliBuilt();
    const occupier = createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    const { port } = occupier.address() as AddressInfo;
    try {
      const result = await runLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications', '--metrics-port', String(port)]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('METRICS_LISTEN_FAILED');
      expect(result.stderr).toContain(`127.0.0.1:${port}`);
      expect(result.stderr).toContain('--metrics-port');
      expect(result.stdout).not.toContain('llm-proxy listening on');
    } finally {
      await new Promise<void>((resolve) => occupier.close(() => resolve()));
      cleanUpCliRuns();
    }
  });
});
