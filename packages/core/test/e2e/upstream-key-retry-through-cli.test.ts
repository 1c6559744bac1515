/**
 * @fileoverview A backend with one upstream key, through the real `llm-proxy` CLI: when the
 * upstream says the key is revoked (OpenAI `invalid_api_key`, Anthropic `authentication_error`,
 * Gemini 400 `API_KEY_INVALID`) the key is retired, but only for its back-off (shortened here
 * with LLM_PROXY_UPSTREAM_KEY_RETRY_MS), then tried again and served once the upstream accepts
 * it; `/internal/health` shows each key's state by number. A 401 a gateway gives for one model
 * only does not retire the key, so other models keep working.
 */
import fs from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from '../support/fake-anthropic-upstream.js';
import { geminiInvalidKeyReply, startFakeGeminiUpstream, type FakeGeminiUpstream } from '../support/fake-gemini-upstream.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-key-retry-tests';
const OPENAI_KEY = 'sk-openai-key-for-retry-tests';
const ANTHROPIC_KEY = 'sk-ant-key-for-retry-tests';
const GEMINI_KEY = 'gemini-key-for-retry-tests';
const RETRY_MS = 1_000;

interface Answer {
  status: number;
  requestId: string | undefined;
  json: { error?: { message?: string; code?: unknown }; choices?: Array<{ message: { content: string } }>; backends?: Array<{ name: string; credentials?: string[] }> };
}

function call(proxy: RunningCli, method: 'GET' | 'POST', path: string, body?: object): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${proxy.url}${path}`,
      { method, headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' }, agent: false },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, requestId: incoming.headers['x-request-id'] as string | undefined, json: JSON.parse(text) as Answer['json'] }),
        );
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const chat = (proxy: RunningCli, model: string): Promise<Answer> =>
  call(proxy, 'POST', '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'Hello' }] });

async function credentialsOf(proxy: RunningCli, backend: string): Promise<string[] | undefined> {
  const health = await call(proxy, 'GET', '/internal/health');
  return health.json.backends?.find((entry) => entry.name === backend)?.credentials;
}

/** The proxy's JSON log line whose message contains `text`, for `backend`, waiting up to two seconds for it. */
async function logLineOf(proxy: RunningCli, text: string, backend: string): Promise<Record<string, unknown> | undefined> {
  const logFile = path.join(proxy.cwd, 'var/logs/llm-proxy.log');
  for (let waited = 0; waited <= 2000; waited += 50) {
    const lines = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').filter((line) => line !== '') : [];
    const found = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => String(line['message']).includes(text) && line['backend'] === backend);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

describe('upstream key retirement through the CLI', () => {
  let openai: FakeOpenAIUpstream;
  let anthropic: FakeAnthropicUpstream;
  let gemini: FakeGeminiUpstream;
  let proxy: RunningCli;

  beforeAll(async () => {
    assertCliBuilt();
    [openai, anthropic, gemini] = await Promise.all([startFakeOpenAIUpstream(), startFakeAnthropicUpstream(), startFakeGeminiUpstream()]);
    proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: {
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_BASE_URL: gemini.baseUrl,
        LLM_PROXY_UPSTREAM_KEY_RETRY_MS: String(RETRY_MS),
      },
    });
  });

  afterAll(async () => {
    const stopped = await proxy.stop('SIGTERM');
    await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
    cleanUpCliRuns();
    expect(stopped.exitCode).toBe(0);
    for (const key of [OPENAI_KEY, ANTHROPIC_KEY, GEMINI_KEY]) expect(stopped.stdout + stopped.stderr).not.toContain(key);
  });

  const cases = [
    {
      backend: 'openai',
      model: 'openai:gpt-4o-mini',
      revoke: () =>
        openai.enqueue({ type: 'error', status: 401, error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }),
      upstreamCalls: () => openai.requests.length,
    },
    {
      backend: 'anthropic',
      model: 'anthropic:claude-sonnet-4-5',
      revoke: () => anthropic.enqueue({ type: 'error', status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' }),
      upstreamCalls: () => anthropic.requests.length,
    },
    {
      backend: 'gemini',
      model: 'gemini:gemini-2.5-flash',
      revoke: () => gemini.enqueue(geminiInvalidKeyReply()),
      upstreamCalls: () => gemini.requests.length,
    },
  ];

  for (const { backend, model, revoke, upstreamCalls } of cases) {
    it(`${backend}: a revoked single key is retried after its back-off and serves again once accepted`, async () => {
      revoke();
      const refused = await chat(proxy, model);
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      // The pool's line about the key names the request that found it revoked.
      expect(await logLineOf(proxy, 'was rejected by the upstream; retired', backend)).toMatchObject({ requestId: refused.requestId });

      // Retired: the next request is refused without reaching the upstream.
      const callsBefore = upstreamCalls();
      const exhausted = await chat(proxy, model);
      expect(exhausted.status).toBe(401);
      expect(exhausted.json.error?.message).toMatch(/^Every API key of backend .* was rejected by the upstream/);
      expect(upstreamCalls()).toBe(callsBefore);
      expect(await credentialsOf(proxy, backend)).toEqual([expect.stringMatching(/^key #1: retired, next try at \d{4}-\d\d-\d\dT[\d:.]+Z$/)]);

      // After the back-off the key is tried again; the upstream (the key rotated back in) accepts it.
      let served: Answer | undefined;
      const deadline = Date.now() + 20 * RETRY_MS;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS / 4));
        const attempt = await chat(proxy, model);
        if (attempt.status === 200) {
          served = attempt;
          break;
        }
      }
      expect(served?.json.choices?.[0]?.message.content).toEqual(expect.any(String));
      expect(await credentialsOf(proxy, backend)).toEqual(['key #1: active']);
    });
  }

  it('openai: a gateway 401 for one model leaves the key in service for the others', async () => {
    // What a LiteLLM-style gateway answers for a model this key may not use.
    openai.enqueue({
      type: 'error',
      status: 401,
      error: { message: "key not allowed to access model. This key can only access models=['gpt-4o-mini']. Tried to access gpt-5", type: 'key_model_access_denied', code: '401' },
    });
    const refused = await chat(proxy, 'openai:gpt-5');
    expect(refused.status).toBe(401);
    expect(refused.json.error?.message).toContain('key not allowed to access model');
    expect((await chat(proxy, 'openai:gpt-4o-mini')).status).toBe(200);
    expect(await credentialsOf(proxy, 'openai')).toEqual(['key #1: active']);
  });

  it('gemini: a bare 401 from a gateway for one model leaves the key in service', async () => {
    gemini.enqueue({ type: 'error', status: 401, error: { message: 'Model gemini-2.5-pro is not enabled for this key', status: 'UNAUTHENTICATED' } });
    expect((await chat(proxy, 'gemini:gemini-2.5-pro')).status).toBe(401);
    expect((await chat(proxy, 'gemini:gemini-2.5-flash')).status).toBe(200);
    expect(await credentialsOf(proxy, 'gemini')).toEqual(['key #1: active']);
  });
});
