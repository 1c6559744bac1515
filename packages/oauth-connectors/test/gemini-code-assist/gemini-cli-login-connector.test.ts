/**
 * gemini-oauth-free and gemini-oauth-plan against a fake Google token endpoint and Code Assist
 * server on 127.0.0.1, with core's real HTTP client and codecs and a temporary HOME.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, Connector, ConnectorDefinition } from '@llmproxy/connector-sdk';
import { createTestConnectorContext, type TestConnectorContext } from '@llmproxy/connector-sdk/testing';
import geminiOauthFree from '../../src/gemini-oauth-free/index.js';
import geminiOauthPlan from '../../src/gemini-oauth-plan/index.js';
import { coreWireCodecs, createCoreHttpClient } from '../support/core-services.js';
import { startFakeGoogleUpstream, type FakeGoogleUpstream } from '../support/fake-google-upstream.js';
import {
  createTemporaryHome,
  fileMode,
  geminiCredentials,
  readJsonFile,
  removeTemporaryHomes,
  writeJsonFile,
} from '../support/temporary-home.js';

const CREDENTIALS = '.gemini/oauth_creds.json';
const HOUR = 3_600_000;

function chatRequest(stream = false): ChatRequest {
  return { model: 'gemini-2.5-pro', stream, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };
}

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const collected: ChatEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
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

describe('Gemini CLI login connectors', () => {
  let upstream: FakeGoogleUpstream;
  let home: string;
  let test: TestConnectorContext;
  let http: ReturnType<typeof createCoreHttpClient>;

  beforeEach(async () => {
    upstream = await startFakeGoogleUpstream();
    home = createTemporaryHome();
  });
  afterEach(async () => {
    http?.close();
    await upstream.close();
    removeTemporaryHomes();
  });

  async function create(definition: ConnectorDefinition, env: Record<string, string> = {}, config: Record<string, unknown> = {}): Promise<Connector> {
    test = createTestConnectorContext({
      backendName: definition.id,
      config: { code_assist_endpoint: upstream.url, oauth_token_url: upstream.tokenUrl, onboard_poll_interval_ms: 1, ...config },
      env: { HOME: home, ...env },
      codecs: coreWireCodecs,
    });
    http = createCoreHttpClient(test.context.logger);
    return definition.create({ ...test.context, http });
  }

  function signal(): AbortSignal {
    return new AbortController().signal;
  }

  it('declares itself as a personal-credential connector with an opt-in notice naming Google\'s terms', () => {
    expect(geminiOauthFree.hasStaticCredentials).toBe(false);
    expect(geminiOauthFree.optInNotice).toMatch(/Gemini CLI terms/);
    expect(geminiOauthPlan.optInNotice).toMatch(/2026-06-18/);
  });

  it('answers through Code Assist: the request wrapped as {model, project, user_prompt_id, request}, the answer unwrapped', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'onboarded', project: 'managed-project-a' } });
    const connector = await create(geminiOauthFree);

    const result = await connector.chat(chatRequest(), { signal: signal() });
    expect(result.type).toBe('response');
    if (result.type !== 'response') return;
    expect(result.response.content).toEqual([{ type: 'text', text: 'Hello from managed-project-a' }]);
    expect(result.response.id).toBe('trace-1');
    expect(result.response.usage).toMatchObject({ inputTokens: 5, outputTokens: 4 });

    const [generate] = upstream.callsTo(':generateContent');
    const body = JSON.parse(generate!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'gemini-2.5-pro', project: 'managed-project-a', request: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] } });
    expect(typeof body['user_prompt_id']).toBe('string');
    expect(generate!.headers.authorization).toBe('Bearer token-a');
    expect(await connector.listModels({ signal: signal() })).toContainEqual({ id: 'gemini-2.5-pro', ownedBy: 'google' });
  });

  it('streams Code Assist SSE events that end without [DONE]', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'onboarded', project: 'p' }, generate: [{ kind: 'ok', text: 'one two three' }] });
    const connector = await create(geminiOauthFree);

    const result = await connector.chat(chatRequest(true), { signal: signal() });
    expect(result.type).toBe('stream');
    if (result.type !== 'stream') return;
    const events = await collect(result.events);
    expect(events.filter((event) => event.type === 'text-delta').map((event) => (event as { text: string }).text)).toEqual(['one ', 'two ', 'three']);
    expect(events.at(-2)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(events.at(-1)).toMatchObject({ type: 'usage', usage: { inputTokens: 5, outputTokens: 4 } });
    expect(upstream.callsTo(':streamGenerateContent')[0]!.path).toContain('alt=sse');
  });

  it('refreshes an expired token with the Gemini CLI client id and secret and updates the file, keeping its other keys', async () => {
    const file = writeJsonFile(
      home,
      CREDENTIALS,
      geminiCredentials({ accessToken: 'expired', refreshToken: 'refresh-a', expiresInMs: -HOUR, extra: { id_token: 'id-1', scope: 'x', custom: { kept: true } } }),
    );
    upstream.refreshGrants.set('refresh-a', { accessToken: 'fresh-a', expiresIn: 3599 });
    upstream.addAccount({ accessToken: 'fresh-a', load: { kind: 'onboarded', project: 'p' } });
    const connector = await create(geminiOauthFree);
    const before = Date.now();

    const result = await connector.chat(chatRequest(), { signal: signal() });
    expect(result.type).toBe('response');

    const [refresh] = upstream.callsTo('/token');
    expect(refresh!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(refresh!.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-a',
      client_id: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
      client_secret: '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',
    });
    const saved = readJsonFile(file);
    expect(saved).toMatchObject({ access_token: 'fresh-a', refresh_token: 'refresh-a', token_type: 'Bearer', id_token: 'id-1', custom: { kept: true } });
    expect(saved['expiry_date']).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(fileMode(file)).toBe(0o600);
    expect(JSON.stringify(test.logs)).not.toContain('fresh-a');
  });

  it('refreshes once for concurrent requests with an expired token', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'expired', refreshToken: 'refresh-a', expiresInMs: -HOUR }));
    upstream.refreshGrants.set('refresh-a', { accessToken: 'fresh-a', expiresIn: 3600 });
    upstream.addAccount({ accessToken: 'fresh-a', load: { kind: 'onboarded', project: 'p' } });
    const connector = await create(geminiOauthFree);

    const release = upstream.holdTokenAnswers();
    const requests = Array.from({ length: 5 }, () => connector.chat(chatRequest(), { signal: signal() }));
    // Let every request reach the token store before the one refresh answers.
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    const results = await Promise.all(requests);
    expect(results.every((result) => result.type === 'response')).toBe(true);
    expect(upstream.callsTo('/token')).toHaveLength(1);
  });

  it('says to log in again on invalid_grant, naming the file, and does not send that refresh token again', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'expired', refreshToken: 'revoked', expiresInMs: -HOUR }));
    const connector = await create(geminiOauthFree);

    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_OAUTH_LOGIN_REQUIRED');
    expect(error.httpStatus).toBe(401);
    expect(error.message).toContain(path.join(home, CREDENTIALS));
    expect(error.message).toContain('invalid_grant');
    expect(error.fix).toContain('Login with Google');
    const again = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(again.code).toBe('GEMINI_OAUTH_LOGIN_REQUIRED');
    expect(upstream.callsTo('/token')).toHaveLength(1);
  });

  it('explains a missing credentials file, naming it and how to log in', async () => {
    const connector = await create(geminiOauthFree);
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_CREDENTIALS_MISSING');
    expect(error.message).toContain(path.join(home, CREDENTIALS));
    expect(error.fix).toContain('llm-proxy accounts import gemini');
    expect(test.logs.some((entry) => entry.level === 'warn' && entry.message.includes('does not exist'))).toBe(true);
  });

  it('free: onboards the free tier without a project, polling the operation until done', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'needs-onboarding', defaultTier: 'free-tier', project: 'managed-free', polls: 3 } });
    const connector = await create(geminiOauthFree, { GOOGLE_CLOUD_PROJECT: 'ignored-project' });

    const result = await connector.chat(chatRequest(), { signal: signal() });
    expect(result.type === 'response' && result.response.content).toEqual([{ type: 'text', text: 'Hello from managed-free' }]);
    const onboard = JSON.parse(upstream.callsTo(':onboardUser')[0]!.body) as Record<string, unknown>;
    expect(onboard['tierId']).toBe('free-tier');
    expect(onboard).not.toHaveProperty('cloudaicompanionProject');
    expect(upstream.calls.filter((call) => call.path.startsWith('/v1internal/operations/'))).toHaveLength(3);
    // The project is set up once and reused.
    await connector.chat(chatRequest(), { signal: signal() });
    expect(upstream.callsTo(':loadCodeAssist')).toHaveLength(1);
  });

  it('plan: onboards the standard tier with GOOGLE_CLOUD_PROJECT', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'needs-onboarding', defaultTier: 'standard-tier', polls: 0 } });
    const connector = await create(geminiOauthPlan, { GOOGLE_CLOUD_PROJECT: 'my-project' });

    const result = await connector.chat(chatRequest(), { signal: signal() });
    expect(result.type === 'response' && result.response.content).toEqual([{ type: 'text', text: 'Hello from my-project' }]);
    expect(JSON.parse(upstream.callsTo(':onboardUser')[0]!.body)).toMatchObject({ tierId: 'standard-tier', cloudaicompanionProject: 'my-project' });
    expect(JSON.parse(upstream.callsTo(':loadCodeAssist')[0]!.body)).toMatchObject({ cloudaicompanionProject: 'my-project', metadata: { duetProject: 'my-project', pluginType: 'GEMINI' } });
  });

  it('plan: a standard tier with no project is GEMINI_PROJECT_MISSING, with a notification', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'needs-onboarding', defaultTier: 'standard-tier', polls: 0 } });
    const connector = await create(geminiOauthPlan);

    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_PROJECT_MISSING');
    expect(error.fix).toContain('GOOGLE_CLOUD_PROJECT');
    expect(test.notifications).toHaveLength(1);
    expect(test.notifications[0]!.title).toBe('Gemini account has no Cloud project');
  });

  it('"Permission denied on resource project" during setup is GEMINI_PROJECT_MISSING', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'project-denied' } });
    const connector = await create(geminiOauthPlan, { GOOGLE_CLOUD_PROJECT: 'my-missing-project' });
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_PROJECT_MISSING');
    expect(error.message).toContain('Permission denied on resource project my-missing-project');
  });

  it('a 404 from generate is the upstream\'s unknown-model error, not a missing project', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'onboarded' }, generate: [{ kind: 'not-found' }] });
    const connector = await create(geminiOauthPlan, { GOOGLE_CLOUD_PROJECT: 'p' });
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.httpStatus).toBe(404);
    expect(test.notifications).toHaveLength(0);
  });

  it('verification required in a loadCodeAssist answer: 403 with the link, and a notification carrying it', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'validation-required', validationUrl: 'https://accounts.google.com/verify?x=1' } });
    const connector = await create(geminiOauthFree);
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_VERIFICATION_REQUIRED');
    expect(error.httpStatus).toBe(403);
    expect(error.fix).toContain('https://accounts.google.com/verify?x=1');
    expect(test.notifications[0]).toMatchObject({ title: 'Gemini account needs verification', message: expect.stringContaining('https://accounts.google.com/verify?x=1') });
  });

  it.each([
    ['a Help link', false],
    ['ErrorInfo metadata', true],
  ])('verification required as a 403 with the link in %s', async (_shape, inMetadata) => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({
      accessToken: 'token-a',
      load: { kind: 'onboarded' },
      generate: [{ kind: 'validation-required', validationUrl: 'https://accounts.google.com/verify?y=2', inMetadata }],
    });
    const connector = await create(geminiOauthFree);
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_VERIFICATION_REQUIRED');
    expect(error.details['validationUrl']).toBe('https://accounts.google.com/verify?y=2');
    expect(error.message).toContain('Verify your account to continue using Gemini Code Assist');
  });

  it('passes ineligibleTiers reason codes and messages on', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({
      accessToken: 'token-a',
      load: { kind: 'ineligible', reasons: [{ reasonCode: 'UNSUPPORTED_CLIENT', reasonMessage: 'This client is no longer supported for your account.' }] },
    });
    const connector = await create(geminiOauthFree);
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('GEMINI_ACCOUNT_INELIGIBLE');
    expect(error.message).toContain('UNSUPPORTED_CLIENT: This client is no longer supported for your account.');
    expect(test.logs.some((entry) => entry.message.includes('UNSUPPORTED_CLIENT'))).toBe(true);
  });

  it('passes a 429 RESOURCE_EXHAUSTED on with Google\'s reset hint as retry-after', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'onboarded' }, generate: [{ kind: 'rate-limited', retryDelay: '12.5s' }] });
    const connector = await create(geminiOauthFree);
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.httpStatus).toBe(429);
    expect((error as unknown as { upstreamHeaders: Record<string, string> }).upstreamHeaders['retry-after']).toBe('13');
  });

  it('turns a daily quota\'s quotaResetTimeStamp into retry-after', async () => {
    writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'token-a', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    const reset = new Date(Date.now() + 2 * HOUR).toISOString();
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'onboarded' }, generate: [{ kind: 'quota-exhausted', quotaResetTimeStamp: reset }] });
    const connector = await create(geminiOauthFree);
    const error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.httpStatus).toBe(429);
    expect(error.message).toContain('daily quota');
    const retryAfter = Number((error as unknown as { upstreamHeaders: Record<string, string> }).upstreamHeaders['retry-after']);
    expect(retryAfter).toBeGreaterThan(2 * 3600 - 60);
    expect(retryAfter).toBeLessThanOrEqual(2 * 3600);
  });

  it('refreshes and retries once when Code Assist refuses a token that had not expired', async () => {
    const file = writeJsonFile(home, CREDENTIALS, geminiCredentials({ accessToken: 'revoked-token', refreshToken: 'refresh-a', expiresInMs: HOUR }));
    upstream.refreshGrants.set('refresh-a', { accessToken: 'fresh-a', expiresIn: 3600 });
    upstream.addAccount({ accessToken: 'fresh-a', load: { kind: 'onboarded', project: 'p' } });
    const connector = await create(geminiOauthFree);
    const result = await connector.chat(chatRequest(), { signal: signal() });
    expect(result.type).toBe('response');
    expect(readJsonFile(file)['access_token']).toBe('fresh-a');
  });
});
