/**
 * The Claude Code recipe of docs/frontends/anthropic.md, through the real CLI with the committed
 * example config (examples/claude-code-on-openai.yaml): `config explain` accepts it, and Claude
 * Code's own model names (main and small-fast) reach the openai backend as the routes say, with
 * nothing on the client side but the base URL and the key as a bearer token.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, runLlmProxy, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples/claude-code-on-openai.yaml');

let upstream: FakeOpenAIUpstream;
let proxy: RunningCli;
let clientKey: string;

beforeAll(async () => {
  assertCliBuilt();
  upstream = await startFakeOpenAIUpstream({ apiKey: 'sk-openai-recipe' });
  proxy = await startLlmProxy(['--config', EXAMPLE, '--port', '0', '--disable-notifications'], {
    env: { OPENAI_API_KEY: 'sk-openai-recipe', OPENAI_BASE_URL: upstream.baseUrl },
  });
  clientKey = (await proxy.waitForStdout(/^Generated API key for this run: (\S+)$/m))[1] ?? '';
});

afterAll(async () => {
  cleanUpCliRuns();
  await upstream.close();
});

/** A request as Claude Code sends it with ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN set. */
async function claudeCodeRequest(model: string): Promise<Response> {
  return fetch(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 512, stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }] }),
  });
}

describe('the Claude Code model-route recipe', () => {
  it('is accepted by config explain, which shows its routes', async () => {
    const result = await runLlmProxy(['config', 'explain', '--config', EXAMPLE]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('claude-*haiku* → openai:gpt-4.1-mini; claude-* → openai:gpt-4.1, openrouter:openai/gpt-4.1');
  });

  it.each([
    ['claude-sonnet-4-5-20250929', 'gpt-4.1'],
    ['claude-opus-4-1-20250805', 'gpt-4.1'],
    ['claude-haiku-4-5-20251001', 'gpt-4.1-mini'],
    ['claude-3-5-haiku-20241022', 'gpt-4.1-mini'],
  ])('sends %s to openai:%s', async (claudeModel, openAIModel) => {
    const response = await claudeCodeRequest(claudeModel);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llmproxy-backend')).toBe('openai');
    const events = await response.text();
    expect(events).toContain('event: message_stop');
    expect(events).toContain('the fake upstream');
    const sent = upstream.requests.filter((request) => request.path === '/v1/chat/completions').at(-1);
    expect((sent?.body as { model: string }).model).toBe(openAIModel);
  });
});
