/**
 * The official OpenAI SDK → the real `llm-proxy` CLI → gemini-oauth-auto over an account pool
 * directory → a fake Google token endpoint and Code Assist server on 127.0.0.1: rotation on a
 * 429, a verification request (seen through the log, with notifications disabled), and every
 * account exhausted. Run `npx tsc -b packages/core packages/oauth-connectors` first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../../../core/test/support/run-llm-proxy.js';
import { startFakeGoogleUpstream, type FakeGoogleUpstream } from '../support/fake-google-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { createTemporaryHome, geminiCredentials, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

const HOUR = 3_600_000;

describe('gemini-oauth-auto through the llm-proxy CLI', () => {
  let upstream: FakeGoogleUpstream;
  let proxy: RunningCli;
  let client: OpenAI;
  let logFile: string;

  beforeAll(async () => {
    assertCliBuilt();
    assertOAuthPackageBuilt();
    upstream = await startFakeGoogleUpstream();
    const cwd = createOAuthProject({
      'llm-proxy.yaml': [
        'backends:',
        '  gemini-oauth-auto:',
        `    code_assist_endpoint: ${upstream.url}`,
        `    oauth_token_url: ${upstream.tokenUrl}`,
        '    selection_strategy: first-available',
        '',
      ].join('\n'),
    });
    const accounts = path.join(cwd, 'var/gemini_oauth_accounts');
    for (const name of ['a', 'b', 'c']) {
      writeJsonFile(accounts, `${name}.json`, geminiCredentials({ accessToken: `token-${name}`, refreshToken: `refresh-${name}`, expiresInMs: HOUR }));
    }
    upstream.addAccount({ accessToken: 'token-a', load: { kind: 'onboarded', project: 'project-a' }, generate: [{ kind: 'rate-limited', retryDelay: '40s' }] });
    upstream.addAccount({
      accessToken: 'token-b',
      load: { kind: 'onboarded', project: 'project-b' },
      generate: [{ kind: 'validation-required', validationUrl: 'https://accounts.google.com/signin/continue?verify=b' }],
    });
    upstream.addAccount({
      accessToken: 'token-c',
      load: { kind: 'onboarded', project: 'project-c' },
      generate: [{ kind: 'ok' }, { kind: 'quota-exhausted', quotaResetDelay: '7200s' }],
    });
    logFile = path.join(cwd, 'proxy.log');
    proxy = await startLlmProxy(
      ['--port', '0', '--disable-auth', '--disable-notifications', '--log-level', 'debug', '--log-file', logFile, '--enable-gemini-oauth-auto-backend-debugging-override'],
      { cwd, env: { HOME: createTemporaryHome() } },
    );
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    const stopped = await proxy.stop('SIGTERM');
    await upstream.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
    expect(stopped.exitCode).toBe(0);
  });

  it('moves past a rate-limited account and one that needs verification, and tells about the verification', async () => {
    const completion = await client.chat.completions.create({ model: 'gemini-oauth-auto:gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from project-c');

    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/Gemini account \\"a\\" \(\S+a\.json\) hit a rate-limit quota/);
    expect(log).toContain('Google asks to verify the Gemini account b before it serves more requests: open https://accounts.google.com/signin/continue?verify=b. 1 of 3 account(s) of backend gemini-oauth-auto remain usable.');
    // The notifier received it (shown as a debug line because notifications are disabled here).
    expect(log).toMatch(/Desktop notifications are disabled; not shown.*Gemini account needs verification/);
  });

  it('with every account exhausted answers 429 naming when the earliest account frees up', async () => {
    const error = await client.chat.completions
      .create({ model: 'gemini-oauth-auto:gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi again' }] })
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.message).toMatch(/Every Gemini account of backend gemini-oauth-auto is out of quota or blocked; the earliest, "a", frees up at \d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ s\)/);
    const retryAfter = Number(rateLimited.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(25);
    expect(retryAfter).toBeLessThanOrEqual(40);
  });
});
