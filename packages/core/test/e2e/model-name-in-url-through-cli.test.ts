/**
 * @fileoverview A model name is a client-chosen value: through the real `llm-proxy` CLI, no
 * model name sent from any front-end may steer a built-in connector's request (and the
 * operator's key) to another path on the vendor's host. Each fake upstream records every path it
 * was asked for; a refused model is a 400 `MODEL_NAME_INVALID` in the calling API's format.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from '../support/fake-anthropic-upstream.js';
import { startFakeGeminiUpstream, type FakeGeminiUpstream } from '../support/fake-gemini-upstream.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-model-path-tests';
/** The traversal strings from the hardening report, and their percent-encoded cousins. */
const ATTACK_MODELS = [
  '../../admin/secret',
  'tunedModels/../../../other/x',
  'models/../../admin/secret',
  '..%2F..%2Fadmin',
  '%2E%2E',
  'x%252F..%252F..%252Fadmin',
  'gemini-2.5-flash?alt=json#',
  'a\\..\\..\\admin',
  'line\nbreak',
];

describe('model names never leave their URL path segment (through the CLI)', () => {
  let gemini: FakeGeminiUpstream;
  let anthropic: FakeAnthropicUpstream;
  let openai: FakeOpenAIUpstream;
  let proxy: RunningCli;

  beforeAll(async () => {
    assertCliBuilt();
    gemini = await startFakeGeminiUpstream();
    anthropic = await startFakeAnthropicUpstream();
    openai = await startFakeOpenAIUpstream();
    proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: {
        GEMINI_API_KEY: 'gemini-upstream-key',
        GEMINI_BASE_URL: gemini.baseUrl,
        ANTHROPIC_API_KEY: 'anthropic-upstream-key',
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        OPENAI_API_KEY: 'openai-upstream-key',
        OPENAI_BASE_URL: openai.baseUrl,
      },
    });
  });

  afterAll(async () => {
    await proxy.stop('SIGTERM');
    await Promise.all([gemini.close(), anthropic.close(), openai.close()]);
    cleanUpCliRuns();
  });

  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${proxy.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...headers },
      body: JSON.stringify(body),
    });
  const chat = (model: string) => post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });
  const messages = (model: string) =>
    post('/v1/messages', { model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });

  it('refuses traversal in a Gemini model from the OpenAI front-end, in OpenAI format, and sends nothing', async () => {
    for (const model of ATTACK_MODELS) {
      const response = await chat(`gemini:${model}`);
      expect({ model, status: response.status }).toEqual({ model, status: 400 });
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('MODEL_NAME_INVALID');
      expect(body.error.message).toContain(JSON.stringify(model));
    }
    expect(gemini.requests.map((request) => request.path)).toEqual([]);
  });

  it('refuses it from the Anthropic front-end, in Anthropic format', async () => {
    const response = await messages('gemini:../../admin/secret');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('"../../admin/secret"');
    expect(gemini.requests).toHaveLength(0);
  });

  it('refuses a percent-encoded traversal in the Gemini path, in Gemini format', async () => {
    const response = await post('/v1beta/models/gemini:..%2F..%2Fx:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; status: string; message: string } };
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.message).toContain('"../../x"');
    expect(gemini.requests).toHaveLength(0);
  });

  it('still sends plain and tunedModels/<id> names to their own path', async () => {
    expect((await chat('gemini:gemini-2.5-flash')).status).toBe(200);
    // The fake serves models/ only: what matters is the path it was asked for.
    await (await chat('gemini:tunedModels/my-tune-7')).arrayBuffer();
    expect(gemini.requests.map((request) => request.path)).toEqual([
      '/v1beta/models/gemini-2.5-flash:generateContent',
      '/v1beta/tunedModels/my-tune-7:generateContent',
    ]);
  });

  it('keeps the Anthropic and OpenAI connectors on their fixed paths whatever the model says', async () => {
    for (const model of ATTACK_MODELS) {
      await (await messages(`anthropic:${model}`)).arrayBuffer();
      await (await chat(`openai:${model}`)).arrayBuffer();
    }
    expect(new Set(anthropic.requests.map((request) => request.path))).toEqual(new Set(['/v1/messages']));
    expect(new Set(openai.requests.map((request) => request.path))).toEqual(new Set(['/v1/chat/completions']));
  });
});
