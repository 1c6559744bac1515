/**
 * The official OpenAI SDK → the real `llm-proxy` CLI (child process, built dist/) → the
 * gemini-oauth-free connector of this package (discovered as a project dependency) → a fake
 * Google token endpoint and Code Assist server on 127.0.0.1, with a temporary HOME.
 * Run `npx tsc -b packages/core packages/oauth-connectors` first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { assertCliBuilt, cleanUpCliRuns, runLlmProxy, startLlmProxy, type RunningCli } from '../../../core/test/support/run-llm-proxy.js';
import { startFakeGoogleUpstream, type FakeGoogleUpstream } from '../support/fake-google-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { createTemporaryHome, fileMode, geminiCredentials, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

const HOUR = 3_600_000;
const FLAG = '--enable-gemini-oauth-free-backend-debugging-override';

describe('gemini-oauth-free through the llm-proxy CLI', () => {
  let upstream: FakeGoogleUpstream;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    assertCliBuilt();
    assertOAuthPackageBuilt();
    upstream = await startFakeGoogleUpstream();
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

  /** A project with the package installed and a config pointing the connector at the fakes. */
  function project(): string {
    return createOAuthProject({
      'llm-proxy.yaml': [
        'backends:',
        '  gemini-oauth-free:',
        `    code_assist_endpoint: ${upstream.url}`,
        `    oauth_token_url: ${upstream.tokenUrl}`,
        '    onboard_poll_interval_ms: 1',
        '',
      ].join('\n'),
    });
  }

  async function start(home: string, cwd: string, flags: string[] = []): Promise<{ proxy: RunningCli; client: OpenAI; logFile: string }> {
    const logFile = path.join(cwd, 'proxy.log');
    const proxy = await startLlmProxy(['--port', '0', '--disable-auth', '--disable-notifications', '--log-file', logFile, ...flags], {
      cwd,
      env: { HOME: home },
    });
    running.push(proxy);
    return { proxy, client: new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 }), logFile };
  }

  it('without opt-in: lists the connector as needing opt-in, refuses requests with 403 and lists none of its models', async () => {
    const home = createTemporaryHome();
    writeJsonFile(home, '.gemini/oauth_creds.json', geminiCredentials({ accessToken: 'token-x', refreshToken: 'refresh-x', expiresInMs: HOUR }));
    const cwd = project();
    const callsBefore = upstream.calls.length;

    const listed = await runLlmProxy(['connectors', 'list', '--log-file', path.join(cwd, 'list.log')], { cwd, env: { HOME: home } });
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(/gemini-oauth-free +loaded, needs opt-in +OAuth \(personal credentials\)/);
    expect(listed.stdout).toMatch(/qwen-oauth +loaded, needs opt-in/);

    const { client } = await start(home, cwd);
    const error = await client.chat.completions
      .create({ model: 'gemini-oauth-free:gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] })
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const message = (error as InstanceType<typeof OpenAI.PermissionDeniedError>).message;
    expect(message).toContain("Google's Gemini CLI terms");
    expect(message).toContain('suspended');
    expect(message).toContain(FLAG);

    const models = await client.models.list();
    expect(models.data.map((model) => model.id).filter((id) => id.startsWith('gemini-oauth-'))).toEqual([]);
    // Nothing reached Google: the connector was not even created.
    expect(upstream.calls.length).toBe(callsBefore);
  });

  it('opted in: refreshes the expired token, answers (plain and streamed), updates the file keeping its keys, and logs the wire without tokens', async () => {
    const home = createTemporaryHome();
    const credentials = writeJsonFile(
      home,
      '.gemini/oauth_creds.json',
      geminiCredentials({ accessToken: 'stale-token-1', refreshToken: 'refresh-1', expiresInMs: -HOUR, extra: { id_token: 'id-token-1', note: 'kept' } }),
    );
    upstream.refreshGrants.set('refresh-1', { accessToken: 'fresh-token-1', expiresIn: 3600 });
    upstream.addAccount({ accessToken: 'fresh-token-1', load: { kind: 'needs-onboarding', defaultTier: 'free-tier', project: 'managed-1', polls: 2 } });
    const cwd = project();
    const { proxy, client, logFile } = await start(home, cwd, [FLAG]);

    const completion = await client.chat.completions.create({ model: 'gemini-oauth-free:gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from managed-1');

    const stream = await client.chat.completions.create({
      model: 'gemini-oauth-free:gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe('Hello from managed-1');

    const saved = readJsonFile(credentials);
    expect(saved).toMatchObject({ access_token: 'fresh-token-1', refresh_token: 'refresh-1', id_token: 'id-token-1', note: 'kept' });
    expect(fileMode(credentials)).toBe(0o600);

    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('gemini-oauth-free:gemini-2.5-pro');

    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('is opted in by --enable-gemini-oauth-free-backend-debugging-override');
    expect(log).toMatch(/Wire #\d+ request: POST http:\/\/127\.0\.0\.1:\d+\/v1internal:generateContent/);
    expect(log).toContain('Wire #');
    for (const secret of ['fresh-token-1', 'refresh-1', 'stale-token-1', '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']) {
      expect(log).not.toContain(secret);
      expect(proxy.output.stdout + proxy.output.stderr).not.toContain(secret);
    }
  });

  it('refreshes once for concurrent requests with an expired token', async () => {
    const home = createTemporaryHome();
    writeJsonFile(home, '.gemini/oauth_creds.json', geminiCredentials({ accessToken: 'stale-token-2', refreshToken: 'refresh-2', expiresInMs: -HOUR }));
    upstream.refreshGrants.set('refresh-2', { accessToken: 'fresh-token-2', expiresIn: 3600 });
    upstream.addAccount({ accessToken: 'fresh-token-2', load: { kind: 'onboarded', project: 'p2' } });
    const { client } = await start(home, project(), [FLAG]);
    const refreshesBefore = upstream.callsTo('/token').length;

    const release = upstream.holdTokenAnswers();
    const requests = Array.from({ length: 6 }, () =>
      client.chat.completions.create({ model: 'gemini-oauth-free:gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();
    const answers = await Promise.all(requests);
    expect(answers.map((answer) => answer.choices[0]?.message.content)).toEqual(Array(6).fill('Hello from p2'));
    expect(upstream.callsTo('/token').length - refreshesBefore).toBe(1);
  });

  it('a refused refresh token is a clear error naming the file and how to log in again', async () => {
    const home = createTemporaryHome();
    writeJsonFile(home, '.gemini/oauth_creds.json', geminiCredentials({ accessToken: 'stale-token-3', refreshToken: 'revoked-3', expiresInMs: -HOUR }));
    const { client } = await start(home, project(), [FLAG]);
    const error = await client.chat.completions
      .create({ model: 'gemini-oauth-free:gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] })
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const message = (error as InstanceType<typeof OpenAI.AuthenticationError>).message;
    expect(message).toContain(path.join(home, '.gemini/oauth_creds.json'));
    expect(message).toContain('invalid_grant');
    expect(message).toContain('Log in again');
  });

  it('in Multi User Mode: not loaded, listed as skipped, and a request gets the spec\'s Backend not found error', async () => {
    const home = createTemporaryHome();
    writeJsonFile(home, '.gemini/oauth_creds.json', geminiCredentials({ accessToken: 'token-m', refreshToken: 'refresh-m', expiresInMs: HOUR }));
    const cwd = project();
    const listed = await runLlmProxy(['connectors', 'list', '--multi-user-mode', '--disable-notifications', '--log-file', path.join(cwd, 'list.log')], {
      cwd,
      env: { HOME: home },
    });
    expect(listed.stdout).toMatch(/gemini-oauth-free +skipped +OAuth \(personal credentials\)\n {4}why: OAUTH_CONNECTOR_NOT_ALLOWED/);
    expect(listed.stdout).toMatch(/qwen-oauth +skipped/);

    const { client } = await start(home, cwd, ['--multi-user-mode']);
    const error = await client.chat.completions
      .create({ model: 'gemini-oauth-free:gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] })
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const message = (error as InstanceType<typeof OpenAI.NotFoundError>).message;
    expect(message).toMatch(/Backend not found: "gemini-oauth-free" uses the OAuth connector "gemini-oauth-free" and is not available in Multi User Mode|Backend not found: "gemini-oauth-free" is an OAuth connector and is not available in Multi User Mode/);
    expect(message).toContain('GEMINI_API_KEY');
    const models = await client.models.list();
    expect(models.data.filter((model) => model.id.includes('oauth'))).toEqual([]);
  });
});
