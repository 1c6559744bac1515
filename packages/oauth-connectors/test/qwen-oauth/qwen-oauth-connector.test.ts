/**
 * qwen-oauth against a fake Qwen OAuth server and portal on 127.0.0.1, with core's real HTTP
 * client and codecs and a temporary HOME.
 */
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, Connector } from '@llmproxy/connector-sdk';
import { createTestConnectorContext, type TestConnectorContext } from '@llmproxy/connector-sdk/testing';
import qwenOauth from '../../src/qwen-oauth/index.js';
import { qwenApiBaseUrl } from '../../src/qwen-oauth/qwen-api-base-url.js';
import { loginWithQwenDeviceCode } from '../../src/qwen-oauth/qwen-device-login.js';
import { coreWireCodecs, createCoreHttpClient } from '../support/core-services.js';
import { startFakeQwenUpstream, type FakeQwenUpstream } from '../support/fake-qwen-upstream.js';
import { createTemporaryHome, fileMode, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

const CREDENTIALS = '.qwen/oauth_creds.json';
const HOUR = 3_600_000;

function chatRequest(stream = false): ChatRequest {
  return { model: 'coder-model', stream, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };
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

describe('qwen-oauth', () => {
  let upstream: FakeQwenUpstream;
  let home: string;
  let test: TestConnectorContext;
  let http: ReturnType<typeof createCoreHttpClient>;

  beforeEach(async () => {
    upstream = await startFakeQwenUpstream();
    home = createTemporaryHome();
  });
  afterEach(async () => {
    http?.close();
    await upstream.close();
    removeTemporaryHomes();
  });

  async function create(config: Record<string, unknown> = {}): Promise<Connector> {
    test = createTestConnectorContext({ backendName: 'qwen-oauth', config: { oauth_base_url: upstream.url, ...config }, env: { HOME: home }, codecs: coreWireCodecs });
    http = createCoreHttpClient(test.context.logger);
    return qwenOauth.create({ ...test.context, http });
  }

  function credentials(accessToken: string, refreshToken: string, expiresInMs: number, extra: Record<string, unknown> = {}): string {
    return writeJsonFile(home, CREDENTIALS, {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expiry_date: Date.now() + expiresInMs,
      resource_url: upstream.url,
      ...extra,
    });
  }

  const signal = (): AbortSignal => new AbortController().signal;

  it('is an opt-in personal-credential connector whose notice names the end of the free tier', () => {
    expect(qwenOauth.hasStaticCredentials).toBe(false);
    expect(qwenOauth.optInNotice).toContain('2026-04-15');
  });

  it('resolves resource_url as Qwen Code does', () => {
    expect(qwenApiBaseUrl('portal.qwen.ai')).toBe('https://portal.qwen.ai/v1');
    expect(qwenApiBaseUrl(undefined)).toBe('https://portal.qwen.ai/v1');
    expect(qwenApiBaseUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/v1');
    expect(qwenApiBaseUrl('https://dashscope.aliyuncs.com/compatible-mode/v1')).toBe('https://dashscope.aliyuncs.com/compatible-mode/v1');
  });

  it('answers plain and streamed requests at the login\'s resource_url', async () => {
    credentials('token-q', 'refresh-q', HOUR);
    upstream.validTokens.add('token-q');
    const connector = await create();

    const answer = await connector.chat(chatRequest(), { signal: signal() });
    expect(answer.type === 'response' && answer.response.content).toEqual([{ type: 'text', text: 'Qwen says hi (coder-model)' }]);
    expect(upstream.callsTo('/v1/chat/completions')[0]!.headers.authorization).toBe('Bearer token-q');

    const streamed = await connector.chat(chatRequest(true), { signal: signal() });
    if (streamed.type !== 'stream') throw new Error('expected a stream');
    const events: ChatEvent[] = [];
    for await (const event of streamed.events) events.push(event);
    expect(events.filter((event) => event.type === 'text-delta').map((event) => (event as { text: string }).text).join('')).toBe('Qwen says hi (coder-model)');
    expect(await connector.listModels({ signal: signal() })).toEqual([
      { id: 'coder-model', ownedBy: 'qwen' },
      { id: 'qwen3-coder-plus', ownedBy: 'qwen' },
    ]);
  });

  it('refreshes an expired token with Qwen Code\'s client id under its lock file, keeping the file\'s keys', async () => {
    const file = credentials('stale-q', 'refresh-q', -HOUR, { id_token: 'keep-me' });
    upstream.refreshGrants.set('refresh-q', { accessToken: 'fresh-q' });
    const connector = await create();

    const answer = await connector.chat(chatRequest(), { signal: signal() });
    expect(answer.type).toBe('response');
    expect(Object.fromEntries(new URLSearchParams(upstream.callsTo('/api/v1/oauth2/token')[0]!.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-q',
      client_id: 'f0304373b74a44d2b584a3fb70ca9e56',
    });
    expect(readJsonFile(file)).toMatchObject({ access_token: 'fresh-q', refresh_token: 'refresh-q', id_token: 'keep-me', resource_url: upstream.url });
    expect(fileMode(file)).toBe(0o600);
    expect(existsSync(path.join(home, '.qwen/oauth_creds.lock'))).toBe(false);
  });

  it('waits for Qwen Code\'s lock and uses the login it refreshed instead of refreshing again', async () => {
    credentials('stale-q', 'refresh-q', -HOUR);
    const lock = path.join(home, '.qwen/oauth_creds.lock');
    writeFileSync(lock, 'held-by-qwen-code');
    upstream.validTokens.add('refreshed-by-qwen-code');
    const connector = await create();

    const pending = connector.chat(chatRequest(), { signal: signal() });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Qwen Code finishes its refresh: new tokens in the file, then the lock released.
    credentials('refreshed-by-qwen-code', 'refresh-q2', HOUR);
    await rm(lock);
    const answer = await pending;
    expect(answer.type).toBe('response');
    expect(upstream.callsTo('/api/v1/oauth2/token')).toHaveLength(0);
    expect(upstream.callsTo('/v1/chat/completions')[0]!.headers.authorization).toBe('Bearer refreshed-by-qwen-code');
  });

  it('takes over a stale lock left by a crashed program', async () => {
    credentials('stale-q', 'refresh-q', -HOUR);
    const lock = path.join(home, '.qwen/oauth_creds.lock');
    writeFileSync(lock, 'crashed');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, longAgo, longAgo);
    upstream.refreshGrants.set('refresh-q', { accessToken: 'fresh-q' });
    const connector = await create();
    expect((await connector.chat(chatRequest(), { signal: signal() })).type).toBe('response');
  });

  it('refreshes once for concurrent requests', async () => {
    credentials('stale-q', 'refresh-q', -HOUR);
    upstream.refreshGrants.set('refresh-q', { accessToken: 'fresh-q' });
    const connector = await create();
    const release = upstream.holdTokenAnswers();
    const requests = Array.from({ length: 4 }, () => connector.chat(chatRequest(), { signal: signal() }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await Promise.all(requests);
    expect(upstream.callsTo('/api/v1/oauth2/token')).toHaveLength(1);
  });

  it('a refused refresh token means logging in again, without retrying', async () => {
    credentials('stale-q', 'revoked-q', -HOUR);
    const connector = await create();
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('QWEN_OAUTH_LOGIN_REQUIRED');
    expect(error.message).toContain(path.join(home, CREDENTIALS));
    expect(error.fix).toContain('/auth');
    await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(upstream.callsTo('/api/v1/oauth2/token')).toHaveLength(1);
  });

  it('explains a missing credentials file', async () => {
    const connector = await create();
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('QWEN_CREDENTIALS_MISSING');
    expect(error.message).toContain(path.join(home, CREDENTIALS));
    expect(error.fix).toContain('llm-proxy accounts add qwen');
  });

  it('logs in with the device flow and PKCE, waiting on authorization_pending and slowing down on slow_down', async () => {
    upstream.deviceLogin.answers.push('pending', 'slow', 'pending');
    test = createTestConnectorContext();
    http = createCoreHttpClient(test.context.logger);
    const prompts: Array<{ url: string; userCode: string; expiresInSeconds?: number }> = [];
    const record = await loginWithQwenDeviceCode({ http, oauthBaseUrl: upstream.url, prompt: (verification) => prompts.push(verification), pollIntervalMs: 5 });
    expect(prompts).toEqual([{ url: `${upstream.url}/authorize?user_code=ABCD-EFGH&client=qwen-code`, userCode: 'ABCD-EFGH', expiresInSeconds: 600 }]);
    expect(record).toMatchObject({ access_token: 'device-access', refresh_token: 'device-refresh', token_type: 'Bearer', resource_url: upstream.url });
    expect(upstream.callsTo('/api/v1/oauth2/token')).toHaveLength(4);
    const authorization = new URLSearchParams(upstream.callsTo('/api/v1/oauth2/device/code')[0]!.body);
    expect(authorization.get('code_challenge_method')).toBe('S256');
    expect(authorization.get('scope')).toBe('openid profile email model.completion');
  });
});
