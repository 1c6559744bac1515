/**
 * The official OpenAI SDK → the real `llm-proxy` CLI → kiro-oauth-auto over a pool directory →
 * a fake AWS SSO OIDC server and Kiro API on 127.0.0.1 streaming real binary event-stream
 * frames: Builder ID refresh, text split across TCP writes, a tool call, a bad CRC ending the
 * stream with a clear error, and the monthly quota parking an account (with its notification in
 * the log). Run `npx tsc -b packages/core packages/oauth-connectors` first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../../../core/test/support/run-llm-proxy.js';
import { builderIdAccount, startFakeKiroUpstream, type FakeKiroUpstream } from '../support/fake-kiro-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { createTemporaryHome, fileMode, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

const HOUR = 3_600_000;

describe('kiro-oauth-auto through the llm-proxy CLI', () => {
  let upstream: FakeKiroUpstream;
  let proxy: RunningCli;
  let client: OpenAI;
  let logFile: string;
  let accounts: string;

  beforeAll(async () => {
    assertCliBuilt();
    assertOAuthPackageBuilt();
    upstream = await startFakeKiroUpstream();
    const cwd = createOAuthProject({
      'llm-proxy.yaml': [
        'backends:',
        '  kiro-oauth-auto:',
        `    api_base_url: ${upstream.apiUrl}`,
        `    sso_oidc_url: ${upstream.oidcUrl}`,
        `    kiro_auth_url: ${upstream.kiroAuthUrl}`,
        '    enable_debugging_override: true',
        '',
      ].join('\n'),
    });
    accounts = path.join(cwd, 'var/kiro_oauth_accounts');
    writeJsonFile(accounts, 'first.json', builderIdAccount({ accessToken: 'stale-first', refreshToken: 'refresh-first', expiresInMs: -HOUR, clientId: 'client-first' }));
    upstream.oidcRefreshGrants.set('refresh-first', { clientId: 'client-first', accessToken: 'fresh-first', refreshToken: 'refresh-first-2' });
    upstream.addAccount({ accessToken: 'fresh-first', profileArn: null, nextDateReset: Math.floor(Date.now() / 1000) + 10 * 86400 });
    logFile = path.join(cwd, 'proxy.log');
    proxy = await startLlmProxy(['--port', '0', '--disable-auth', '--disable-notifications', '--log-level', 'debug', '--log-file', logFile], {
      cwd,
      env: { HOME: createTemporaryHome() },
    });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    const stopped = await proxy.stop('SIGTERM');
    await upstream.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
    expect(stopped.exitCode).toBe(0);
  });

  it('refreshes the Builder ID login and streams an answer whose frames arrive in small TCP writes', async () => {
    upstream.accounts.get('fresh-first')!.behaviours.push({ kind: 'text', pieces: ['Streaming ', 'from ', 'Kiro'], chunkBytes: 9 });
    const stream = await client.chat.completions.create({ model: 'kiro-oauth-auto:claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Streaming from Kiro');
    const file = path.join(accounts, 'first.json');
    expect(readJsonFile(file)).toMatchObject({ accessToken: 'fresh-first', refreshToken: 'refresh-first-2', clientId: 'client-first' });
    expect(fileMode(file)).toBe(0o600);

    const plain = await client.chat.completions.create({ model: 'kiro-oauth-auto:claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hi' }] });
    expect(plain.choices[0]?.message.content).toBe('Kiro says hi (claude-sonnet-4.5)');
  });

  it('returns a tool call whose input arrived in pieces', async () => {
    upstream.accounts.get('fresh-first')!.behaviours.push({ kind: 'tool-use', name: 'get_weather', toolUseId: 'tooluse_7', inputPieces: ['{"ci', 'ty": "Oslo"}'], chunkBytes: 13 });
    const completion = await client.chat.completions.create({
      model: 'kiro-oauth-auto:claude-sonnet-4.5',
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls).toEqual([{ id: 'tooluse_7', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Oslo"}' } }]);
  });

  it('a frame with a bad CRC ends the client\'s stream with a clear error, not a hang', async () => {
    upstream.accounts.get('fresh-first')!.behaviours.push({ kind: 'bad-crc', goodFrames: 1 });
    const stream = await client.chat.completions.create({ model: 'kiro-oauth-auto:claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().then(() => undefined, (caught: unknown) => caught);
    expect(text).toBe('piece 1 ');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('The event stream from Kiro (backend kiro-oauth-auto) is corrupt at message 2');
  });

  it('the monthly quota (402) parks the only account until its reset, with one notification', async () => {
    upstream.accounts.get('fresh-first')!.behaviours.push({ kind: 'monthly-quota' });
    const reset = new Date(upstream.accounts.get('fresh-first')!.nextDateReset! * 1000).toISOString();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await client.chat.completions
        .create({ model: 'kiro-oauth-auto:claude-sonnet-4.5', messages: [{ role: 'user', content: 'Hi' }] })
        .then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect((error as Error).message).toContain(`Every Kiro account of backend kiro-oauth-auto is out of quota or throttled; the earliest, "first", frees up at ${reset}`);
    }
    // The second request did not reach Kiro: the account is parked.
    expect(upstream.callsTo('/kiro/generateAssistantResponse').filter((call) => call.headers.authorization === 'Bearer fresh-first')).toHaveLength(5);
    const log = readFileSync(logFile, 'utf8');
    expect(log.match(/Desktop notifications are disabled; not shown.*Kiro monthly quota used up/g)).toHaveLength(1);
    // Bearer tokens never reach the log.
    expect(log).not.toContain('Bearer stale-first');
    expect(log).not.toContain('Bearer fresh-first');
  });
});
