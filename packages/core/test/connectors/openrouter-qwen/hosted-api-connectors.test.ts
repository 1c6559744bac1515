/**
 * The built-in openrouter and qwen connectors (the openai implementation with their vendors'
 * settings) against the fake OpenAI upstream, reached through their base-URL variables.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ChatEvent, ChatRequest, ConnectorContext, ConnectorDefinition, LlmProxyError } from '@llmproxy/connector-sdk';
import openrouter, { resolveOpenRouterSettings } from '../../../src/connectors/openrouter/index.js';
import qwen, { resolveQwenSettings } from '../../../src/connectors/qwen/index.js';
import { createUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../../support/fake-openai-upstream.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeUpstream(apiKey: string): Promise<FakeOpenAIUpstream> {
  const upstream = await startFakeOpenAIUpstream({ apiKey, models: ['qwen-plus', 'anthropic/claude-sonnet-4'] });
  cleanups.push(() => upstream.close());
  return upstream;
}

function contextFor(backendName: string, env: Record<string, string>, config: Record<string, unknown> = {}): ConnectorContext & { logger: RecordingLogger } {
  const logger = createRecordingLogger();
  const http = createUpstreamHttpClient({ timeoutMs: 5000, logger });
  cleanups.push(() => http.close());
  return { backendName, logger, http, notifier: { notify() {} }, config, env };
}

const request = (model: string, overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  stream: false,
  maxOutputTokens: 50,
  ...overrides,
});
const options = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

describe.each([
  { definition: openrouter, id: 'openrouter', keyVariable: 'OPENROUTER_API_KEY', baseUrlVariable: 'OPENROUTER_BASE_URL', model: 'anthropic/claude-sonnet-4' },
  { definition: qwen, id: 'qwen', keyVariable: 'DASHSCOPE_API_KEY', baseUrlVariable: 'DASHSCOPE_BASE_URL', model: 'qwen-plus' },
] as Array<{ definition: ConnectorDefinition; id: string; keyVariable: string; baseUrlVariable: string; model: string }>)(
  'the $id connector',
  ({ definition, id, keyVariable, baseUrlVariable, model }) => {
    it('is a built-in static-credential connector with a default backend', () => {
      expect([definition.id, definition.hasStaticCredentials, definition.createsDefaultBackend]).toEqual([id, true, true]);
    });

    it('answers through the vendor variables, sending max_tokens', async () => {
      const upstream = await fakeUpstream(`${id}-key`);
      const connector = await definition.create(contextFor(id, { [keyVariable]: `${id}-key`, [baseUrlVariable]: upstream.baseUrl }));
      const result = await connector.chat(request(model), options());
      expect(result.type === 'response' && result.response.content).toEqual([{ type: 'text', text: 'Hello from the fake upstream' }]);
      const seen = upstream.requests[0];
      expect(seen?.path).toBe('/v1/chat/completions');
      expect(seen?.headers.authorization).toBe(`Bearer ${id}-key`);
      expect(seen?.body).toMatchObject({ model, max_tokens: 50 });
      expect(await connector.listModels(options())).toHaveLength(2);
    });

    it('streams tool calls', async () => {
      const upstream = await fakeUpstream(`${id}-key`);
      upstream.enqueue({ type: 'answer', toolCalls: [{ id: 'call_1', name: 'lookup', argumentPieces: ['{"q":', '"x"}'] }] });
      const connector = await definition.create(contextFor(id, { [keyVariable]: `${id}-key`, [baseUrlVariable]: upstream.baseUrl }));
      const result = await connector.chat(request(model, { stream: true }), options());
      if (result.type !== 'stream') throw new Error('expected a stream');
      const events: ChatEvent[] = [];
      for await (const event of result.events) events.push(event);
      expect(events.filter((event) => event.type.startsWith('tool-call'))).toEqual([
        { type: 'tool-call-start', index: 0, id: 'call_1', name: 'lookup' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '"x"}' },
      ]);
    });

    it('rotates numbered keys, retiring a rejected one', async () => {
      const upstream = await fakeUpstream(`${id}-good`);
      const context = contextFor(id, { [`${keyVariable}_1`]: `${id}-revoked`, [`${keyVariable}_2`]: `${id}-good`, [baseUrlVariable]: upstream.baseUrl });
      const connector = await definition.create(context);
      expect((await connector.chat(request(model), options())).type).toBe('response');
      expect(upstream.requests.map((seen) => seen.headers.authorization)).toEqual([`Bearer ${id}-revoked`, `Bearer ${id}-good`]);
      expect(context.logger.text()).toContain(`API key #1 of backend ${id} was rejected by the upstream; retired, next try at`);
      expect(context.logger.text()).not.toContain(`${id}-revoked`);
    });

    it('without a key, requests fail naming the variable and reach no upstream', async () => {
      const upstream = await fakeUpstream(`${id}-key`);
      const connector = await definition.create(contextFor(id, { [baseUrlVariable]: upstream.baseUrl }));
      const error = (await connector.chat(request(model), options()).catch((thrown: unknown) => thrown)) as LlmProxyError;
      expect(error.code).toBe('BACKEND_CREDENTIALS_MISSING');
      expect(error.message).toContain(`Set the ${keyVariable} environment variable or backends.${id}.api_key`);
      expect(upstream.requests).toHaveLength(0);
    });
  },
);

describe('vendor defaults', () => {
  it('openrouter defaults to its API and sends its attribution headers', async () => {
    const settings = resolveOpenRouterSettings(contextFor('openrouter', { OPENROUTER_API_KEY: 'k' }));
    expect(settings.baseUrl).toBe('https://openrouter.ai/api/v1');
    expect(settings.headers).toEqual({ 'HTTP-Referer': 'https://github.com/llmproxy/llmproxy', 'X-Title': 'llmproxy' });
    const upstream = await fakeUpstream('k');
    const connector = await openrouter.create(contextFor('openrouter', { OPENROUTER_API_KEY: 'k', OPENROUTER_BASE_URL: upstream.baseUrl }));
    await connector.chat(request('openai/gpt-4o'), options());
    expect(upstream.requests[0]?.headers['x-title']).toBe('llmproxy');
  });

  it('qwen defaults to the international DashScope endpoint; base_url in YAML changes it', () => {
    expect(resolveQwenSettings(contextFor('qwen', { DASHSCOPE_API_KEY: 'k' })).baseUrl).toBe(
      'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    );
    const china = resolveQwenSettings(contextFor('qwen', { DASHSCOPE_API_KEY: 'k' }, { base_url: 'https://dashscope.aliyuncs.com/compatible-mode/v1/' }));
    expect(china.baseUrl).toBe('https://dashscope.aliyuncs.com/compatible-mode/v1');
    expect(china.responsesModels).toEqual([]);
  });
});
