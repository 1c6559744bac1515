/**
 * @fileoverview What a client sends gets an answer in its API's error format from the real
 * `llm-proxy` CLI, and the server keeps serving: JSON nested past the depth limit (refused at
 * parse time), and case-variant paths (routing, auth and error format agree).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-request-safety-tests';
const DEEP = 5_000;

describe('request safety through the CLI', () => {
  let proxy: RunningCli;

  beforeAll(async () => {
    assertCliBuilt();
    proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications']);
  });

  afterAll(async () => {
    const stopped = await proxy.stop('SIGTERM');
    cleanUpCliRuns();
    expect(stopped.exitCode).toBe(0);
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...headers }, body });

  /** A local answer (no upstream): Gemini countTokens is estimated by the proxy itself. */
  async function expectStillServing(): Promise<void> {
    const response = await post('/v1beta/models/openai:ok:countTokens', JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'still here' }] }] }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
  }

  describe('JSON nested past the depth limit', () => {
    const deepArray = `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`;
    const deepObject = `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`;

    it('is a 400 in OpenAI format on Chat Completions and Responses', async () => {
      for (const [path, body] of [
        ['/v1/chat/completions', `{"model":"openai:x","messages":[{"role":"user","content":"hi"}],"metadata":${deepArray}}`],
        ['/v1/responses', `{"model":"openai:x","input":${deepObject}}`],
      ] as const) {
        const response = await post(path, body);
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        const error = ((await response.json()) as { error: { code: string; type: string; message: string } }).error;
        expect(error.code).toBe('JSON_TOO_DEEP');
        expect(error.message).toContain('512');
      }
      await expectStillServing();
    });

    it('is a 400 in Anthropic format on Messages and count_tokens', async () => {
      for (const path of ['/v1/messages', '/v1/messages/count_tokens', '/anthropic/v1/messages']) {
        const response = await post(path, `{"model":"anthropic:x","max_tokens":5,"messages":[{"role":"user","content":${deepArray}}]}`, {
          'anthropic-version': '2023-06-01',
        });
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        const body = (await response.json()) as { type: string; error: { type: string; message: string } };
        expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
        expect(body.error.message).toContain('deeper than the limit of 512 levels');
      }
      await expectStillServing();
    });

    it('is a 400 in Gemini format, contents[0].role nested 5,000 deep on countTokens included', async () => {
      for (const path of ['/v1beta/models/openai:ok:countTokens', '/v1beta/models/openai:ok:generateContent']) {
        const response = await post(path, `{"contents":[{"role":${deepObject},"parts":[{"text":"hi"}]}]}`);
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        const body = (await response.json()) as { error: { code: number; status: string; message: string } };
        expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
        expect(body.error.message).toContain('512');
      }
      await expectStillServing();
    });

    it('does not count brackets inside strings', async () => {
      const response = await post('/v1beta/models/openai:ok:countTokens', JSON.stringify({ contents: [{ role: 'user', parts: [{ text: `"\\${deepArray}` }] }] }));
      expect(response.status).toBe(200);
    });
  });

  describe('case-variant paths: routing, auth and error format agree', () => {
    it('answers /V1/MESSAGES and /anthropic/V1/MESSAGES with a 404, not the Anthropic handler', async () => {
      for (const path of ['/V1/MESSAGES', '/v1/Messages', '/V1/messages/count_tokens']) {
        const response = await post(path, '{"model":"anthropic:x","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}', { 'anthropic-version': '2023-06-01' });
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        // Not an Anthropic path, so the proxy's format for other paths (OpenAI's).
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('ROUTE_NOT_FOUND');
      }
      // Under /anthropic the family is Anthropic's, so the 404 is in Anthropic format.
      const prefixed = await post('/anthropic/V1/MESSAGES', '{}', { 'anthropic-version': '2023-06-01' });
      expect(prefixed.status).toBe(404);
      expect(await prefixed.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    });

    it('answers /V1BETA/... with a 404, and takes ?key= only on the real Gemini paths', async () => {
      const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
      const upper = await post('/V1BETA/models/openai:ok:countTokens', body);
      expect(upper.status).toBe(404);
      expect(((await upper.json()) as { error: { code: string } }).error.code).toBe('ROUTE_NOT_FOUND');

      const keyInQuery = (path: string) => fetch(`${proxy.url}${path}?key=${CLIENT_KEY}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const upperWithQueryKey = await keyInQuery('/V1BETA/models/openai:ok:countTokens');
      expect(upperWithQueryKey.status).toBe(401);
      expect(((await upperWithQueryKey.json()) as { error: { code: string } }).error.code).toBe('AUTH_KEY_MISSING');
      const lowerWithQueryKey = await keyInQuery('/v1beta/models/openai:ok:countTokens');
      expect(lowerWithQueryKey.status).toBe(200);
    });
  });
});
