/**
 * @fileoverview OpenTelemetry traces through the real `llm-proxy` CLI: with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a real OTLP/HTTP receiver on 127.0.0.1, each chat
 * request becomes a `chat {model}` server span with the GenAI semantic-convention attributes,
 * and its upstream HTTP call a client span under it; the spans still buffered (the batch delay is
 * set beyond the test) are sent when the proxy stops on SIGTERM. A health probe is not traced.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { startOtlpTraceReceiver, type OtlpTraceReceiver, type ReceivedSpan } from '../support/otlp-trace-receiver.js';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, runLlmProxy, type CliResult } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-trace-tests';
const OPENAI_KEY = 'sk-openai-key-for-trace-tests';
const MODEL = 'gpt-4o-mini';
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

function post(url: string, body: object): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' }, agent: false },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
      },
    );
    outgoing.once('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

describe('OpenTelemetry traces through the CLI', () => {
  let upstream: FakeOpenAIUpstream;
  let receiver: OtlpTraceReceiver;
  let stopped: CliResult;

  beforeAll(async () => {
    assertCliBuilt();
    [upstream, receiver] = await Promise.all([startFakeOpenAIUpstream({ apiKey: OPENAI_KEY }), startOtlpTraceReceiver()]);
    const proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: {
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_BASE_URL: upstream.baseUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_SERVICE_NAME: 'llm-proxy-under-test',
        // No scheduled export during the test: whatever arrives was sent at shutdown.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      },
    });
    upstream.enqueue({ type: 'answer', text: ['Hi'], model: `${MODEL}-2024-07-18` }, { type: 'answer', text: ['Hel', 'lo'] }, {
      type: 'error',
      status: 503,
      error: { message: 'The engine is currently overloaded, please try again later', type: 'server_error' },
    });
    const messages = [{ role: 'user', content: 'Hello' }];
    expect((await post(`${proxy.url}/v1/chat/completions`, { model: MODEL, messages })).status).toBe(200);
    const streamed = await post(`${proxy.url}/v1/chat/completions`, { model: MODEL, messages, stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.text).toContain('data: [DONE]');
    expect((await post(`${proxy.url}/v1/chat/completions`, { model: MODEL, messages })).status).toBeGreaterThanOrEqual(500);
    await new Promise<void>((resolve, reject) => {
      request(`${proxy.url}/internal/health`, { agent: false }, (incoming) => incoming.resume().on('end', resolve)).once('error', reject).end();
    });
    expect(receiver.spans).toHaveLength(0);
    // The batch is still buffered: SIGTERM must send it before the process exits.
    stopped = await proxy.stop('SIGTERM');
    await receiver.waitForSpans(6, 5_000);
  });

  afterAll(async () => {
    await Promise.all([upstream.close(), receiver.close()]);
    cleanUpCliRuns();
  });

  const serverSpans = (): ReceivedSpan[] => receiver.spans.filter((span) => span.kind === SPAN_KIND_SERVER);
  const childrenOf = (parent: ReceivedSpan): ReceivedSpan[] =>
    receiver.spans.filter((span) => span.parentSpanId === parent.spanId && span.traceId === parent.traceId);

  it('stops cleanly and posts OTLP JSON with the service name', () => {
    expect(stopped.exitCode).toBe(0);
    // Three requests, each a server span and one upstream client span; nothing else.
    expect(receiver.spans).toHaveLength(6);
    expect(receiver.contentTypes.length).toBeGreaterThan(0);
    for (const contentType of receiver.contentTypes) expect(contentType).toMatch(/^application\/json/);
    for (const span of receiver.spans) expect(span.resourceValues['service.name']).toBe('llm-proxy-under-test');
  });

  it('makes one chat span per request with the GenAI attributes, and no span for the health probe', () => {
    const spans = serverSpans();
    expect(spans.map((span) => span.name)).toEqual([`chat ${MODEL}`, `chat ${MODEL}`, `chat ${MODEL}`]);
    const [whole, streamed] = spans;
    expect(whole?.attributeValues).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': MODEL,
      'gen_ai.response.model': `${MODEL}-2024-07-18`,
      // The fake's usage: 11 prompt tokens (3 cached), 7 completion tokens (2 reasoning).
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.cache_read.input_tokens': 3,
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'llmproxy.frontend': 'openai-chat',
      'llmproxy.backend': 'openai',
      'llmproxy.stream': false,
    });
    expect(streamed?.attributeValues).toMatchObject({
      'gen_ai.request.model': MODEL,
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'http.response.status_code': 200,
      'llmproxy.stream': true,
    });
    expect(streamed?.attributeValues['llmproxy.time_to_first_byte_ms']).toBeGreaterThan(0);
    expect(receiver.spans.some((span) => span.attributeValues['url.path'] === '/internal/health')).toBe(false);
  });

  it('puts each upstream HTTP call under its request span', () => {
    for (const parent of serverSpans()) {
      const children = childrenOf(parent);
      expect(children).toHaveLength(1);
      const [child] = children;
      expect(child?.kind).toBe(SPAN_KIND_CLIENT);
      expect(child?.name).toBe('POST');
      expect(child?.attributeValues).toMatchObject({
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': upstream.port,
        'url.full': `${upstream.baseUrl}/chat/completions`,
      });
      // The child lies within its parent.
      expect(BigInt(child?.startTimeUnixNano ?? 0)).toBeGreaterThanOrEqual(BigInt(parent.startTimeUnixNano));
      expect(BigInt(child?.endTimeUnixNano ?? 0)).toBeLessThanOrEqual(BigInt(parent.endTimeUnixNano));
    }
  });

  it('marks a failed upstream call and its request as errors', () => {
    const failed = serverSpans()[2];
    expect(failed?.status?.code).toBe(STATUS_ERROR);
    expect(failed?.attributeValues['error.type']).toBe('UPSTREAM_ERROR');
    expect(Number(failed?.attributeValues['http.response.status_code'])).toBeGreaterThanOrEqual(500);
    const [call] = failed === undefined ? [] : childrenOf(failed);
    expect(call?.attributeValues['http.response.status_code']).toBe(503);
    expect(call?.status?.code).toBe(STATUS_ERROR);
  });
});

describe('tracing settings', () => {
  it('stops startup on an endpoint that is not an http URL, naming the variable', async () => {
    assertCliBuilt();
    const result = await runLlmProxy(['--port', '0', '--disable-notifications'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' } });
    cleanUpCliRuns();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('TRACING_ENDPOINT_INVALID');
    expect(result.stderr).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(result.listenCalls).toEqual([]);
  });
});
