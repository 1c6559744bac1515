/**
 * The official OpenAI SDK → the real `llm-proxy` CLI → openai-codex → a fake OpenAI auth server
 * and ChatGPT backend on 127.0.0.1, with a temporary HOME holding the Codex CLI's auth.json and
 * a pool account: single-flight refresh and token rotation, the account id from the id token,
 * account rotation on the usage limit, parking across a real reset, notifications (seen in the
 * log with notifications disabled), the auth.json-absent case, opt-in and Multi User Mode.
 * Run `npx tsc -b packages/core packages/oauth-connectors` first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { assertCliBuilt, cleanUpCliRuns, runLlmProxy, startLlmProxy, type RunningCli } from '../../../core/test/support/run-llm-proxy.js';
import { codexAuthFile, fakeAccessToken, fakeIdToken, startFakeChatGptUpstream, type FakeChatGptUpstream } from '../support/fake-chatgpt-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { createTemporaryHome, fileMode, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

const FLAG = '--enable-openai-codex-backend-debugging-override';

describe('openai-codex through the llm-proxy CLI', () => {
  let upstream: FakeChatGptUpstream;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    assertCliBuilt();
    assertOAuthPackageBuilt();
    upstream = await startFakeChatGptUpstream();
  });
  afterEach(async () => {
    for (const proxy of running.splice(0)) {
      const stopped = await proxy.stop('SIGTERM');
      expect(stopped.exitCode).toBe(0);
    }
  });
  afterAll(async () => {
    await upstream.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
  });

  function project(): string {
    return createOAuthProject({
      'llm-proxy.yaml': ['backends:', '  openai-codex:', `    base_url: ${upstream.backendUrl}`, `    oauth_issuer: ${upstream.url}`, '    selection_strategy: first-available', ''].join('\n'),
    });
  }

  async function start(home: string, cwd: string, flags: string[] = [FLAG]): Promise<{ proxy: RunningCli; client: OpenAI; logFile: string }> {
    const logFile = path.join(cwd, 'proxy.log');
    const proxy = await startLlmProxy(['--port', '0', '--disable-auth', '--disable-notifications', '--log-level', 'debug', '--log-file', logFile, ...flags], {
      cwd,
      env: { HOME: home },
    });
    running.push(proxy);
    return { proxy, client: new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 }), logFile };
  }

  const ask = (client: OpenAI, text = 'Hi') => client.chat.completions.create({ model: 'openai-codex:gpt-5.1-codex', messages: [{ role: 'user', content: text }] });

  it('refreshes once for concurrent requests, rotates the one-time refresh token, and takes the account id from the id token', async () => {
    const home = createTemporaryHome();
    const expired = fakeAccessToken('cli-0', 'account-cli', -60);
    const file = writeJsonFile(home, '.codex/auth.json', codexAuthFile({ accessToken: expired, refreshToken: 'rt-1', idToken: fakeIdToken('me@example.com', 'account-cli'), accountId: null, lastRefresh: '2020-01-01T00:00:00Z', extra: { note: 'kept' } }));
    upstream.addAccount({ accountId: 'account-cli' });
    // The first grant expires within the refresh margin, so the next request refreshes again with the rotated token.
    const second = fakeAccessToken('cli-1', 'account-cli', 120);
    const third = fakeAccessToken('cli-2', 'account-cli', 3600);
    upstream.validTokens.set(second, 'account-cli');
    upstream.validTokens.set(third, 'account-cli');
    upstream.refreshGrants.set('rt-1', { accessToken: second, refreshToken: 'rt-2', idToken: fakeIdToken('me@example.com', 'account-cli') });
    upstream.refreshGrants.set('rt-2', { accessToken: third, refreshToken: 'rt-3' });
    const { client, proxy, logFile } = await start(home, project());

    const release = upstream.holdTokenAnswers();
    const answers = Array.from({ length: 5 }, () => ask(client));
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();
    expect((await Promise.all(answers)).map((answer) => answer.choices[0]?.message.content)).toEqual(Array(5).fill('Codex says hi from account-cli (gpt-5.1-codex)'));
    expect(upstream.callsTo('/oauth/token')).toHaveLength(1);

    const stream = await client.chat.completions.create({ model: 'openai-codex:gpt-5.1-codex', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe('Codex says hi from account-cli (gpt-5.1-codex)');
    expect(upstream.callsTo('/oauth/token').map((call) => (JSON.parse(call.body) as { refresh_token: string }).refresh_token)).toEqual(['rt-1', 'rt-2']);

    const saved = readJsonFile(file);
    expect(saved['tokens']).toMatchObject({ access_token: third, refresh_token: 'rt-3', account_id: null });
    expect(saved['note']).toBe('kept');
    expect(saved['last_refresh']).not.toBe('2020-01-01T00:00:00Z');
    expect(fileMode(file)).toBe(0o600);
    expect(new Set(upstream.callsTo('/backend-api/codex/responses').map((call) => call.headers['chatgpt-account-id']))).toEqual(new Set(['account-cli']));

    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('is opted in by --enable-openai-codex-backend-debugging-override');
    for (const secret of [expired, second, third, 'rt-1', 'rt-2', 'rt-3']) {
      expect(log).not.toContain(secret);
      expect(proxy.output.stdout + proxy.output.stderr).not.toContain(secret);
    }
  });

  it('moves to the next account at the usage limit, parks the first until its reset (real time), and tells about it', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    const cliToken = fakeAccessToken('cli', 'account-limited', 3600);
    const poolToken = fakeAccessToken('pool', 'account-spare', 3600);
    upstream.validTokens.set(cliToken, 'account-limited');
    upstream.validTokens.set(poolToken, 'account-spare');
    writeJsonFile(home, '.codex/auth.json', codexAuthFile({ accessToken: cliToken, refreshToken: 'r-limited', idToken: fakeIdToken('limited@example.com', 'account-limited'), accountId: 'account-limited' }));
    writeJsonFile(cwd, 'var/openai_codex_accounts/spare.json', codexAuthFile({ accessToken: poolToken, refreshToken: 'r-spare', idToken: fakeIdToken('spare@example.com', 'account-spare'), accountId: 'account-spare' }));
    const resetsAt = Math.ceil(Date.now() / 1000) + 3;
    upstream.addAccount({ accountId: 'account-limited', behaviours: [{ kind: 'usage-limit', resetsAt }] });
    upstream.addAccount({ accountId: 'account-spare' });
    const { client, logFile } = await start(home, cwd);
    const asked = (): unknown[] => upstream.callsTo('/backend-api/codex/responses').map((call) => call.headers['chatgpt-account-id']).filter((id) => id === 'account-limited' || id === 'account-spare');

    expect((await ask(client)).choices[0]?.message.content).toContain('account-spare');
    expect((await ask(client)).choices[0]?.message.content).toContain('account-spare');
    // Parked: the limited account was not asked the second time.
    expect(asked()).toEqual(['account-limited', 'account-spare', 'account-spare']);

    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`ChatGPT account codex-cli of backend openai-codex reached its Codex usage limit; it is parked until ${new Date(resetsAt * 1000).toISOString()}. 1 of 2 account(s) remain usable.`);
    expect(log).toMatch(/Desktop notifications are disabled; not shown.*Codex usage limit reached/);

    // After the reset the first account serves again.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetsAt * 1000 - Date.now()) + 200));
    expect((await ask(client)).choices[0]?.message.content).toContain('account-limited');
  });

  it('auth.json absent: a clear error naming the file and the keyring, no crash', async () => {
    const home = createTemporaryHome();
    const { client, proxy } = await start(home, project());
    const error = await ask(client).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const message = (error as InstanceType<typeof OpenAI.AuthenticationError>).message;
    expect(message).toContain(path.join(home, '.codex/auth.json'));
    expect(message).toContain('OS keyring');
    expect(message).toContain('llm-proxy accounts add codex');
    // Still serving.
    expect((await client.models.list()).data.map((model) => model.id)).toContain('openai-codex:gpt-5.1-codex');
    expect(proxy.output.stderr).not.toMatch(/TypeError|Unhandled/);
  });

  it('serves from a pool in --data-dir, and names that pool when it is empty', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    const poolToken = fakeAccessToken('pool', 'account-data-dir', 3600);
    upstream.validTokens.set(poolToken, 'account-data-dir');
    upstream.addAccount({ accountId: 'account-data-dir' });
    writeJsonFile(cwd, 'state/openai_codex_accounts/spare.json', codexAuthFile({ accessToken: poolToken, refreshToken: 'r-data-dir', idToken: fakeIdToken('spare@example.com', 'account-data-dir'), accountId: 'account-data-dir' }));
    const { client } = await start(home, cwd, [FLAG, '--data-dir', 'state']);
    expect((await ask(client)).choices[0]?.message.content).toContain('account-data-dir');

    // The same project without the flag looks in var/, which holds no accounts.
    const { client: withoutDataDir } = await start(home, cwd);
    const error = await ask(withoutDataDir).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).message).toContain(path.join(cwd, 'var/openai_codex_accounts'));
  });

  it('notices a Codex login made after startup in a ~/.codex folder that did not exist yet, without a restart', async () => {
    const home = createTemporaryHome();
    const { client, proxy } = await start(home, project());
    expect(await ask(client).then(() => undefined, (caught: unknown) => caught)).toBeInstanceOf(OpenAI.AuthenticationError);

    // A first login the backend refuses (its tokens were revoked): the proxy leaves it out for 600 s.
    writeJsonFile(home, '.codex/auth.json', codexAuthFile({ accessToken: fakeAccessToken('stale-0', 'account-late', 3600), refreshToken: 'rt-revoked', idToken: fakeIdToken('late@example.com', 'account-late'), accountId: 'account-late', lastRefresh: new Date().toISOString() }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await ask(client).then(() => undefined, (caught: unknown) => caught)).toBeInstanceOf(OpenAI.AuthenticationError);

    // The user logs in again with the Codex CLI, which rewrites auth.json.
    upstream.addAccount({ accountId: 'account-late' });
    const token = fakeAccessToken('late-0', 'account-late', 3600);
    upstream.validTokens.set(token, 'account-late');
    writeJsonFile(home, '.codex/auth.json', codexAuthFile({ accessToken: token, refreshToken: 'rt-late', idToken: fakeIdToken('late@example.com', 'account-late'), accountId: 'account-late', lastRefresh: new Date().toISOString() }));

    // Noticed within a few seconds (the pool's own recheck is 600 s away).
    const deadline = Date.now() + 10_000;
    let answer: string | null | undefined;
    while (answer === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await ask(client).then((completion) => completion.choices[0]?.message.content, () => undefined);
    }
    expect(answer).toBe('Codex says hi from account-late (gpt-5.1-codex)');
    expect(proxy.output.stderr).not.toMatch(/TypeError|Unhandled/);
  }, 30_000);

  it('without opt-in: 403 naming OpenAI\'s terms and the flag', async () => {
    const home = createTemporaryHome();
    const { client } = await start(home, project(), []);
    const error = await ask(client).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const message = (error as InstanceType<typeof OpenAI.PermissionDeniedError>).message;
    expect(message).toContain("OpenAI's Terms of Use");
    expect(message).toContain(FLAG);
  });

  it('in Multi User Mode: neither openai-codex nor kiro-oauth-auto loads, and requests get the spec\'s error with the alternative', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    const listed = await runLlmProxy(['connectors', 'list', '--multi-user-mode', '--disable-notifications', '--log-file', path.join(cwd, 'list.log')], { cwd, env: { HOME: home } });
    expect(listed.stdout).toMatch(/openai-codex +skipped +OAuth \(personal credentials\)\n {4}why: OAUTH_CONNECTOR_NOT_ALLOWED/);
    expect(listed.stdout).toMatch(/kiro-oauth-auto +skipped +OAuth \(personal credentials\)\n {4}why: OAUTH_CONNECTOR_NOT_ALLOWED/);

    const { client } = await start(home, cwd, ['--multi-user-mode']);
    for (const [model, alternative] of [
      ['openai-codex:gpt-5.1-codex', 'OPENAI_API_KEY'],
      ['kiro-oauth-auto:claude-sonnet-4.5', 'ANTHROPIC_API_KEY'],
    ] as const) {
      const error = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] }).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      const message = (error as InstanceType<typeof OpenAI.NotFoundError>).message;
      expect(message).toMatch(/^404 Backend not found/);
      expect(message).toContain('not available in Multi User Mode');
      expect(message).toContain(alternative);
    }
    expect((await client.models.list()).data.filter((model) => model.id.startsWith('openai-codex') || model.id.startsWith('kiro'))).toEqual([]);
  });
});
