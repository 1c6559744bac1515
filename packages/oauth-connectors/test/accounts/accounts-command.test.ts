/**
 * `llm-proxy accounts add|import|list|remove` (the built `llm-proxy` binary, run in a child
 * process) with this package discovered as a project dependency, against
 * fake Google and Qwen OAuth servers on 127.0.0.1 and a temporary HOME.
 * Run `npx tsc -b packages/core packages/oauth-connectors` first.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { cleanUpCliRuns } from '../../../core/test/support/run-llm-proxy.js';
import { startFakeGoogleUpstream, type FakeGoogleUpstream } from '../support/fake-google-upstream.js';
import { startFakeQwenUpstream, type FakeQwenUpstream } from '../support/fake-qwen-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { assertCliBuilt, runAccountsCommand as runAccounts } from '../support/run-accounts-command.js';
import { createTemporaryHome, fileMode, geminiCredentials, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

// Each command is a fresh `llm-proxy` process, and a test runs several of them in a row.
jest.setTimeout(60_000);

describe('llm-proxy accounts', () => {
  let google: FakeGoogleUpstream;
  let qwen: FakeQwenUpstream;

  beforeAll(async () => {
    assertOAuthPackageBuilt();
    assertCliBuilt();
    google = await startFakeGoogleUpstream();
    qwen = await startFakeQwenUpstream();
  });
  afterAll(async () => {
    await google.close();
    await qwen.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
  });

  function project(): string {
    return createOAuthProject({
      'llm-proxy.yaml': [
        'backends:',
        '  gemini-oauth-auto:',
        `    oauth_authorization_url: ${google.authorizationUrl}`,
        `    oauth_token_url: ${google.tokenUrl}`,
        '  qwen-oauth:',
        `    oauth_base_url: ${qwen.url}`,
        '',
      ].join('\n'),
    });
  }

  it('imports a Gemini CLI login into the pool (0600, keys kept), lists it without tokens, and removes it', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    const claims = Buffer.from(JSON.stringify({ email: 'dev@example.com' })).toString('base64url');
    writeJsonFile(home, '.gemini/oauth_creds.json', geminiCredentials({ accessToken: 'imported-access', refreshToken: 'imported-refresh', expiresInMs: 3_600_000, extra: { id_token: `x.${claims}.y`, scope: 's' } }));

    const imported = await runAccounts(cwd, home, ['accounts', 'import', 'gemini', path.join(home, '.gemini/oauth_creds.json')]);
    expect(imported.stderr).toBe('');
    expect(imported.exitCode).toBe(0);
    expect(imported.stdout).toMatch(/^Imported gemini account "dev@example\.com": token valid until .+ \(email dev@example\.com\), file /);
    const poolFile = path.join(cwd, 'var/gemini_oauth_accounts/dev@example.com.json');
    expect(readJsonFile(poolFile)).toMatchObject({ access_token: 'imported-access', refresh_token: 'imported-refresh', scope: 's', email: 'dev@example.com' });
    expect(fileMode(poolFile)).toBe(0o600);

    const listed = await runAccounts(cwd, home, ['accounts', 'list']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toContain('gemini account "dev@example.com": token valid until');
    expect(listed.stdout).not.toContain('imported-access');
    expect(listed.stdout).not.toContain('imported-refresh');

    const removed = await runAccounts(cwd, home, ['accounts', 'remove', 'gemini', 'dev@example.com']);
    expect(removed.exitCode).toBe(0);
    expect(existsSync(poolFile)).toBe(false);
    const missing = await runAccounts(cwd, home, ['accounts', 'remove', 'gemini', 'nobody']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('Error [ACCOUNT_NOT_FOUND]');
  });

  it('adds a Gemini account through the browser loopback flow (state and PKCE checked)', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    let browsed = false;
    const added = await runAccounts(cwd, home, ['accounts', 'add', 'gemini', '--name', 'work'], (output) => {
      const url = /^(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m.exec(output)?.[1];
      if (url === undefined || browsed) return;
      browsed = true;
      // The "browser": Google's consent page redirects back to the loopback callback.
      void fetch(url, { redirect: 'follow' });
    });
    expect(added.stderr).toBe('');
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toContain('Open this URL in a browser to log in to Google');
    const url = new URL(/^(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m.exec(added.stdout)![1]!);
    expect(url.searchParams.get('client_id')).toBe('681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2callback$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(added.stdout).toContain('Added gemini account "work"');
    const account = readJsonFile(path.join(cwd, 'var/gemini_oauth_accounts/work.json'));
    expect(account).toMatchObject({ access_token: 'consent-access', refresh_token: 'consent-refresh', token_type: 'Bearer', email: 'someone@example.com' });
    expect(typeof account['expiry_date']).toBe('number');
  });

  it('adds the Qwen login with the device flow into Qwen Code\'s credentials file', async () => {
    const home = createTemporaryHome();
    writeJsonFile(home, '.qwen/oauth_creds.json', { unrelated: 'kept' });
    qwen.deviceLogin.answers.push('pending');
    const added = await runAccounts(project(), home, ['accounts', 'add', 'qwen']);
    expect(added.stderr).toBe('');
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toContain('approve the Qwen login (code ABCD-EFGH');
    expect(added.stdout).toContain(`${qwen.url}/authorize?user_code=ABCD-EFGH`);
    const file = path.join(home, '.qwen/oauth_creds.json');
    expect(readJsonFile(file)).toMatchObject({ access_token: 'device-access', refresh_token: 'device-refresh', resource_url: qwen.url, unrelated: 'kept' });
    expect(fileMode(file)).toBe(0o600);
  });

  it('refuses in Multi User Mode, before loading any OAuth code', async () => {
    const home = createTemporaryHome();
    const cwd = project();
    writeJsonFile(home, 'login.json', geminiCredentials({ accessToken: 'a', refreshToken: 'r', expiresInMs: 1000 }));
    const refused = await runAccounts(cwd, home, ['accounts', 'import', 'gemini', path.join(home, 'login.json'), '--multi-user-mode', '--disable-notifications']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Error [OAUTH_ACCOUNTS_NOT_ALLOWED]: OAuth accounts are not available in Multi User Mode');
    expect(existsSync(path.join(cwd, 'var/gemini_oauth_accounts'))).toBe(false);
  });
});
