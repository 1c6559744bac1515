/**
 * gemini-oauth-auto's account pool against a fake Google token endpoint and Code Assist server
 * on 127.0.0.1, with core's real HTTP client and codecs, a temporary accounts directory and a
 * recording notifier.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, Connector } from '@llmproxy/connector-sdk';
import { createTestConnectorContext, type TestConnectorContext } from '@llmproxy/connector-sdk/testing';
import geminiOauthAuto from '../../src/gemini-oauth-auto/index.js';
import { createGeminiAccountPoolConnector } from '../../src/gemini-oauth-auto/create-gemini-account-pool-connector.js';
import { coreWireCodecs, createCoreHttpClient } from '../support/core-services.js';
import { startFakeGoogleUpstream, type FakeGoogleUpstream, type GenerateBehaviour } from '../support/fake-google-upstream.js';
import { createTemporaryHome, geminiCredentials, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

const HOUR = 3_600_000;

function chatRequest(opening = 'Hi', stream = false): ChatRequest {
  return { model: 'gemini-2.5-pro', stream, messages: [{ role: 'user', content: [{ type: 'text', text: opening }] }] };
}

async function failureOf(promise: Promise<unknown>): Promise<LlmProxyError> {
  try {
    await promise;
  } catch (error) {
    if (LlmProxyError.is(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

function textOf(result: Awaited<ReturnType<Connector['chat']>>): string {
  if (result.type !== 'response') throw new Error('expected a whole response');
  return result.response.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

describe('gemini-oauth-auto account pool', () => {
  let upstream: FakeGoogleUpstream;
  let directory: string;
  let test: TestConnectorContext;
  let http: ReturnType<typeof createCoreHttpClient>;
  let clock: number;

  beforeEach(async () => {
    upstream = await startFakeGoogleUpstream();
    directory = path.join(createTemporaryHome(), 'accounts');
    clock = Date.now();
  });
  afterEach(async () => {
    http?.close();
    await upstream.close();
    removeTemporaryHomes();
  });

  /** An account file `name.json` whose token the fake knows; its project is `project-<name>`. */
  function addAccount(name: string, generate: GenerateBehaviour[] = []): void {
    writeJsonFile(directory, `${name}.json`, geminiCredentials({ accessToken: `token-${name}`, refreshToken: `refresh-${name}`, expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: `token-${name}`, load: { kind: 'onboarded', project: `project-${name}` }, generate });
  }

  function create(config: Record<string, unknown> = {}): Connector {
    test = createTestConnectorContext({
      backendName: 'gemini-oauth-auto',
      config: { code_assist_endpoint: upstream.url, oauth_token_url: upstream.tokenUrl, accounts_directory: directory, ...config },
      env: {},
      codecs: coreWireCodecs,
    });
    http = createCoreHttpClient(test.context.logger);
    return createGeminiAccountPoolConnector({ ...test.context, http }, { now: () => clock });
  }

  function generateCallsBy(name: string): number {
    return upstream.calls.filter((call) => call.path.includes('GenerateContent') || call.path.includes('generateContent')).filter((call) => call.headers.authorization === `Bearer token-${name}`).length;
  }

  const signal = (): AbortSignal => new AbortController().signal;

  it('is declared as an opt-in personal-credential connector', () => {
    expect(geminiOauthAuto.id).toBe('gemini-oauth-auto');
    expect(geminiOauthAuto.hasStaticCredentials).toBe(false);
    expect(geminiOauthAuto.optInNotice).toContain('Gemini CLI terms');
  });

  it('moves a request to the next account on a 429 and cools the first down for Google\'s reset hint', async () => {
    addAccount('a', [{ kind: 'rate-limited', retryDelay: '30s' }]);
    addAccount('b');
    addAccount('c');
    const connector = create({ selection_strategy: 'first-available' });

    expect(textOf(await connector.chat(chatRequest(), { signal: signal() }))).toBe('Hello from project-b');
    expect(generateCallsBy('a')).toBe(1);
    // While a cools down, requests go straight to b.
    expect(textOf(await connector.chat(chatRequest(), { signal: signal() }))).toBe('Hello from project-b');
    expect(generateCallsBy('a')).toBe(1);
    // After its 30 s, a serves again.
    clock += 31_000;
    expect(textOf(await connector.chat(chatRequest(), { signal: signal() }))).toBe('Hello from project-a');
    expect(test.logs.some((entry) => entry.level === 'warn' && entry.message.includes('rate-limit quota'))).toBe(true);
  });

  it('with every account exhausted answers 429 naming when the earliest frees up', async () => {
    const reset = new Date(clock + 2 * HOUR).toISOString();
    addAccount('a', [{ kind: 'quota-exhausted', quotaResetTimeStamp: reset }]);
    addAccount('b', [{ kind: 'bare-429' }]);
    addAccount('c', [{ kind: 'rate-limited', retryDelay: '45s' }]);
    const connector = create({ selection_strategy: 'first-available' });

    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_ACCOUNTS_EXHAUSTED');
    expect(error.httpStatus).toBe(429);
    // c (45 s) frees up before b (default 60 s) and a (two hours).
    expect(error.details['retryAfterSeconds']).toBe(45);
    expect(error.message).toContain(`the earliest, "c", frees up at ${new Date(clock + 45_000).toISOString()}`);
    expect(error.message).toContain('daily-quota quota');

    // Later requests are refused at once, without reaching Google.
    const calls = upstream.calls.length;
    clock += 10_000;
    const again = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(again.details['retryAfterSeconds']).toBe(35);
    expect(upstream.calls.length).toBe(calls);
  });

  it('blocks an account that needs verification, notifies with the link and the accounts left, and serves from the next', async () => {
    addAccount('a', [{ kind: 'validation-required', validationUrl: 'https://accounts.google.com/verify?a' }]);
    addAccount('b');
    addAccount('c');
    const connector = create({ selection_strategy: 'first-available' });

    expect(textOf(await connector.chat(chatRequest(), { signal: signal() }))).toBe('Hello from project-b');
    expect(test.notifications).toHaveLength(1);
    expect(test.notifications[0]!.title).toBe('Gemini account needs verification');
    expect(test.notifications[0]!.message).toContain('https://accounts.google.com/verify?a');
    expect(test.notifications[0]!.message).toContain('2 of 3 account(s) of backend gemini-oauth-auto remain usable');
  });

  it('sends its own notification for an account without a project', async () => {
    writeJsonFile(directory, 'a.json', geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'needs-onboarding', defaultTier: 'standard-tier', polls: 0 } });
    addAccount('b');
    const connector = create({ selection_strategy: 'first-available' });

    expect(textOf(await connector.chat(chatRequest(), { signal: signal() }))).toBe('Hello from project-b');
    expect(test.notifications.map((notification) => notification.title)).toEqual(['Gemini account has no Cloud project']);
    expect(test.notifications[0]!.message).toContain('project_id');
  });

  it('uses an account file\'s project_id for onboarding', async () => {
    writeJsonFile(directory, 'a.json', geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR, extra: { project_id: 'own-project' } }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'needs-onboarding', defaultTier: 'standard-tier', polls: 0 } });
    const connector = create();
    expect(textOf(await connector.chat(chatRequest(), { signal: signal() }))).toBe('Hello from own-project');
  });

  it('session affinity keeps a conversation on its account; round-robin spreads requests', async () => {
    addAccount('a');
    addAccount('b');
    addAccount('c');
    const sticky = create();
    const first = textOf(await sticky.chat(chatRequest('conversation one'), { signal: signal() }));
    for (let turn = 0; turn < 3; turn += 1) {
      expect(textOf(await sticky.chat(chatRequest('conversation one'), { signal: signal() }))).toBe(first);
    }
    const other = textOf(await sticky.chat(chatRequest('conversation two'), { signal: signal() }));
    expect(other).not.toBe(first);

    http.close();
    const spread = create({ selection_strategy: 'round-robin' });
    const served = [];
    for (let index = 0; index < 3; index += 1) served.push(textOf(await spread.chat(chatRequest('same'), { signal: signal() })));
    expect(new Set(served).size).toBe(3);
  });

  it('never retries once a stream has begun', async () => {
    addAccount('a', [{ kind: 'stream-error' }]);
    addAccount('b');
    const connector = create({ selection_strategy: 'first-available' });
    const result = await connector.chat(chatRequest('Hi', true), { signal: signal() });
    if (result.type !== 'stream') throw new Error('expected a stream');
    const events: ChatEvent[] = [];
    const failure = await (async () => {
      try {
        for await (const event of result.events) events.push(event);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(events).toContainEqual({ type: 'text-delta', text: 'Partial ' });
    expect(LlmProxyError.is(failure) && failure.httpStatus).toBe(429);
    expect(generateCallsBy('b')).toBe(0);
  });

  it('refreshes an expired pool account and keeps its file\'s other keys', async () => {
    const file = writeJsonFile(directory, 'a.json', geminiCredentials({ accessToken: 'old', refreshToken: 'refresh-a', expiresInMs: -HOUR, extra: { email: 'a@example.com' } }));
    upstream.refreshGrants.set('refresh-a', { accessToken: 'token-a', expiresIn: 3600 });
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'onboarded', project: 'project-a' } });
    const connector = create();
    expect(textOf(await connector.chat(chatRequest(), { signal: signal() }))).toBe('Hello from project-a');
    expect(readJsonFile(file)).toMatchObject({ access_token: 'token-a', email: 'a@example.com', refresh_token: 'refresh-a' });
  });

  it('with no account files says how to add one', async () => {
    const connector = create();
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_ACCOUNTS_MISSING');
    expect(error.message).toContain(directory);
    expect(error.fix).toContain('llm-proxy accounts import gemini');
  });

  it('when no account is merely cooling down, answers 503 with each account\'s reason', async () => {
    writeJsonFile(directory, 'a.json', geminiCredentials({ accessToken: 'old', refreshToken: 'revoked', expiresInMs: -HOUR }));
    const connector = create();
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_NO_USABLE_ACCOUNT');
    expect(error.httpStatus).toBe(503);
    expect(error.message).toContain('a: ');
    expect(error.message).toContain('invalid_grant');
  });
});
