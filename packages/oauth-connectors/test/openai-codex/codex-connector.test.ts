/**
 * openai-codex against a fake OpenAI auth server and ChatGPT backend on 127.0.0.1, with core's
 * real HTTP client and codecs, a temporary HOME and an injected clock for quota parking.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, ChatResult, Connector } from '@llmproxy/connector-sdk';
import { createTestConnectorContext, type TestConnectorContext } from '@llmproxy/connector-sdk/testing';
import openaiCodex from '../../src/openai-codex/index.js';
import { createOpenAICodexConnector } from '../../src/openai-codex/create-openai-codex-connector.js';
import { coreWireCodecs, createCoreHttpClient } from '../support/core-services.js';
import { codexAuthFile, fakeAccessToken, fakeIdToken, startFakeChatGptUpstream, type FakeChatGptUpstream } from '../support/fake-chatgpt-upstream.js';
import { createTemporaryHome, fileMode, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

const AUTH_FILE = '.codex/auth.json';

function chatRequest(text = 'Hi', stream = true, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'gpt-5.1-codex', stream, messages: [{ role: 'user', content: [{ type: 'text', text }] }], ...extra };
}

async function textOf(result: ChatResult): Promise<string> {
  if (result.type === 'response') return result.response.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  let text = '';
  for await (const event of result.events as AsyncIterable<ChatEvent>) if (event.type === 'text-delta') text += event.text;
  return text;
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

describe('openai-codex', () => {
  let upstream: FakeChatGptUpstream;
  let home: string;
  let test: TestConnectorContext;
  let clock: number;
  const connectors: Connector[] = [];
  const clients: Array<{ close(): void }> = [];

  beforeEach(async () => {
    upstream = await startFakeChatGptUpstream();
    home = createTemporaryHome();
    clock = Date.now();
  });
  afterEach(async () => {
    for (const connector of connectors.splice(0)) await connector.close?.();
    for (const client of clients.splice(0)) client.close();
    await upstream.close();
    removeTemporaryHomes();
  });

  async function create(config: Record<string, unknown> = {}): Promise<Connector> {
    test = createTestConnectorContext({
      backendName: 'openai-codex',
      config: { base_url: upstream.backendUrl, oauth_issuer: upstream.url, accounts_directory: path.join(home, 'pool'), ...config },
      env: { HOME: home },
      codecs: coreWireCodecs,
    });
    const http = createCoreHttpClient(test.context.logger);
    clients.push(http);
    const connector = await createOpenAICodexConnector({ ...test.context, http }, { now: () => clock, cwd: home });
    connectors.push(connector);
    return connector;
  }

  /** A login for `accountId` whose access token expires in `expiresInSeconds`. */
  function login(name: string, accountId: string, expiresInSeconds: number, refreshToken: string): { accessToken: string; record: Record<string, unknown> } {
    const accessToken = fakeAccessToken(name, accountId, expiresInSeconds);
    if (expiresInSeconds > 0) upstream.validTokens.set(accessToken, accountId);
    upstream.addAccount({ accountId });
    return { accessToken, record: codexAuthFile({ accessToken, refreshToken, idToken: fakeIdToken(`${name}@example.com`, accountId), accountId }) };
  }

  const signal = (): AbortSignal => new AbortController().signal;

  it('is an opt-in personal-credential connector whose notice names OpenAI\'s terms', () => {
    expect(openaiCodex.id).toBe('openai-codex');
    expect(openaiCodex.hasStaticCredentials).toBe(false);
    expect(openaiCodex.optInNotice).toContain("OpenAI's Terms of Use");
  });

  it('sends the Codex CLI\'s headers and body, with one prompt_cache_key (= session_id) per conversation', async () => {
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-1', 3600, 'r-1').record);
    const connector = await create({ client_version: '0.99.1' });

    expect(await textOf(await connector.chat(chatRequest('Hi', true, { temperature: 0.2, maxOutputTokens: 50 }), { signal: signal() }))).toBe(
      'Codex says hi from account-1 (gpt-5.1-codex)',
    );
    const followUp: ChatRequest = {
      ...chatRequest(),
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
        { role: 'user', content: [{ type: 'text', text: 'More' }] },
      ],
    };
    await textOf(await connector.chat(followUp, { signal: signal() }));
    await textOf(await connector.chat(chatRequest('Another conversation'), { signal: signal() }));

    const calls = upstream.callsTo('/backend-api/codex/responses');
    expect(calls).toHaveLength(3);
    const [first, second, third] = calls.map((call) => ({ headers: call.headers, body: JSON.parse(call.body) as Record<string, unknown> }));
    expect(first!.headers).toMatchObject({ originator: 'codex_cli_rs', version: '0.99.1', 'chatgpt-account-id': 'account-1', accept: 'text/event-stream' });
    expect(first!.headers['user-agent']).toMatch(/^codex_cli_rs\/0\.99\.1 \(/);
    expect(first!.body).toMatchObject({ model: 'gpt-5.1-codex', stream: true, store: false, instructions: 'You are a helpful assistant.' });
    expect(first!.body).not.toHaveProperty('temperature');
    expect(first!.body).not.toHaveProperty('max_output_tokens');
    expect(first!.body['prompt_cache_key']).toBe(first!.headers['session_id']);
    expect(second!.body['prompt_cache_key']).toBe(first!.body['prompt_cache_key']);
    expect(third!.body['prompt_cache_key']).not.toBe(first!.body['prompt_cache_key']);
  });

  it('a non-streaming request is streamed upstream and answered whole', async () => {
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-1', 3600, 'r-1').record);
    const connector = await create();
    const result = await connector.chat(chatRequest('Hi', false), { signal: signal() });
    expect(await textOf(result)).toBe('Codex says hi from account-1 (gpt-5.1-codex)');
  });

  it('takes the account id from the id token when auth.json has account_id: null', async () => {
    const { record } = login('cli', 'account-from-claim', 3600, 'r-1');
    (record['tokens'] as Record<string, unknown>)['account_id'] = null;
    writeJsonFile(home, AUTH_FILE, record);
    const connector = await create();
    expect(await textOf(await connector.chat(chatRequest(), { signal: signal() }))).toContain('account-from-claim');
    expect(upstream.callsTo('/backend-api/codex/responses')[0]?.headers['chatgpt-account-id']).toBe('account-from-claim');
  });

  it('says clearly that auth.json is absent (the CLI may use the keyring), without crashing at start', async () => {
    const connector = await create();
    expect(test.logs.some((entry) => entry.level === 'warn' && entry.message.includes(path.join(home, AUTH_FILE)))).toBe(true);
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('CODEX_CREDENTIALS_MISSING');
    expect(error.httpStatus).toBe(401);
    expect(error.message).toContain(path.join(home, AUTH_FILE));
    expect(error.message).toContain('OS keyring');
    expect(error.message).toContain('llm-proxy accounts add codex');
  });

  it('refreshes an expiring token, stores every rotated refresh token and id token atomically (0600, keys kept, last_refresh)', async () => {
    const stale = login('cli', 'account-1', 60, 'r-1');
    const file = writeJsonFile(home, AUTH_FILE, { ...stale.record, last_refresh: '2020-01-01T00:00:00Z', note: 'kept' });
    const second = fakeAccessToken('cli-2', 'account-1', 120);
    const third = fakeAccessToken('cli-3', 'account-1', 3600);
    upstream.validTokens.set(second, 'account-1');
    upstream.validTokens.set(third, 'account-1');
    upstream.refreshGrants.set('r-1', { accessToken: second, refreshToken: 'r-2', idToken: fakeIdToken('cli@example.com', 'account-1', 'pro') });
    upstream.refreshGrants.set('r-2', { accessToken: third, refreshToken: 'r-3' });
    const connector = await create();

    await textOf(await connector.chat(chatRequest(), { signal: signal() }));
    let saved = readJsonFile(file);
    expect(saved['tokens']).toMatchObject({ access_token: second, refresh_token: 'r-2', account_id: 'account-1' });
    // The new id token (plan "pro") replaced the old one.
    expect((saved['tokens'] as Record<string, unknown>)['id_token']).toBe(fakeIdToken('cli@example.com', 'account-1', 'pro'));
    expect(saved).toMatchObject({ note: 'kept', OPENAI_API_KEY: null });
    expect(Date.parse(String(saved['last_refresh']))).toBeGreaterThan(Date.parse('2021-01-01T00:00:00Z'));
    expect(fileMode(file)).toBe(0o600);

    // The granted token expires within the refresh margin too: the rotated refresh token is used next.
    await textOf(await connector.chat(chatRequest(), { signal: signal() }));
    saved = readJsonFile(file);
    expect(saved['tokens']).toMatchObject({ access_token: third, refresh_token: 'r-3' });
    const refreshes = upstream.callsTo('/oauth/token').map((call) => JSON.parse(call.body) as Record<string, unknown>);
    expect(refreshes).toEqual([
      { client_id: 'app_EMoamEEZ73f0CkXaXp7hrann', grant_type: 'refresh_token', refresh_token: 'r-1', scope: 'openid profile email' },
      { client_id: 'app_EMoamEEZ73f0CkXaXp7hrann', grant_type: 'refresh_token', refresh_token: 'r-2', scope: 'openid profile email' },
    ]);
    expect(upstream.callsTo('/oauth/token')[0]?.headers['content-type']).toContain('application/json');
    expect(statSync(path.dirname(file)).isDirectory()).toBe(true);
  });

  it('refreshes once for concurrent requests (one-time refresh tokens would fail otherwise)', async () => {
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-1', -60, 'r-1').record);
    const fresh = fakeAccessToken('cli-2', 'account-1', 3600);
    upstream.validTokens.set(fresh, 'account-1');
    upstream.refreshGrants.set('r-1', { accessToken: fresh, refreshToken: 'r-2' });
    const connector = await create();
    const release = upstream.holdTokenAnswers();
    const requests = Array.from({ length: 6 }, () => connector.chat(chatRequest(), { signal: signal() }).then(textOf));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    expect(await Promise.all(requests)).toEqual(Array(6).fill('Codex says hi from account-1 (gpt-5.1-codex)'));
    expect(upstream.callsTo('/oauth/token')).toHaveLength(1);
  });

  it('an already-used refresh token says so and how to log in again, and notifies once', async () => {
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-1', -60, 'used-1').record);
    upstream.refreshGrants.set('used-1', { accessToken: fakeAccessToken('x', 'account-1', 3600), refreshToken: 'used-2' });
    // Another program (the Codex CLI) used it first and its new tokens never reached this file.
    upstream.redeemRefreshToken('used-1');
    const connector = await create();
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('CODEX_LOGIN_REQUIRED');
    expect(error.message).toContain('already used');
    expect(error.message).toContain('refresh_token_reused');
    expect(error.message).toContain('Log in again: run `codex login`');
    await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(test.notifications.filter((notice) => notice.title === 'ChatGPT login invalidated')).toHaveLength(1);
    // The refused refresh token is not sent again.
    expect(upstream.callsTo('/oauth/token')).toHaveLength(1);
  });

  it('when another program used the refresh token and wrote its new tokens, those are used', async () => {
    const file = writeJsonFile(home, AUTH_FILE, login('cli', 'account-1', -60, 'shared-1').record);
    const theirs = fakeAccessToken('theirs', 'account-1', 3600);
    upstream.validTokens.set(theirs, 'account-1');
    upstream.refreshGrants.set('shared-1', { accessToken: theirs, refreshToken: 'shared-2' });
    const release = upstream.holdTokenAnswers();
    const connector = await create();
    const pending = connector.chat(chatRequest(), { signal: signal() }).then(textOf);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // While our refresh is in flight, the Codex CLI refreshes first and rewrites the file.
    const grant = upstream.redeemRefreshToken('shared-1');
    writeJsonFile(home, AUTH_FILE, codexAuthFile({ accessToken: grant.accessToken, refreshToken: grant.refreshToken, idToken: fakeIdToken('cli@example.com', 'account-1'), accountId: 'account-1' }));
    release();
    expect(await pending).toBe('Codex says hi from account-1 (gpt-5.1-codex)');
    expect((readJsonFile(file)['tokens'] as Record<string, unknown>)['refresh_token']).toBe('shared-2');
  });

  it('watches auth.json: a new login there is used at once, although the old one was refused', async () => {
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-1', -60, 'revoked').record);
    const connector = await create();
    expect((await failureOf(connector.chat(chatRequest(), { signal: signal() }))).code).toBe('CODEX_LOGIN_REQUIRED');
    // The user runs `codex login` again.
    writeJsonFile(home, AUTH_FILE, login('cli-new', 'account-1', 3600, 'fresh').record);
    const deadline = Date.now() + 5000;
    while (!test.logs.some((entry) => entry.message.includes('changed; backend openai-codex uses its login again')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await textOf(await connector.chat(chatRequest(), { signal: signal() }))).toContain('account-1');
  });

  it('parks an account at usage_limit_reached until resets_at, moves on, notifies, and uses it again after the reset', async () => {
    const resetsAt = Math.floor(clock / 1000) + 3 * 3600;
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-a', 24 * 3600, 'r-a').record);
    writeJsonFile(home, 'pool/backup.json', login('backup', 'account-b', 24 * 3600, 'r-b').record);
    upstream.accounts.get('account-a')!.behaviours.push({ kind: 'usage-limit', resetsAt });
    const connector = await create({ selection_strategy: 'first-available' });

    expect(await textOf(await connector.chat(chatRequest(), { signal: signal() }))).toContain('account-b');
    expect(test.notifications).toEqual([
      expect.objectContaining({ title: 'Codex usage limit reached', message: expect.stringContaining(`parked until ${new Date(resetsAt * 1000).toISOString()}. 1 of 2 account(s) remain usable`) }),
    ]);

    // Before the reset the parked account is not even asked.
    clock += 3600_000;
    const asked = (): string[] => upstream.callsTo('/backend-api/codex/responses').map((call) => String(call.headers['chatgpt-account-id']));
    expect(await textOf(await connector.chat(chatRequest(), { signal: signal() }))).toContain('account-b');
    expect(asked()).toEqual(['account-a', 'account-b', 'account-b']);

    // After the reset it serves again.
    clock = resetsAt * 1000 + 1000;
    expect(await textOf(await connector.chat(chatRequest(), { signal: signal() }))).toContain('account-a');
  });

  it('with every account at its usage limit answers 429 naming the earliest reset', async () => {
    const resetsAt = Math.floor(clock / 1000) + 600;
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-a', 3600, 'r-a').record);
    upstream.accounts.get('account-a')!.behaviours.push({ kind: 'usage-limit', resetsAt });
    const connector = await create();
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('CODEX_ACCOUNTS_EXHAUSTED');
    expect(error.httpStatus).toBe(429);
    expect(error.details['retryAfterSeconds']).toBe(600);
    expect(error.message).toContain(`"codex-cli", frees up at ${new Date(resetsAt * 1000).toISOString()}`);
  });

  it('a quota error as the first stream event also moves the request on', async () => {
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-a', 3600, 'r-a').record);
    writeJsonFile(home, 'pool/backup.json', login('backup', 'account-b', 3600, 'r-b').record);
    upstream.accounts.get('account-a')!.behaviours.push({ kind: 'stream-usage-limit' });
    const connector = await create({ selection_strategy: 'first-available' });
    expect(await textOf(await connector.chat(chatRequest(), { signal: signal() }))).toContain('account-b');
  });

  it('usage_not_included says the plan lacks Codex and is not retried with that account', async () => {
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-free', 3600, 'r').record);
    upstream.accounts.get('account-free')!.behaviours.push({ kind: 'usage-not-included' });
    const connector = await create();
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('CODEX_USAGE_NOT_INCLUDED');
    expect(error.httpStatus).toBe(403);
    expect(error.message).toContain('does not include Codex');
    const again = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(again.code).toBe('CODEX_USAGE_NOT_INCLUDED');
    expect(upstream.callsTo('/backend-api/codex/responses')).toHaveLength(1);
  });

  it('any other 429 is a short cooldown (retry-after, else the default), without a quota notification', async () => {
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-a', 3600, 'r-a').record);
    upstream.accounts.get('account-a')!.behaviours.push({ kind: 'rate-limited', retryAfter: '7' }, { kind: 'rate-limited' });
    const connector = await create();
    let error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('CODEX_ACCOUNTS_EXHAUSTED');
    expect(error.details['retryAfterSeconds']).toBe(7);
    clock += 8000;
    error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.details['retryAfterSeconds']).toBe(15);
    clock += 16_000;
    expect(await textOf(await connector.chat(chatRequest(), { signal: signal() }))).toContain('account-a');
    expect(test.notifications).toEqual([]);
  });

  it('warns once per window when a rate-limit window passes the threshold', async () => {
    const resetAt = String(Math.floor(clock / 1000) + 7200);
    writeJsonFile(home, AUTH_FILE, login('cli', 'account-a', 3600, 'r-a').record);
    upstream.accounts.get('account-a')!.rateLimits = {
      'x-codex-primary-used-percent': '93.5',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': resetAt,
      'x-codex-secondary-used-percent': '40',
      'x-codex-secondary-window-minutes': '10080',
    };
    const connector = await create({ quota_warning_percent: 90 });
    await textOf(await connector.chat(chatRequest(), { signal: signal() }));
    await textOf(await connector.chat(chatRequest(), { signal: signal() }));
    expect(test.notifications).toEqual([
      {
        title: 'Codex usage limit almost reached',
        message: `ChatGPT account codex-cli of backend openai-codex has used 94% of its Codex primary usage limit (5-hour window). It resets at ${new Date(Number(resetAt) * 1000).toISOString()}.`,
        dedupeKey: expect.any(String),
      },
    ]);
  });

  it('a pool account refreshes into its own file', async () => {
    mkdirSync(path.join(home, 'pool'), { recursive: true });
    const file = writeJsonFile(home, 'pool/work.json', login('work', 'account-w', -60, 'rw-1').record);
    const fresh = fakeAccessToken('work-2', 'account-w', 3600);
    upstream.validTokens.set(fresh, 'account-w');
    upstream.refreshGrants.set('rw-1', { accessToken: fresh, refreshToken: 'rw-2' });
    const connector = await create();
    expect(await textOf(await connector.chat(chatRequest(), { signal: signal() }))).toContain('account-w');
    expect(readJsonFile(file)['tokens']).toMatchObject({ access_token: fresh, refresh_token: 'rw-2' });
  });
});
