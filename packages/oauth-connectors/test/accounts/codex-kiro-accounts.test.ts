/**
 * `llm-proxy accounts add|import|list|remove` for `codex` and `kiro` (the built `llm-proxy`
 * binary, run in a child process) with this package discovered as a project dependency, against the fake
 * OpenAI auth server and the fake AWS SSO OIDC server on 127.0.0.1 and a temporary HOME.
 * Run `npx tsc -b packages/core packages/oauth-connectors` first.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { cleanUpCliRuns } from '../../../core/test/support/run-llm-proxy.js';
import { codexAuthFile, fakeAccessToken, fakeIdToken, startFakeChatGptUpstream, type FakeChatGptUpstream } from '../support/fake-chatgpt-upstream.js';
import { startFakeKiroUpstream, type FakeKiroUpstream } from '../support/fake-kiro-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { assertCliBuilt, runAccountsCommand } from '../support/run-accounts-command.js';
import { createTemporaryHome, fileMode, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

// Each command is a fresh `llm-proxy` process, and a test runs several of them in a row.
jest.setTimeout(60_000);

describe('llm-proxy accounts for codex and kiro', () => {
  let chatgpt: FakeChatGptUpstream;
  let kiro: FakeKiroUpstream;

  beforeAll(async () => {
    assertOAuthPackageBuilt();
    assertCliBuilt();
    chatgpt = await startFakeChatGptUpstream();
    kiro = await startFakeKiroUpstream();
  });
  afterAll(async () => {
    await chatgpt.close();
    await kiro.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
  });

  function project(): string {
    return createOAuthProject({
      'llm-proxy.yaml': [
        'backends:',
        '  openai-codex:',
        `    oauth_issuer: ${chatgpt.url}`,
        '    login_callback_port: 0',
        '  kiro-oauth-auto:',
        `    sso_oidc_url: ${kiro.oidcUrl}`,
        '',
      ].join('\n'),
    });
  }

  it('adds a ChatGPT account through the browser login (PKCE, state, loopback callback) into the pool', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    let browsed = false;
    const added = await runAccountsCommand(cwd, home, ['accounts', 'add', 'codex', '--name', 'work'], (output) => {
      const url = /^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)$/m.exec(output)?.[1];
      if (url === undefined || browsed) return;
      browsed = true;
      // The "browser": OpenAI's login page redirects to the loopback callback (localhost is 127.0.0.1).
      void (async () => {
        const login = await fetch(url, { redirect: 'manual' });
        await fetch(String(login.headers.get('location')).replace('//localhost:', '//127.0.0.1:'));
      })();
    });
    expect(added.stderr).toBe('');
    expect(added.exitCode).toBe(0);
    const url = new URL(/^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)$/m.exec(added.stdout)![1]!);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      scope: 'openid profile email offline_access',
      code_challenge_method: 'S256',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      originator: 'codex_cli_rs',
    });
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/);
    expect(added.stdout).toContain('Added codex account "work": token valid until');
    expect(added.stdout).toContain('plan pro, account account-consent');
    const file = path.join(cwd, 'var/openai_codex_accounts/work.json');
    expect(readJsonFile(file)).toMatchObject({ OPENAI_API_KEY: null, tokens: { access_token: chatgpt.consentLogin.accessToken, refresh_token: 'consent-refresh', account_id: 'account-consent' } });
    expect(fileMode(file)).toBe(0o600);
    expect(added.stdout).not.toContain('consent-refresh');
  });

  it('imports a Codex CLI auth.json, lists it beside the CLI\'s own login without tokens, and removes only pool accounts', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    const token = fakeAccessToken('laptop', 'account-laptop', 3600);
    const source = writeJsonFile(home, 'laptop-auth.json', codexAuthFile({ accessToken: token, refreshToken: 'laptop-refresh', idToken: fakeIdToken('laptop@example.com', 'account-laptop'), accountId: null }));
    writeJsonFile(home, '.codex/auth.json', codexAuthFile({ accessToken: token, refreshToken: 'cli-refresh', idToken: fakeIdToken('cli@example.com', 'account-cli'), accountId: 'account-cli' }));

    const imported = await runAccountsCommand(cwd, home, ['accounts', 'import', 'codex', source]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/^Imported codex account "laptop@example\.com": token valid until \S+, plan plus, account account-laptop \(email laptop@example\.com\)/);

    const listed = await runAccountsCommand(cwd, home, ['accounts', 'list', 'codex']);
    expect(listed.stdout).toContain('codex account "codex-cli": token valid until');
    expect(listed.stdout).toContain("(the Codex CLI's own login)");
    expect(listed.stdout).toContain('codex account "laptop@example.com"');
    for (const secret of [token, 'laptop-refresh', 'cli-refresh']) expect(listed.stdout).not.toContain(secret);

    const refused = await runAccountsCommand(cwd, home, ['accounts', 'remove', 'codex', 'codex-cli']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Error [ACCOUNT_NOT_REMOVABLE]');
    expect(existsSync(path.join(home, '.codex/auth.json'))).toBe(true);
    const removed = await runAccountsCommand(cwd, home, ['accounts', 'remove', 'codex', 'laptop@example.com']);
    expect(removed.exitCode).toBe(0);
    expect(existsSync(path.join(cwd, 'var/openai_codex_accounts/laptop@example.com.json'))).toBe(false);
  });

  it('adds a Kiro account with the AWS Builder ID device flow (waiting on authorization_pending)', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    kiro.deviceLogin.answers.push('pending');
    const added = await runAccountsCommand(cwd, home, ['accounts', 'add', 'kiro', '--name', 'builder']);
    expect(added.stderr).toBe('');
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toContain('approve the AWS Builder ID login (code WXYZ-1234');
    expect(added.stdout).toMatch(/The code stays valid for 10 minutes \(until [^)]+\)\./);
    expect(added.stdout).toContain('https://device.sso.us-east-1.amazonaws.com/?user_code=WXYZ-1234');
    expect(added.stdout).toMatch(/Added kiro account "builder": token valid until \S+, AWS Builder ID login, region us-east-1, client registration valid until/);
    const file = path.join(cwd, 'var/kiro_oauth_accounts/builder.json');
    expect(readJsonFile(file)).toMatchObject({ accessToken: 'device-access', refreshToken: 'device-refresh', authMethod: 'IdC', clientId: expect.any(String), clientSecret: expect.any(String) });
    expect(fileMode(file)).toBe(0o600);
    expect(added.stdout).not.toContain('device-refresh');
  });

  it('imports Kiro\'s token file with its OIDC client file, refuses a social login without profileArn, lists and removes', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    const cache = path.join(home, '.aws/sso/cache');
    const tokenFile = writeJsonFile(cache, 'kiro-auth-token.json', {
      accessToken: 'imported-access',
      refreshToken: 'imported-refresh',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      authMethod: 'IdC',
      provider: 'BuilderId',
      clientIdHash: 'abc123',
      region: 'us-east-1',
    });
    writeJsonFile(cache, 'abc123.json', { clientId: 'imported-client', clientSecret: 'imported-secret', expiresAt: new Date(Date.now() + 80 * 86_400_000).toISOString() });

    const imported = await runAccountsCommand(cwd, home, ['accounts', 'import', 'kiro', tokenFile]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/^Imported kiro account "kiro": token valid until \S+, AWS Builder ID login, region us-east-1, client registration valid until/);
    expect(readJsonFile(path.join(cwd, 'var/kiro_oauth_accounts/kiro.json'))).toMatchObject({ refreshToken: 'imported-refresh', clientId: 'imported-client', clientSecret: 'imported-secret', clientSecretExpiresAt: expect.any(Number) });

    const social = writeJsonFile(home, 'social.json', { accessToken: 'a', refreshToken: 'r', authMethod: 'social', provider: 'Google' });
    const refused = await runAccountsCommand(cwd, home, ['accounts', 'import', 'kiro', social]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Error [ACCOUNT_FILE_INVALID]');
    expect(refused.stderr).toContain('profileArn');

    const listed = await runAccountsCommand(cwd, home, ['accounts', 'list', 'kiro']);
    expect(listed.stdout).toContain('kiro account "kiro": token valid until');
    for (const secret of ['imported-access', 'imported-refresh', 'imported-secret']) expect(listed.stdout).not.toContain(secret);
    const removed = await runAccountsCommand(cwd, home, ['accounts', 'remove', 'kiro', 'kiro']);
    expect(removed.exitCode).toBe(0);
    expect(existsSync(path.join(cwd, 'var/kiro_oauth_accounts/kiro.json'))).toBe(false);
  });
});
