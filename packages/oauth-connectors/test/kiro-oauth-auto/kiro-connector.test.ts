/**
 * kiro-oauth-auto against a fake AWS SSO OIDC server, Kiro refresh endpoint and Kiro API on
 * 127.0.0.1 that streams real binary event-stream frames, with core's real HTTP client, a
 * temporary pool directory and an injected clock for quota parking.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatRequest, ChatResult, Connector } from '@llmproxy/connector-sdk';
import { createTestConnectorContext, type TestConnectorContext } from '@llmproxy/connector-sdk/testing';
import kiroOauthAuto from '../../src/kiro-oauth-auto/index.js';
import { createKiroAccountPoolConnector } from '../../src/kiro-oauth-auto/create-kiro-account-pool-connector.js';
import { firstDayOfNextMonthUtc } from '../../src/kiro-oauth-auto/kiro-usage-limits.js';
import { createCoreHttpClient } from '../support/core-services.js';
import { builderIdAccount, socialAccount, startFakeKiroUpstream, type FakeKiroUpstream } from '../support/fake-kiro-upstream.js';
import { createTemporaryHome, fileMode, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

const HOUR = 3_600_000;

function chatRequest(extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'claude-sonnet-4.5', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], ...extra };
}

async function eventsOf(result: ChatResult): Promise<ChatEvent[]> {
  if (result.type !== 'stream') throw new Error('expected a stream');
  const events: ChatEvent[] = [];
  for await (const event of result.events) events.push(event);
  return events;
}

function textOf(events: readonly ChatEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
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

describe('kiro-oauth-auto', () => {
  let upstream: FakeKiroUpstream;
  let home: string;
  let pool: string;
  let test: TestConnectorContext;
  let clock: number;
  const clients: Array<{ close(): void }> = [];

  beforeEach(async () => {
    upstream = await startFakeKiroUpstream();
    home = createTemporaryHome();
    pool = path.join(home, 'kiro-pool');
    clock = Date.now();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await upstream.close();
    removeTemporaryHomes();
  });

  function create(config: Record<string, unknown> = {}): Connector {
    test = createTestConnectorContext({
      backendName: 'kiro-oauth-auto',
      config: { accounts_directory: pool, api_base_url: upstream.apiUrl, sso_oidc_url: upstream.oidcUrl, kiro_auth_url: upstream.kiroAuthUrl, ...config },
      env: { HOME: home },
    });
    const http = createCoreHttpClient(test.context.logger);
    clients.push(http);
    return createKiroAccountPoolConnector({ ...test.context, http }, { now: () => clock, cwd: home });
  }

  function builderId(name: string, accessToken: string, options: { expiresInMs?: number; refreshToken?: string; clientId?: string } = {}): string {
    upstream.addAccount({ accessToken, profileArn: null });
    return writeJsonFile(pool, `${name}.json`, builderIdAccount({ accessToken, refreshToken: options.refreshToken ?? `refresh-${name}`, expiresInMs: options.expiresInMs ?? HOUR, clientId: options.clientId ?? `client-${name}` }));
  }

  const signal = (): AbortSignal => new AbortController().signal;

  it('is an opt-in personal-credential connector whose notice names the terms', () => {
    expect(kiroOauthAuto.id).toBe('kiro-oauth-auto');
    expect(kiroOauthAuto.hasStaticCredentials).toBe(false);
    expect(kiroOauthAuto.optInNotice).toContain("Kiro's terms");
  });

  it('streams the answer from binary frames split into small TCP writes', async () => {
    builderId('one', 'token-one');
    upstream.accounts.get('token-one')!.behaviours.push({ kind: 'text', pieces: ['Hello', ', ', 'world'], chunkBytes: 5 });
    const events = await eventsOf(await create().chat(chatRequest(), { signal: signal() }));
    expect(events[0]).toMatchObject({ type: 'response-start', model: 'claude-sonnet-4.5' });
    expect(textOf(events)).toBe('Hello, world');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    const sent = JSON.parse(upstream.callsTo('/kiro/generateAssistantResponse')[0]!.body) as Record<string, unknown>;
    expect(sent).not.toHaveProperty('profileArn');
    expect(sent).toMatchObject({ conversationState: { chatTriggerType: 'MANUAL', currentMessage: { userInputMessage: { content: 'Hi', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } } } });
  });

  it('turns tool-use events (input in pieces, ending with stop: true) into a tool call', async () => {
    builderId('one', 'token-one');
    upstream.accounts.get('token-one')!.behaviours.push({
      kind: 'tool-use',
      text: 'Let me check.',
      name: 'get_weather',
      toolUseId: 'tooluse_1',
      inputPieces: ['{"city":', ' "Par', 'is"}'],
      chunkBytes: 11,
    });
    const events = await eventsOf(await create().chat(chatRequest({ tools: [{ name: 'get_weather', parameters: { type: 'object' } }] }), { signal: signal() }));
    expect(events.filter((event) => event.type !== 'response-start')).toEqual([
      { type: 'text-delta', text: 'Let me check.' },
      { type: 'tool-call-start', index: 0, id: 'tooluse_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ' "Par' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'is"}' },
      { type: 'finish', finishReason: 'tool-calls' },
    ]);
  });

  it('a frame with a bad CRC ends the stream with a clear error instead of waiting', async () => {
    builderId('one', 'token-one');
    upstream.accounts.get('token-one')!.behaviours.push({ kind: 'bad-crc', goodFrames: 2 });
    const result = await create().chat(chatRequest(), { signal: signal() });
    const received: ChatEvent[] = [];
    const error = await failureOf(
      (async () => {
        if (result.type !== 'stream') throw new Error('expected a stream');
        for await (const event of result.events) received.push(event);
      })(),
    );
    expect(textOf(received)).toBe('piece 1 piece 2 ');
    expect(error.code).toBe('KIRO_EVENT_STREAM_CORRUPT');
    expect(error.message).toContain('corrupt at message 3');
  });

  it('a truncated frame ends the stream with KIRO_EVENT_STREAM_TRUNCATED', async () => {
    builderId('one', 'token-one');
    upstream.accounts.get('token-one')!.behaviours.push({ kind: 'truncated' });
    const result = await create().chat(chatRequest(), { signal: signal() });
    const error = await failureOf(eventsOf(result));
    expect(error.code).toBe('KIRO_EVENT_STREAM_TRUNCATED');
  });

  it('refreshes a Builder ID login at the SSO OIDC token endpoint with its client, and sends no profileArn', async () => {
    const file = builderId('one', 'stale-one', { expiresInMs: -HOUR, refreshToken: 'refresh-one', clientId: 'client-one' });
    upstream.addAccount({ accessToken: 'fresh-one', profileArn: null });
    upstream.oidcRefreshGrants.set('refresh-one', { clientId: 'client-one', accessToken: 'fresh-one', refreshToken: 'refresh-one-2' });
    expect(textOf(await eventsOf(await create().chat(chatRequest(), { signal: signal() })))).toBe('Kiro says hi (claude-sonnet-4.5)');
    expect(JSON.parse(upstream.callsTo('/oidc/token')[0]!.body)).toEqual({ clientId: 'client-one', clientSecret: 'secret', grantType: 'refresh_token', refreshToken: 'refresh-one' });
    expect(readJsonFile(file)).toMatchObject({ accessToken: 'fresh-one', refreshToken: 'refresh-one-2', clientId: 'client-one', authMethod: 'IdC' });
    expect(fileMode(file)).toBe(0o600);
  });

  it('refreshes a social login at Kiro\'s own endpoint and sends its profileArn', async () => {
    const arn = 'arn:aws:codewhisperer:us-east-1:123456789012:profile/SOCIAL';
    const file = writeJsonFile(pool, 'google.json', socialAccount({ accessToken: 'stale-g', refreshToken: 'refresh-g', expiresInMs: -HOUR, profileArn: arn }));
    upstream.addAccount({ accessToken: 'fresh-g', profileArn: arn });
    upstream.socialRefreshGrants.set('refresh-g', { accessToken: 'fresh-g', refreshToken: 'refresh-g-2', profileArn: arn });
    expect(textOf(await eventsOf(await create().chat(chatRequest(), { signal: signal() })))).toContain('Kiro says hi');
    expect(JSON.parse(upstream.callsTo('/kiro-auth/refreshToken')[0]!.body)).toEqual({ refreshToken: 'refresh-g' });
    expect(upstream.callsTo('/oidc/token')).toHaveLength(0);
    expect(JSON.parse(upstream.callsTo('/kiro/generateAssistantResponse')[0]!.body)).toMatchObject({ profileArn: arn });
    expect(readJsonFile(file)).toMatchObject({ accessToken: 'fresh-g', refreshToken: 'refresh-g-2', profileArn: arn });
  });

  it('an expired client registration (invalid_client) says the account needs a new login, and notifies', async () => {
    builderId('old', 'stale-old', { expiresInMs: -HOUR, clientId: 'client-old' });
    upstream.expiredClients.add('client-old');
    const error = await failureOf(create().chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('KIRO_CLIENT_REGISTRATION_EXPIRED');
    expect(error.message).toContain('needs a new login');
    expect(error.message).toContain('invalid_client');
    expect(error.message).toContain('llm-proxy accounts add kiro --name old');
    expect(test.notifications).toEqual([expect.objectContaining({ title: 'Kiro login needs renewal' })]);
  });

  it('402 MONTHLY_REQUEST_COUNT parks the account until the usage-limits reset, notifies once, and moves on', async () => {
    const reset = Math.floor(clock / 1000) + 5 * 86400;
    // Tokens that outlive the clock's jumps.
    builderId('a', 'token-a', { expiresInMs: 30 * 24 * HOUR });
    builderId('b', 'token-b', { expiresInMs: 30 * 24 * HOUR });
    upstream.accounts.get('token-a')!.behaviours.push({ kind: 'monthly-quota' });
    upstream.accounts.get('token-a')!.nextDateReset = reset;
    const connector = create();
    const asked = (): string[] => upstream.callsTo('/kiro/generateAssistantResponse').map((call) => String(call.headers.authorization));

    expect(textOf(await eventsOf(await connector.chat(chatRequest(), { signal: signal() })))).toContain('Kiro says hi');
    expect(asked()).toEqual(['Bearer token-a', 'Bearer token-b']);
    expect(test.notifications).toEqual([
      expect.objectContaining({ title: 'Kiro monthly quota used up', message: expect.stringContaining(`parked until ${new Date(reset * 1000).toISOString()}`) }),
    ]);

    clock += 86400_000;
    await eventsOf(await connector.chat(chatRequest(), { signal: signal() }));
    expect(asked()).toEqual(['Bearer token-a', 'Bearer token-b', 'Bearer token-b']);

    // Past the reset the account is tried again.
    clock = reset * 1000 + 1000;
    upstream.accounts.get('token-b')!.behaviours.push({ kind: 'throttled' });
    await eventsOf(await connector.chat(chatRequest(), { signal: signal() }));
    expect(asked().slice(3)).toEqual(['Bearer token-b', 'Bearer token-a']);
    expect(test.notifications).toHaveLength(1);
  });

  it('without a usage-limits answer parks until the first day of next month (UTC)', async () => {
    builderId('a', 'token-a');
    upstream.accounts.get('token-a')!.behaviours.push({ kind: 'monthly-quota', reason: 'OVERAGE_REQUEST_LIMIT_EXCEEDED' });
    const error = await failureOf(create().chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('KIRO_ACCOUNTS_EXHAUSTED');
    expect(error.details['resetsAt']).toBe(new Date(firstDayOfNextMonthUtc(clock)).toISOString());
  });

  it('a plain 429 cools down for 30 s (or Retry-After) without a notification', async () => {
    builderId('a', 'token-a');
    upstream.accounts.get('token-a')!.behaviours.push({ kind: 'throttled' }, { kind: 'throttled', retryAfter: '5' });
    const connector = create();
    let error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('KIRO_ACCOUNTS_EXHAUSTED');
    expect(error.details['retryAfterSeconds']).toBe(30);
    clock += 31_000;
    error = await failureOf(connector.chat(chatRequest(), { signal: signal() }));
    expect(error.details['retryAfterSeconds']).toBe(5);
    clock += 6000;
    expect(textOf(await eventsOf(await connector.chat(chatRequest(), { signal: signal() })))).toContain('Kiro says hi');
    expect(test.notifications).toEqual([]);
  });

  it('a throttling exception as the first frame also moves the request on', async () => {
    builderId('a', 'token-a');
    builderId('b', 'token-b');
    upstream.accounts.get('token-a')!.behaviours.push({ kind: 'exception-throttling' });
    expect(textOf(await eventsOf(await create().chat(chatRequest(), { signal: signal() })))).toContain('Kiro says hi');
  });

  it('orders accounts by fewest recent quota failures, then most recent success', async () => {
    builderId('a', 'token-a');
    builderId('b', 'token-b');
    builderId('c', 'token-c');
    const connector = create();
    const first = (): string => String(upstream.callsTo('/kiro/generateAssistantResponse').at(-1)?.headers.authorization);
    upstream.accounts.get('token-a')!.behaviours.push({ kind: 'throttled', retryAfter: '1' });
    await eventsOf(await connector.chat(chatRequest(), { signal: signal() }));
    expect(first()).toBe('Bearer token-b');
    clock += 2000;
    // a has a recent quota failure, b the latest success: b, then c, then a.
    upstream.accounts.get('token-b')!.behaviours.push({ kind: 'throttled', retryAfter: '1' });
    await eventsOf(await connector.chat(chatRequest(), { signal: signal() }));
    expect(first()).toBe('Bearer token-c');
  });

  it('an empty pool says how to add accounts', async () => {
    const error = await failureOf(create().chat(chatRequest(), { signal: signal() }));
    expect(error.code).toBe('KIRO_ACCOUNTS_MISSING');
    expect(error.message).toContain(pool);
  });
});
