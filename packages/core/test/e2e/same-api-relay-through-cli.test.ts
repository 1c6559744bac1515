/**
 * @fileoverview The same-API relay through the real `llm-proxy` CLI: a client whose API is the
 * one the backend's upstream speaks (Anthropic Messages → anthropic, Chat → openai, Responses →
 * a Responses upstream, Gemini → gemini) reaches the upstream byte for byte apart from the model,
 * with the protocol headers it sent and the proxy's key instead of its own, and gets back what
 * the upstream answered, unknown event types and fields included, errors with their status. Key
 * rotation before the first byte, aborts on a client disconnect and usage in the request log
 * still hold.
 */
import fs from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startScriptedUpstream, type ScriptedReply, type ScriptedUpstream } from '../support/fake-scripted-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-relay-tests';
const UPSTREAM_KEY = 'sk-upstream-key-for-relay-tests';
const ROTATING_KEYS = ['sk-ant-rotating-first-key-0001', 'sk-ant-rotating-second-key-002'];

let upstream: ScriptedUpstream;
let proxy: RunningCli;

beforeAll(async () => {
  assertCliBuilt();
  upstream = await startScriptedUpstream();
  const cwd = createWorkingDirectory({
    'llm-proxy.yaml': [
      'backends:',
      '  openai:',
      `    base_url: ${upstream.url}/v1`,
      `    api_key: ${UPSTREAM_KEY}`,
      '    responses_models: []',
      '  responses:',
      '    type: openai',
      `    base_url: ${upstream.url}/v1`,
      `    api_key: ${UPSTREAM_KEY}`,
      "    responses_models: ['*']",
      '  anthropic:',
      `    base_url: ${upstream.url}`,
      `    api_key: ${UPSTREAM_KEY}`,
      '  rotating:',
      '    type: anthropic',
      `    base_url: ${upstream.url}`,
      `    api_keys: [${ROTATING_KEYS.join(', ')}]`,
      '  gemini:',
      `    base_url: ${upstream.url}`,
      `    api_key: ${UPSTREAM_KEY}`,
      '',
    ].join('\n'),
  });
  proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], { cwd });
}, 30_000);

afterAll(async () => {
  const stopped = await proxy?.stop('SIGTERM');
  await upstream?.close();
  cleanUpCliRuns();
  expect(stopped?.exitCode).toBe(0);
  for (const key of [UPSTREAM_KEY, ...ROTATING_KEYS]) expect(`${stopped?.stdout}${stopped?.stderr}`).not.toContain(key);
}, 30_000);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(pathname: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${proxy.url}${pathname}`,
      { method: 'POST', headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json', ...headers }, agent: false },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text }));
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

const sse = (chunks: readonly string[], extra: Partial<ScriptedReply> = {}): ScriptedReply => ({
  status: 200,
  headers: { 'content-type': 'text/event-stream' },
  chunks,
  ...extra,
});
const json = (status: number, body: string): ScriptedReply => ({ status, headers: { 'content-type': 'application/json' }, chunks: [body] });

/** The body the upstream must have received: the client's bytes with only the model replaced. */
const withModel = (body: string, from: string, to: string): string => body.replace(`"model": ${JSON.stringify(from)}`, `"model": ${JSON.stringify(to)}`);

async function requestLogLine(pathname: string, count: number): Promise<Record<string, unknown>> {
  const file = path.join(proxy.cwd, 'var/logs/llm-proxy.log');
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['message'] === 'HTTP request' && entry['path'] === pathname);
    if (entries.length >= count) return entries[count - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No request log line number ${count} for ${pathname}`);
}

let anthropicRequests = 0;

