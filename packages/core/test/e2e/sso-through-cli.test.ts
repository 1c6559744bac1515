/**
 * @fileoverview SSO end to end, as an operator deploys it: the real `llm-proxy` CLI in Multi
 * User Mode on 0.0.0.0 with `--sso-enabled`, a real OpenID Connect provider on 127.0.0.1, a
 * browser-style sign-in over HTTP, and the issued token used by the official OpenAI SDK through
 * the built-in openai connector to a fake upstream. The operator revokes the token with
 * `llm-proxy tokens revoke` while the server runs. Startup refuses SSO that cannot work, before
 * binding a port.
 */
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';

import { HttpBrowser, inputValue } from '../sso/support/http-browser.js';
import { obtainTokensAsClient, signIn } from '../sso/support/sign-in.js';
import { CLI_CLIENT_ID, CLIENT_REDIRECT_URI, PROXY_CLIENT_ID, PROXY_CLIENT_SECRET } from '../sso/support/sso-test-setup.js';
import { startTestIdentityProvider, type TestIdentityProvider } from '../sso/support/test-identity-provider.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import {
  assertCliBuilt,
  cleanUpCliRuns,
  createWorkingDirectory,
  findFreePort,
  isPortClosed,
  runLlmProxy,
  startLlmProxy,
  type RunningCli,
} from '../support/run-llm-proxy.js';

const UPSTREAM_KEY = 'sk-upstream-key-for-sso-e2e-tests';
const STATIC_KEY = 'static-client-key-for-sso-e2e';
const SECRET_VARIABLE = 'TEST_IDP_CLIENT_SECRET';

function ssoConfig(issuer: string): string {
  return [
    'access_mode:',
    '  mode: multi_user',
    'auth:',
    `  api_keys: [${STATIC_KEY}]`,
    'sso:',
    '  providers:',
    '    test-idp:',
    '      name: Test Identity Provider',
    `      issuer: ${issuer}`,
    `      client_id: ${PROXY_CLIENT_ID}`,
    `      client_secret_env: ${SECRET_VARIABLE}`,
    '      scopes: [openid, email, profile, groups]',
    `      audiences: [${PROXY_CLIENT_ID}, ${CLI_CLIENT_ID}]`,
    '      allowed_users:',
    '        email_domains: [example.com]',
    // Settings by the provider's groups claim: alice is in engineering.
    'caller_groups:',
    '  engineering:',
    '    models: ["openai:gpt-4o-mini"]',
    '    budgets: [{ usd: 5, period: month }]',
    '',
  ].join('\n');
}

