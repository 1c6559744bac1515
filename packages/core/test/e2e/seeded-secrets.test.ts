/**
 * Seeded secrets: known values in every credential setting — client API keys, every built-in
 * backend's upstream keys (numbered `_1.._N` pools, YAML `api_key`, `api_keys` and
 * `api_key_env`), the SSO client secret through `client_secret_env`, and the Codex and Gemini
 * CLI logins of the opted-in OAuth connectors in a temporary HOME — while a fake upstream
 * echoes whatever credential it receives. The proxy is driven through successes, upstream
 * errors (JSON, HTML and in-stream), bad and missing client keys, health with and without a
 * key, the model lists, the SSO sign-in page, `config explain` and `connectors list`; none of the
 * values may appear in the log file, stdout, stderr, health or any client-bound body.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROXY_CLIENT_ID } from '../sso/support/sso-test-setup.js';
import { startTestIdentityProvider, type TestIdentityProvider } from '../sso/support/test-identity-provider.js';
import { startFakeEchoingUpstream, type FakeEchoingUpstream } from '../support/fake-echoing-upstream.js';
import { chatRequest, FRONT_ENDS } from '../support/front-end-requests.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, findFreePort, runLlmProxy, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

/** Opaque values, shaped like no provider's key, so only exact-value scrubbing can hide them. */
const SECRETS = {
  clientKey1: 'seeded-client-key-one-Q7w3',
  clientKey2: 'seeded-client-key-two-R8e4',
  openaiKey1: 'seeded-openai-pool-1-T9r5',
  openaiKey2: 'seeded-openai-pool-2-Y0t6',
  anthropicKey: 'seeded-anthropic-key-U1y7',
  geminiKey: 'seeded-gemini-key-I2u8',
  openrouterKey: 'seeded-openrouter-key-O3i9',
  qwenKey: 'seeded-dashscope-key-P4o0',
  yamlKeysFirst: 'seeded-yaml-api-keys-1-A5p1',
  yamlKeysSecond: 'seeded-yaml-api-keys-2-S6a2',
  yamlKey: 'seeded-yaml-api-key-D7s3',
  namedVariableKey: 'seeded-api-key-env-F8d4',
  ssoClientSecret: 'seeded-sso-client-secret-G9f5',
  codexAccessToken: 'seeded-codex-access-token-H0g6',
  codexRefreshToken: 'seeded-codex-refresh-token-J1h7',
  codexIdToken: 'seeded-codex-id-token-K2j8',
  geminiAccessToken: 'seeded-gemini-access-token-L3k9',
  geminiRefreshToken: 'seeded-gemini-refresh-token-Z4l0',
} as const;

/** backend name → whether the fake can tell it echoed (every backend but the setup-only Code Assist one). */
const CHAT_BACKENDS = ['openai', 'anthropic', 'gemini', 'openrouter', 'qwen', 'pooled', 'single', 'named', 'openai-codex', 'gemini-oauth-free'] as const;
const ECHO_MODELS = ['echo-json', 'echo-html', 'echo-stream', 'ok'] as const;