describe('Anthropic Messages client → anthropic backend', () => {
  // Odd spacing and key order, fields no parser knows, a system turn inside messages, a tool
  // with defer_loading, context_management: all of it must arrive exactly as sent.
  const clientBody = [
    '{"model": "anthropic:claude-sonnet-4-5",  "max_tokens":256,',
    '"messages":[{"role":"user","content":"Hi"},{"role":"system","content":"Answer briefly."},',
    '{"role":"user","content":[{"type":"brand_new_block","payload":{"x":1}},{"type":"text","text":"Go on \\u00e9"}]}],',
    '"tools":[{"name":"search","description":"Find","input_schema":{"type":"object"},"defer_loading":true,"future_property":[1,2.50]}],',
    '"context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]},',
    '"a_field_from_next_month":{"nested":[true,null]},"stream":true}',
  ].join('');
  const events = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":31,"output_tokens":1,"new_counter":7}}}\n\n',
    'event: brand_new_event\ndata: {"type":"brand_new_event","whatever":{"a":1}}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"","unknown_flag":true}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","te',
    'xt":"lo"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
  ];

  it('sends the request byte for byte apart from the model, with the protocol headers and the proxy key', async () => {
    upstream.enqueue(sse(events));
    const answer = await send('/v1/messages', clientBody, {
      'anthropic-beta': 'context-management-2025-06-27,tool-search-2025-10-19',
      'anthropic-version': '2023-06-01',
      'x-api-key': CLIENT_KEY,
      'x-stainless-lang': 'js',
    });
    anthropicRequests += 1;
    expect(answer.status).toBe(200);
    const received = upstream.requests.at(-1)!;
    expect(received.path).toBe('/v1/messages');
    expect(received.body.toString('utf8')).toBe(withModel(clientBody, 'anthropic:claude-sonnet-4-5', 'claude-sonnet-4-5'));
    expect(received.headers['anthropic-beta']).toBe('context-management-2025-06-27,tool-search-2025-10-19');
    expect(received.headers['anthropic-version']).toBe('2023-06-01');
    expect(received.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(received.headers['authorization']).toBeUndefined();
    expect(received.headers['x-stainless-lang']).toBeUndefined();
    // The stream comes back as sent, unknown event types and fields included.
    expect(answer.headers['content-type']).toBe('text/event-stream');
    expect(answer.body).toBe(events.join(''));
    expect(answer.headers['x-llmproxy-overhead-ms']).toMatch(/^\d+\.\d{3}$/);
  });

  it('records the usage the upstream reported in the request log', async () => {
    const line = await requestLogLine('/v1/messages', anthropicRequests);
    expect(line).toMatchObject({ status: 200, backend: 'anthropic', inputTokens: 31, outputTokens: 9 });
  });

  it('relays a whole answer unchanged, and an upstream 400 in its own format with its status', async () => {
    const message = '{"id":"msg_2","type":"message","content":[{"type":"text","text":"Hi","citations":null}],"usage":{"input_tokens":4,"output_tokens":2},"container":{"id":"x"}}';
    const refusal = '{"type":"error","error":{"type":"invalid_request_error","message":"tools.0.mystery: Extra inputs are not permitted"},"request_id":"req_1"}';
    upstream.enqueue(json(200, message), { ...json(400, refusal), headers: { 'content-type': 'application/json', 'request-id': 'req_1' } });
    const body = '{"model":"anthropic:claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}';
    const whole = await send('/v1/messages', body, { 'anthropic-version': '2023-06-01' });
    const refused = await send('/v1/messages', body.replace('"max_tokens":5', '"max_tokens":5,"tools":[{"mystery":1}]'));
    anthropicRequests += 2;
    expect(whole).toMatchObject({ status: 200, body: message });
    expect(upstream.requests.at(-2)!.body.toString('utf8')).toBe(body.replace('anthropic:', ''));
    expect(refused).toMatchObject({ status: 400, body: refusal });
    expect(refused.headers['request-id']).toBe('req_1');
    // No anthropic-version from the client: the proxy's own goes out.
    expect(upstream.requests.at(-1)!.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('moves to the next key when the first is rate-limited, before the client sees a byte', async () => {
    const before = upstream.requests.length;
    upstream.enqueue(
      { ...json(429, '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'), headers: { 'content-type': 'application/json', 'retry-after': '30' } },
      json(200, '{"id":"msg_3","type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":1}}'),
    );
    const answer = await send('/v1/messages', '{"model":"rotating:claude-sonnet-4-5","max_tokens":5,"messages":[]}');
    expect(answer).toMatchObject({ status: 200, body: expect.stringContaining('msg_3') });
    const [first, second] = upstream.requests.slice(before);
    expect(first!.headers['x-api-key']).not.toBe(second!.headers['x-api-key']);
    expect(ROTATING_KEYS).toContain(second!.headers['x-api-key']);
    expect(second!.body.toString('utf8')).toBe('{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[]}');
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    upstream.enqueue(sse([events[0]!], { holdOpen: true }));
    const index = upstream.requests.length;
    await new Promise<void>((resolve, reject) => {
      const outgoing = request(
        `${proxy.url}/v1/messages`,
        { method: 'POST', headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' }, agent: false },
        (incoming) => {
          incoming.once('data', () => {
            outgoing.destroy();
            resolve();
          });
        },
      );
      outgoing.once('error', (error) => (outgoing.destroyed ? undefined : reject(error)));
      outgoing.end('{"model":"anthropic:claude-sonnet-4-5","max_tokens":5,"messages":[],"stream":true}');
    });
    await expect(upstream.responseClosed(index)).resolves.toEqual({ finished: false });
  });
});

describe('OpenAI Chat client → openai backend', () => {
  it('relays the request and the stream unchanged, unknown fields included', async () => {
    const chunks = [
      'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi","brand_new":{"x":1}}}],"obfuscation":"abc"}\n\n',
      ': keep-alive\n\n',
      'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"future_tokens":1}}\n\ndata: [DONE]\n\n',
    ];
    upstream.enqueue(sse(chunks));
    const body = '{"model":"openai:gpt-4o-mini","messages":[{"role":"developer","content":"x"},{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":true},"verbosity":"low","prediction":null,"web_search_options":{}}';
    const answer = await send('/v1/chat/completions', body, { 'openai-beta': 'some-beta', 'openai-organization': 'org-client' });
    expect(answer).toMatchObject({ status: 200, body: chunks.join('') });
    const received = upstream.requests.at(-1)!;
    expect(received.path).toBe('/v1/chat/completions');
    expect(received.body.toString('utf8')).toBe(body.replace('openai:gpt-4o-mini', 'gpt-4o-mini'));
    expect(received.headers['authorization']).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(received.headers['openai-beta']).toBe('some-beta');
    expect(received.headers['openai-organization']).toBeUndefined();
    expect(await requestLogLine('/v1/chat/completions', 1)).toMatchObject({ backend: 'openai', inputTokens: 12, outputTokens: 3 });
  });

  it('asks for the usage of a stream the client did not ask for, and keeps the usage-only chunk from the client', async () => {
    const content = 'data: {"id":"c2","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n';
    const usageOnly = 'data: {"id":"c2","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}\n\n';
    upstream.enqueue(sse([content, `${usageOnly}data: [DONE]\n\n`]));
    const body = '{"model":"openai:gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"stream":true}';
    const answer = await send('/v1/chat/completions', body);
    expect(answer).toMatchObject({ status: 200, body: `${content}data: [DONE]\n\n` });
    expect(upstream.requests.at(-1)!.body.toString('utf8')).toBe(
      '{"stream_options":{"include_usage":true},"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"stream":true}',
    );
    expect(await requestLogLine('/v1/chat/completions', 2)).toMatchObject({ inputTokens: 9, outputTokens: 2 });
  });

  it('tells the client in the OpenAI format when the upstream cut the stream off before its end', async () => {
    const content = 'data: {"id":"c3","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hal"}}]}\n\n';
    upstream.enqueue(sse([content]));
    const answer = await send('/v1/chat/completions', '{"model":"openai:gpt-4o-mini","messages":[],"stream":true,"stream_options":{"include_usage":true}}');
    expect(answer.status).toBe(200);
    expect(answer.body.startsWith(content)).toBe(true);
    const errorFrame = JSON.parse(answer.body.slice(content.length).replace(/^data: /, '')) as { error: { code: string } };
    expect(errorFrame.error.code).toBe('UPSTREAM_STREAM_INTERRUPTED');
  });

  it('relays an upstream error in the OpenAI format with its status, scrubbed of the key it was sent', async () => {
    const refusal = `{"error":{"message":"Unrecognized request argument supplied: mystery (key ${UPSTREAM_KEY})","type":"invalid_request_error","param":null,"code":null}}`;
    upstream.enqueue(json(400, refusal));
    const answer = await send('/v1/chat/completions', '{"model":"openai:gpt-4o-mini","messages":[],"mystery":1}');
    expect(answer.status).toBe(400);
    expect(answer.body).not.toContain(UPSTREAM_KEY);
    expect(JSON.parse(answer.body)).toEqual({
      error: { message: expect.stringContaining('Unrecognized request argument supplied: mystery'), type: 'invalid_request_error', param: null, code: null },
    });
  });
});

describe('OpenAI Responses client → a Responses upstream', () => {
  it('relays the request and the stream unchanged, unknown event types included', async () => {
    const chunks = [
      'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_up_1","usage":null}}\n\n',
      'event: response.brand_new\ndata: {"type":"response.brand_new","x":1}\n\n',
      'event: response.completed\ndata: {"type":"response.completed","response":{"id":"resp_up_1","usage":{"input_tokens":20,"output_tokens":4,"total_tokens":24}}}\n\n',
    ];
    upstream.enqueue(sse(chunks));
    const body = '{"model":"responses:gpt-5","input":"Hi","tools":[{"type":"namespace","name":"ns","tools":[]}],"client_metadata":{"a":"b"},"stream":true}';
    const answer = await send('/v1/responses', body);
    expect(answer).toMatchObject({ status: 200, body: chunks.join('') });
    const received = upstream.requests.at(-1)!;
    expect(received.path).toBe('/v1/responses');
    expect(received.body.toString('utf8')).toBe(body.replace('responses:gpt-5', 'gpt-5'));
    expect(await requestLogLine('/v1/responses', 1)).toMatchObject({ backend: 'responses', inputTokens: 20, outputTokens: 4 });
  });

  it('sends a previous_response_id the proxy never issued on to the upstream that did', async () => {
    upstream.enqueue(json(200, '{"id":"resp_up_2","object":"response","output":[],"usage":{"input_tokens":1,"output_tokens":1}}'));
    const body = '{"model":"responses:gpt-5","input":"Next","previous_response_id":"resp_up_1"}';
    const answer = await send('/v1/responses', body);
    expect(answer).toMatchObject({ status: 200, body: expect.stringContaining('resp_up_2') });
    expect(upstream.requests.at(-1)!.body.toString('utf8')).toBe(body.replace('responses:gpt-5', 'gpt-5'));
  });
});

describe('OpenAI Responses client, a conversation the proxy keeps', () => {
  it('continues a previous_response_id from the proxy store on the canonical path, even on a Responses upstream', async () => {
    // First turn through translation (Responses client → Chat upstream): the proxy issues the id.
    upstream.enqueue(
      json(200, '{"id":"c2","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"First answer"},"finish_reason":"stop"}]}'),
    );
    const first = await send('/v1/responses', '{"model":"openai:gpt-4o-mini","input":"First question"}');
    expect(first.status).toBe(200);
    const issued = (JSON.parse(first.body) as { id: string }).id;
    // The next turn names the proxy's id on a Responses upstream: the store supplies the history.
    upstream.enqueue(json(200, '{"id":"resp_up_3","object":"response","created_at":1,"status":"completed","model":"gpt-5","output":[{"type":"message","id":"m1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Second answer","annotations":[]}]}],"usage":{"input_tokens":9,"output_tokens":2,"total_tokens":11}}'));
    const second = await send('/v1/responses', JSON.stringify({ model: 'responses:gpt-5', input: 'Second question', previous_response_id: issued }));
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body)).toMatchObject({ id: expect.not.stringMatching(/^resp_up_3$/), output: [expect.objectContaining({ type: 'message' })] });
    const sent = upstream.requests.at(-1)!.body.toString('utf8');
    expect(upstream.requests.at(-1)!.path).toBe('/v1/responses');
    expect(sent).toContain('First question');
    expect(sent).toContain('First answer');
    expect(sent).not.toContain('previous_response_id');
  });
});

describe('Gemini client → gemini backend', () => {
  it('sends the body unchanged to the routed model path, and relays the stream as sent', async () => {
    const chunks = [
      'data: {"candidates":[{"content":{"parts":[{"text":"Hi","futurePart":1}],"role":"model"}}],"usageMetadata":{"promptTokenCount":6,"totalTokenCount":6}}\r\n\r\n',
      'data: {"candidates":[{"content":{"parts":[{"text":"!"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":6,"candidatesTokenCount":2,"totalTokenCount":8},"newTopLevel":{}}\r\n\r\n',
    ];
    upstream.enqueue(sse(chunks));
    const body = '{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"generationConfig":{"brandNewKnob":3},"toolConfig":{"functionCallingConfig":{"mode":"MODE_UNSPECIFIED"}}}';
    const answer = await send('/v1beta/models/gemini:gemini-2.5-flash:streamGenerateContent?alt=sse', body, { 'x-goog-api-key': CLIENT_KEY });
    expect(answer).toMatchObject({ status: 200, body: chunks.join('') });
    const received = upstream.requests.at(-1)!;
    expect(received.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(received.body.toString('utf8')).toBe(body);
    expect(received.headers['x-goog-api-key']).toBe(UPSTREAM_KEY);
    const line = await requestLogLine('/v1beta/models/gemini:gemini-2.5-flash:streamGenerateContent', 1);
    expect(line).toMatchObject({ backend: 'gemini', inputTokens: 6, outputTokens: 2 });
  });

  it('relays an upstream 400 in the Gemini format with its status, as the upstream sent it', async () => {
    const refusal = '{\n  "error": {\n    "code": 400,\n    "message": "Invalid JSON payload received. Unknown name \\"mystery\\": Cannot find field.",\n    "status": "INVALID_ARGUMENT"\n  }\n}\n';
    upstream.enqueue(json(400, refusal));
    const answer = await send('/v1beta/models/gemini:gemini-2.5-flash:generateContent', '{"contents":[],"mystery":1}');
    expect(answer).toMatchObject({ status: 400, body: refusal });
  });

  it('relays a whole generateContent answer unchanged', async () => {
    const reply = '{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1},"modelVersion":"gemini-2.5-flash"}';
    upstream.enqueue(json(200, reply));
    const body = '{"contents":[{"parts":[{"text":"Hi"}]}]}';
    const answer = await send('/v1beta/models/gemini:gemini-2.5-flash:generateContent', body);
    expect(answer).toMatchObject({ status: 200, body: reply });
    expect(upstream.requests.at(-1)!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
  });
});

describe('a relayed stream at shutdown', () => {
  it('ends with the API error event once the drain timeout passes, after the events already relayed', async () => {
    const draining = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: { ANTHROPIC_API_KEY: UPSTREAM_KEY, ANTHROPIC_BASE_URL: upstream.url, LLM_PROXY_DRAIN_TIMEOUT_MS: '500' },
    });
    const firstEvent = 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_s","content":[],"usage":{"input_tokens":1}}}\n\n';
    upstream.enqueue(sse([firstEvent], { holdOpen: true }));
    let stopped: ReturnType<RunningCli['stop']> | undefined;
    const body = await new Promise<string>((resolve, reject) => {
      const outgoing = request(
        `${draining.url}/v1/messages`,
        { method: 'POST', headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' }, agent: false },
        (incoming) => {
          let text = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => {
            if (text === '') stopped = draining.stop('SIGTERM');
            text += chunk;
          });
          incoming.on('end', () => resolve(text));
          incoming.on('error', reject);
        },
      );
      outgoing.once('error', reject);
      outgoing.end('{"model":"anthropic:claude-sonnet-4-5","max_tokens":5,"messages":[],"stream":true}');
    });
    expect(body.startsWith(firstEvent)).toBe(true);
    expect(body.slice(firstEvent.length)).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]*shutting down/);
    expect((await stopped)?.exitCode).toBe(0);
  }, 30_000);
});
