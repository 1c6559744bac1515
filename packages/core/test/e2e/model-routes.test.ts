/**
 * Model routes through the real CLI: a glob sends Claude Code's small-fast model to another
 * backend, a list of targets falls back on 503, 429 and a refused connection before the first
 * byte (and only then), a target that failed rests, the answering backend is named in
 * `x-llmproxy-backend`, `config explain` and `/v1/models` show the routes, and bad routes stop
 * startup. Upstreams are fake OpenAI and Anthropic servers on 127.0.0.1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from '../support/fake-anthropic-upstream.js';
import { rateLimitedReply, startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, findFreePort, runLlmProxy, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'model-routes-client-key-1';

let primary: FakeOpenAIUpstream;
let secondary: FakeOpenAIUpstream;
let anthropic: FakeAnthropicUpstream;
let proxy: RunningCli;
let closedPort: number;

function configYaml(): string {
  return [
    'notifications: { enabled: false }',
    `auth: { api_keys: [${CLIENT_KEY}] }`,
    'backends:',
    `  primary: { type: openai-compatible, base_url: "${primary.baseUrl}" }`,
    `  secondary: { type: openai-compatible, base_url: "${secondary.baseUrl}" }`,
    `  gone: { type: openai-compatible, base_url: "http://127.0.0.1:${closedPort}/v1" }`,
    `  anthropic: { base_url: "${anthropic.baseUrl}", api_key: sk-ant-route-test }`,
    'model_routes:',
    '  - match: claude-*-haiku-*',
    '    to: secondary:small-model',
    '  - match: smart',
    '    to: [primary:big-model, secondary:backup-model]',
    '  - match: limited',
    '    to: [primary:limited-model, secondary:backup-model]',
    '  - match: unreachable',
    '    to: [gone:any-model, secondary:backup-model]',
    '  - match: streamed',
    '    to: [primary:stream-model, secondary:backup-model]',
    '',
  ].join('\n');
}

beforeAll(async () => {
  assertCliBuilt();
  [primary, secondary, anthropic, closedPort] = await Promise.all([
    startFakeOpenAIUpstream(),
    startFakeOpenAIUpstream(),
    startFakeAnthropicUpstream({ apiKeys: ['sk-ant-route-test'] }),
    findFreePort(),
  ]);
  const cwd = createWorkingDirectory({ 'llm-proxy.yaml': configYaml() });
  proxy = await startLlmProxy(['--port', '0'], { cwd });
});

afterAll(async () => {
  cleanUpCliRuns();
  await Promise.all([primary.close(), secondary.close(), anthropic.close()]);
});

async function chat(model: string, stream = false): Promise<Response> {
  return fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Hello' }] }),
  });
}

function chatRequestsTo(upstream: FakeOpenAIUpstream): Array<{ model: unknown }> {
  return upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).map((request) => request.body as { model: unknown });
}

describe('model routes', () => {
  it("sends Claude Code's small-fast model, matched by a glob, to the route's target", async () => {
    const response = await fetch(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-3-5-haiku-20241022', max_tokens: 100, messages: [{ role: 'user', content: 'Title this chat' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llmproxy-backend')).toBe('secondary');
    const body = (await response.json()) as { type: string; content: Array<{ text?: string }> };
    expect(body.type).toBe('message');
    expect(body.content[0]?.text).toBe('Hello from the fake upstream');
    expect(chatRequestsTo(secondary).at(-1)?.model).toBe('small-model');
    // The anthropic backend, which the model's name alone would suggest, was never asked.
    expect(anthropic.requests.filter((request) => request.path === '/v1/messages')).toHaveLength(0);
  });

  it('names the answering backend on a request that no route matched', async () => {
    const response = await chat('secondary:direct-model');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llmproxy-backend')).toBe('secondary');
    expect(chatRequestsTo(secondary).at(-1)?.model).toBe('direct-model');
  });

  it('falls back to the next target on a 503, then skips the resting target on the next request', async () => {
    primary.enqueue({ type: 'error', status: 503, error: { message: 'overloaded', type: 'server_error' } });
    const primaryBefore = chatRequestsTo(primary).length;
    const secondaryBefore = chatRequestsTo(secondary).length;

    const first = await chat('smart');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-llmproxy-backend')).toBe('secondary');
    expect(((await first.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe('Hello from the fake upstream');
    expect(chatRequestsTo(primary).slice(primaryBefore).map((body) => body.model)).toEqual(['big-model']);
    expect(chatRequestsTo(secondary).slice(secondaryBefore).map((body) => body.model)).toEqual(['backup-model']);

    // primary:big-model rests (server.fallback_rest_ms, 30 s by default): not asked again.
    const second = await chat('smart');
    expect(second.status).toBe(200);
    expect(second.headers.get('x-llmproxy-backend')).toBe('secondary');
    expect(chatRequestsTo(primary)).toHaveLength(primaryBefore + 1);
    expect(chatRequestsTo(secondary)).toHaveLength(secondaryBefore + 2);
    await proxy.waitForStdout(/listening/);
    expect(proxy.output.stderr).toMatch(/A model route target failed before its first byte; the next target serves the request/);
    expect(proxy.output.stderr).toContain('primary:big-model');
  });

  it('falls back on a 429 before the first byte of a streamed answer', async () => {
    primary.enqueue(rateLimitedReply(120));
    const response = await chat('limited', true);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llmproxy-backend')).toBe('secondary');
    const text = await response.text();
    expect(text).toContain('the fake upstream');
    expect(text).toContain('data: [DONE]');
    expect(chatRequestsTo(secondary).at(-1)?.model).toBe('backup-model');
  });

  it('falls back when the first target refuses the connection', async () => {
    const response = await chat('unreachable');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llmproxy-backend')).toBe('secondary');
    expect(proxy.output.stderr).toContain('gone:any-model');
  });

  it('does not fall back once the first byte reached the client: the stream ends with the error', async () => {
    const secondaryBefore = chatRequestsTo(secondary).length;
    const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'stream-model', choices: [{ index: 0, delta: { role: 'assistant', content: 'Partial' }, finish_reason: null }] };
    // One valid chunk, then the connection ends without a finish or [DONE].
    primary.enqueue({ type: 'raw-stream', frames: [`data: ${JSON.stringify(chunk)}\n\n`] });
    const response = await chat('streamed', true);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llmproxy-backend')).toBe('primary');
    const text = await response.text();
    expect(text).toContain('Partial');
    expect(text).toMatch(/"error"/);
    expect(chatRequestsTo(secondary)).toHaveLength(secondaryBefore);
  });

  it('answers the last target’s failure when every target failed', async () => {
    // `smart`'s primary rests, so secondary is the only candidate left; its 500 reaches the client.
    secondary.enqueue({ type: 'error', status: 500, error: { message: 'secondary is down', type: 'server_error' } });
    const response = await chat('smart');
    expect(response.status).toBe(500);
    expect(response.headers.get('x-llmproxy-backend')).toBe('secondary');
    expect(JSON.stringify(await response.json())).toContain('secondary is down');
  });

  it('lists the exact route names in /v1/models, owned by their first backend, and not the globs', async () => {
    const response = await fetch(`${proxy.url}/v1/models`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    const ids = ((await response.json()) as { data: Array<{ id: string; owned_by: string }> }).data;
    expect(ids).toEqual(expect.arrayContaining([{ id: 'smart', object: 'model', created: 0, owned_by: 'primary' }]));
    expect(ids.map((entry) => entry.id)).not.toContain('claude-*-haiku-*');

    const anthropicList = await fetch(`${proxy.url}/anthropic/v1/models`, { headers: { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' } });
    const anthropicIds = ((await anthropicList.json()) as { data: Array<{ id: string }> }).data.map((entry) => entry.id);
    expect(anthropicIds.slice(0, 4)).toEqual(['smart', 'limited', 'unreachable', 'streamed']);

    const geminiList = await fetch(`${proxy.url}/v1beta/models`, { headers: { 'x-goog-api-key': CLIENT_KEY } });
    const geminiNames = ((await geminiList.json()) as { models: Array<{ name: string; baseModelId: string }> }).models;
    expect(geminiNames[0]).toMatchObject({ name: 'models/smart', baseModelId: 'big-model' });
  });
});

describe('model routes in the configuration', () => {
  afterEach(cleanUpCliRuns);

  it('config explain shows the routes and where they came from', async () => {
    const cwd = createWorkingDirectory({
      'llm-proxy.yaml': 'model_routes:\n  - match: claude-*-haiku-*\n    to: openai:gpt-4.1-mini\n  - match: claude-*\n    to: [anthropic:claude-sonnet-4-5, openrouter:anthropic/claude-sonnet-4.5]\n',
    });
    const result = await runLlmProxy(['config', 'explain'], { cwd });
    expect(result.exitCode).toBe(0);
    const row = result.stdout.split('\n').find((line) => line.startsWith('  model_routes '));
    expect(row).toMatch(
      /^ {2}model_routes +claude-\*-haiku-\* → openai:gpt-4\.1-mini; claude-\* → anthropic:claude-sonnet-4-5, openrouter:anthropic\/claude-sonnet-4\.5 +yaml \(model_routes in .*llm-proxy\.yaml\)$/,
    );
  });

  it('stops startup when a route names a backend that is not loaded, with the fix', async () => {
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': 'notifications: { enabled: false }\nmodel_routes:\n  - match: claude-*\n    to: [openai:gpt-4.1, nosuch:model-x]\n' });
    const result = await runLlmProxy(['--port', '0'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('[MODEL_ROUTE_BACKEND_UNKNOWN]');
    expect(result.stderr).toContain('model_routes[0] sends models to the backend "nosuch", which is not loaded');
    expect(result.stderr).toContain('Current value: claude-* → openai:gpt-4.1, nosuch:model-x');
    expect(result.stderr).toMatch(/Name one of the loaded backends \(.*openai.*\) in model_routes\[0\]\.to/);
  });

  it.each([
    ['an empty pattern', 'model_routes:\n  - match: ""\n    to: openai:gpt-4.1\n', 'model_routes[0].match has a value that is not allowed. Current value: "".'],
    ['a target without a model', 'model_routes:\n  - match: gpt-x\n    to: openai\n', 'model_routes[0].to has a value that is not allowed. Current value: "openai". Allowed: backend:model'],
    ['an empty list of targets', 'model_routes:\n  - match: gpt-x\n    to: []\n', 'model_routes[0].to has a value that is not allowed. Current value: []. Allowed: backend:model'],
  ])('stops startup on %s, naming the key', async (_case, yaml, message) => {
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': yaml });
    const result = await runLlmProxy(['--port', '0'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.listenCalls).toEqual([]);
    expect(result.stderr).toContain('[CONFIG_INVALID]');
    expect(result.stderr).toContain(message);
  });
});