function configYaml(upstreamUrl: string, issuer: string, home: string): string {
  const models = `[${ECHO_MODELS.join(', ')}]`;
  return [
    'auth:',
    `  api_keys: [${SECRETS.clientKey1}, ${SECRETS.clientKey2}]`,
    'sso:',
    '  providers:',
    '    test-idp:',
    '      name: Test Identity Provider',
    `      issuer: ${issuer}`,
    `      client_id: ${PROXY_CLIENT_ID}`,
    '      client_secret_env: SEEDED_SSO_SECRET',
    '      allowed_users:',
    '        email_domains: [example.com]',
    'backends:',
    '  pooled:',
    '    type: openai-compatible',
    `    base_url: ${upstreamUrl}/v1`,
    `    api_keys: [${SECRETS.yamlKeysFirst}, ${SECRETS.yamlKeysSecond}]`,
    `    models: ${models}`,
    '  single:',
    '    type: openai-compatible',
    `    base_url: ${upstreamUrl}/v1`,
    `    api_key: ${SECRETS.yamlKey}`,
    `    models: ${models}`,
    '  named:',
    '    type: openai-compatible',
    `    base_url: ${upstreamUrl}/v1`,
    '    api_key_env: SEEDED_NAMED_KEY',
    `    models: ${models}`,
    '  openai-codex:',
    '    enable_debugging_override: true',
    `    credentials_file: ${path.join(home, '.codex', 'auth.json')}`,
    `    base_url: ${upstreamUrl}`,
    `    oauth_token_url: ${upstreamUrl}/oauth/token`,
    `    models: ${models}`,
    '  gemini-oauth-free:',
    '    enable_debugging_override: true',
    `    credentials_file: ${path.join(home, '.gemini', 'oauth_creds.json')}`,
    `    code_assist_endpoint: ${upstreamUrl}`,
    `    oauth_token_url: ${upstreamUrl}/token`,
    '    max_onboard_polls: 1',
    '    onboard_poll_interval_ms: 10',
    `    models: ${models}`,
    '',
  ].join('\n');
}