describe('SSO through the llm-proxy CLI', () => {
  let idp: TestIdentityProvider;
  let upstream: FakeOpenAIUpstream;
  let proxy: RunningCli;
  let proxyBase: string;
  let cwd: string;

  beforeAll(async () => {
    assertCliBuilt();
    const port = await findFreePort();
    proxyBase = `http://127.0.0.1:${port}`;
    idp = await startTestIdentityProvider({
      clients: [
        { clientId: PROXY_CLIENT_ID, clientSecret: PROXY_CLIENT_SECRET, redirectUris: [`${proxyBase}/auth/callback`] },
        { clientId: CLI_CLIENT_ID, redirectUris: [CLIENT_REDIRECT_URI] },
      ],
    });
    upstream = await startFakeOpenAIUpstream({ apiKey: UPSTREAM_KEY, models: ['gpt-4o-mini'] });
    cwd = createWorkingDirectory({ 'llm-proxy.yaml': ssoConfig(idp.issuer) });
    proxy = await startLlmProxy(['--multi-user-mode', '--host=0.0.0.0', '--sso-enabled', '--port', String(port)], {
      cwd,
      env: { OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.baseUrl, [SECRET_VARIABLE]: PROXY_CLIENT_SECRET },
    });
  }, 30_000);

  afterAll(async () => {
    const stopped = await proxy?.stop('SIGTERM');
    await upstream?.close();
    await idp?.close();
    cleanUpCliRuns();
    expect(stopped?.exitCode).toBe(0);
    expect(`${stopped?.stdout}${stopped?.stderr}`).not.toContain(PROXY_CLIENT_SECRET);
  });

  it('binds 0.0.0.0 and reports SSO in the health endpoint without secrets', async () => {
    expect(proxy.listenCalls().join('\n')).toContain('0.0.0.0');
    expect(proxy.output.stdout).toContain(`Users sign in for personal proxy tokens at ${proxy.url}/auth/login`);
    const response = await fetch(`${proxyBase}/internal/health`);
    const health = (await response.json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', access_mode: 'multi_user', sso: 'enabled' });
    expect(JSON.stringify(health)).not.toContain(PROXY_CLIENT_SECRET);
  });

  it('signs a user in, serves chat completions with the issued token, and stops serving it once the operator revokes it', async () => {
    const page = await signIn(new HttpBrowser(), { proxyBase, providerId: 'test-idp', login: 'alice' });
    expect(page.status).toBe(200);
    const token = inputValue(page, 'proxy-token')!;
    const tokenId = /Its id is <code>([^<]+)<\/code>/.exec(page.body)?.[1];
    expect(token).toMatch(/^llmproxy-sso-/);

    const client = new OpenAI({ baseURL: `${proxyBase}/v1`, apiKey: token, maxRetries: 0 });
    upstream.enqueue({ type: 'answer', text: ['Hello', ' Alice'] });
    const completion = await client.chat.completions.create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello Alice');
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);

    const listed = await runLlmProxy(['tokens', 'list'], { cwd });
    expect(listed.stdout).toMatch(new RegExp(`${tokenId}\\s+test-idp:alice\\s+alice@example.com\\s+sign-in`));
    const revoked = await runLlmProxy(['tokens', 'revoke', tokenId!], { cwd });
    expect(revoked.exitCode).toBe(0);

    const refused = await client.chat.completions.create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as InstanceType<typeof OpenAI.AuthenticationError>).message).toContain(`SSO token ${tokenId} has been revoked`);

    // Requests are logged by user id, never by token.
    const log = fs.readFileSync(path.join(cwd, 'var/logs/llm-proxy.log'), 'utf8');
    expect(log).toContain('test-idp:alice');
    expect(log).not.toContain(token);
  }, 30_000);

  it('accepts an ID token issued by the provider, and static API keys beside SSO', async () => {
    const { idToken } = await obtainTokensAsClient({ issuer: idp.issuer, clientId: CLI_CLIENT_ID, redirectUri: CLIENT_REDIRECT_URI, login: 'alice' });
    for (const apiKey of [idToken, STATIC_KEY]) {
      upstream.enqueue({ type: 'answer', text: ['ok'] });
      const client = new OpenAI({ baseURL: `${proxyBase}/v1`, apiKey, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.choices[0]?.message.content).toBe('ok');
    }
    const wrong = await fetch(`${proxyBase}/v1/models`, { headers: { authorization: 'Bearer not-a-key' } });
    expect(wrong.status).toBe(401);
  }, 30_000);

  it('applies settings by group claim, and shows each user their own usage and remaining budget', async () => {
    const browser = new HttpBrowser();
    const page = await signIn(browser, { proxyBase, providerId: 'test-idp', login: 'alice' });
    const token = inputValue(page, 'proxy-token')!;
    const client = new OpenAI({ baseURL: `${proxyBase}/v1`, apiKey: token, maxRetries: 0 });
    upstream.enqueue({ type: 'answer', text: ['counted'] });
    await client.chat.completions.create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const outside = await client.chat.completions.create({ model: 'openai:gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(outside).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((outside as Error).message).toContain('allowed models: openai:gpt-4o-mini');

    const tokensPage = await browser.request(`${proxyBase}/auth/tokens`);
    expect(tokensPage.status).toBe(200);
    expect(tokensPage.body).toContain('<h2>Your usage</h2>');
    const today = /<td>Today \(UTC\)<\/td><td>(\d+)<\/td>/.exec(tokensPage.body);
    // This test's two requests at least (earlier tests of this suite also served alice).
    expect(Number(today?.[1])).toBeGreaterThanOrEqual(2);
    expect(tokensPage.body).toMatch(/Budget \$5\.0000 per month: \$0\.\d{4} spent, <strong>\$[45]\.\d{4} left<\/strong>; resets \d{4}-\d{2}-01 00:00 UTC\./);
  }, 30_000);

  it('refuses a user outside the allowed domain with a clear page', async () => {
    const page = await signIn(new HttpBrowser(), { proxyBase, providerId: 'test-idp', login: 'bob' });
    expect(page.status).toBe(403);
    expect(page.body).toContain('Your account bob@other.org is not allowed to use this proxy.');
  });
});

describe('SSO startup checks of the llm-proxy CLI', () => {
  afterEach(cleanUpCliRuns);

  it('exits 1 before binding when SSO is enabled without a provider', async () => {
    const port = await findFreePort();
    const result = await runLlmProxy(['--multi-user-mode', '--host=0.0.0.0', '--sso-enabled', '--port', String(port)]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Error [SSO_NO_PROVIDERS]: SSO is enabled but no OpenID Connect provider is configured.');
    expect(result.stderr).toContain('Add a provider under sso.providers in the YAML file');
    expect(result.listenCalls).toEqual([]);
    expect(await isPortClosed(port)).toBe(true);
  });

  it('exits 1 before binding when the client secret is missing or the provider cannot be reached', async () => {
    const closedIssuer = `http://127.0.0.1:${await findFreePort()}`;
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': ssoConfig(closedIssuer) });
    const withoutSecret = await runLlmProxy(['--multi-user-mode', '--host=0.0.0.0', '--sso-enabled', '--port', '0'], { cwd });
    expect(withoutSecret.exitCode).toBe(1);
    expect(withoutSecret.stderr).toContain('Error [SSO_CLIENT_SECRET_MISSING]: The client secret of SSO provider test-idp is missing.');
    expect(withoutSecret.listenCalls).toEqual([]);

    const unreachable = await runLlmProxy(['--multi-user-mode', '--host=0.0.0.0', '--sso-enabled', '--port', '0'], { cwd, env: { [SECRET_VARIABLE]: 'x' } });
    expect(unreachable.exitCode).toBe(1);
    expect(unreachable.stderr).toContain('Error [SSO_DISCOVERY_FAILED]: The OpenID Connect discovery document of SSO provider test-idp cannot be read.');
    expect(unreachable.listenCalls).toEqual([]);
  });
});