describe('seeded secrets', () => {
  let upstream: FakeEchoingUpstream;
  let identityProvider: TestIdentityProvider;
  let proxy: RunningCli;
  let cwd: string;
  let env: Record<string, string>;
  /** Everything a client received, in order. */
  const clientBodies: string[] = [];

  async function call(pathAndQuery: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<number> {
    const response = await fetch(`${proxy.url}${pathAndQuery}`, { ...init, redirect: 'manual' });
    clientBodies.push(`${pathAndQuery} → ${response.status} ${JSON.stringify([...response.headers])}\n${await response.text()}`);
    return response.status;
  }

  beforeAll(async () => {
    assertCliBuilt();
    upstream = await startFakeEchoingUpstream();
    const port = await findFreePort();
    identityProvider = await startTestIdentityProvider({
      clients: [{ clientId: PROXY_CLIENT_ID, clientSecret: SECRETS.ssoClientSecret, redirectUris: [`http://127.0.0.1:${port}/auth/callback`] }],
    });
    const home = createWorkingDirectory({
      '.codex/auth.json': JSON.stringify({
        OPENAI_API_KEY: null,
        tokens: { id_token: SECRETS.codexIdToken, access_token: SECRETS.codexAccessToken, refresh_token: SECRETS.codexRefreshToken, account_id: 'account-1' },
        last_refresh: new Date().toISOString(),
      }),
      '.gemini/oauth_creds.json': JSON.stringify({
        access_token: SECRETS.geminiAccessToken,
        refresh_token: SECRETS.geminiRefreshToken,
        token_type: 'Bearer',
        expiry_date: Date.now() + 3_600_000,
      }),
    });
    cwd = createWorkingDirectory({ 'llm-proxy.yaml': configYaml(upstream.baseUrl, identityProvider.issuer, home) });
    env = {
      HOME: home,
      OPENAI_API_KEY_1: SECRETS.openaiKey1,
      OPENAI_API_KEY_2: SECRETS.openaiKey2,
      OPENAI_BASE_URL: `${upstream.baseUrl}/v1`,
      ANTHROPIC_API_KEY: SECRETS.anthropicKey,
      ANTHROPIC_BASE_URL: upstream.baseUrl,
      GEMINI_API_KEY: SECRETS.geminiKey,
      GEMINI_BASE_URL: upstream.baseUrl,
      OPENROUTER_API_KEY: SECRETS.openrouterKey,
      OPENROUTER_BASE_URL: `${upstream.baseUrl}/v1`,
      DASHSCOPE_API_KEY: SECRETS.qwenKey,
      DASHSCOPE_BASE_URL: `${upstream.baseUrl}/v1`,
      SEEDED_NAMED_KEY: SECRETS.namedVariableKey,
      SEEDED_SSO_SECRET: SECRETS.ssoClientSecret,
    };
    proxy = await startLlmProxy(['--port', String(port), '--sso-enabled', '--disable-notifications', '--log-level', 'debug'], { cwd, env, timeoutMs: 30_000 });
  }, 60_000);
  afterAll(async () => {
    await identityProvider?.close();
    await upstream?.close();
    cleanUpCliRuns();
  });

  it('shows none of the values in logs, stdout, stderr, health, command output or any client-bound body', async () => {
    const key = SECRETS.clientKey2;
    // Health with and without a key, the model lists, the SSO sign-in page.
    expect(await call('/internal/health')).toBe(200);
    expect(await call('/internal/health', { headers: { authorization: `Bearer ${key}` } })).toBe(200);
    await call('/v1/models', { headers: { authorization: `Bearer ${key}` } });
    await call('/v1beta/models', { headers: { 'x-goog-api-key': key } });
    await call('/auth/login');
    // Bad and missing client keys, in each API's own header.
    expect(await call('/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer wrong-key-0000000' }, body: '{}' })).toBe(401);
    expect(await call('/v1/messages', { method: 'POST', body: '{}' })).toBe(401);
    expect(await call('/v1beta/models/gemini:ok:generateContent?key=wrong-key-0000000', { method: 'POST', body: '{}' })).toBe(401);
    // Every backend through every front-end: success, and upstream errors that echo the credential.
    for (const backend of CHAT_BACKENDS) {
      for (const [index, frontEnd] of FRONT_ENDS.entries()) {
        for (const model of ECHO_MODELS) {
          for (const stream of [false, true]) {
            const request = chatRequest(frontEnd, `${backend}:${model}`, stream, index % 2 === 0 ? SECRETS.clientKey1 : SECRETS.clientKey2);
            await call(request.path, { method: 'POST', headers: request.headers, body: request.body });
          }
        }
      }
    }
    expect(await call('/v1/messages/count_tokens', { method: 'POST', headers: { 'x-api-key': key }, body: JSON.stringify({ model: 'anthropic:ok', messages: [{ role: 'user', content: 'hi' }] }) })).toBe(200);
    const served = await proxy.stop();
    expect(served.exitCode).toBe(0);

    const explained = await runLlmProxy(['config', 'explain', '--sso-enabled'], { cwd, env });
    const listed = await runLlmProxy(['connectors', 'list'], { cwd, env });
    expect(explained.exitCode).toBe(0);
    expect(listed.exitCode).toBe(0);

    // The echoes really happened: every seeded upstream credential reached the fake.
    const seen = upstream.credentialsSeen.join('\n');
    for (const name of ['openaiKey1', 'openaiKey2', 'anthropicKey', 'geminiKey', 'openrouterKey', 'qwenKey', 'yamlKeysFirst', 'yamlKeysSecond', 'yamlKey', 'namedVariableKey', 'codexAccessToken', 'geminiAccessToken'] as const) {
      expect({ name, seen: seen.includes(SECRETS[name]) }).toEqual({ name, seen: true });
    }

    const places: Record<string, string> = {
      'log file': fs.readFileSync(path.join(cwd, 'var', 'logs', 'llm-proxy.log'), 'utf8'),
      'serve stdout': served.stdout,
      'serve stderr': served.stderr,
      'config explain stdout': explained.stdout,
      'config explain stderr': explained.stderr,
      'connectors list stdout': listed.stdout,
      'connectors list stderr': listed.stderr,
      'client-bound bodies': clientBodies.join('\n'),
    };
    const leaks: string[] = [];
    for (const [place, text] of Object.entries(places)) {
      for (const [name, value] of Object.entries(SECRETS)) {
        if (text.includes(value)) {
          const at = text.indexOf(value);
          leaks.push(`${name} in ${place}: …${text.slice(Math.max(0, at - 200), at + value.length + 40)}…`);
        }
      }
    }
    expect(leaks).toEqual([]);
    // The run was not vacuous: the log and the client bodies are there, with redactions in them.
    expect(places['client-bound bodies']).toContain('[REDACTED]');
    expect(places['log file']?.length).toBeGreaterThan(1_000);
  }, 120_000);
});
