/**
 * Every provider of @llmproxy/oauth-connectors/accounts through every accounts subcommand of the
 * built `llm-proxy` binary (argument parser included, which once refused codex and kiro), against
 * the fake Google, Qwen, OpenAI auth and AWS SSO OIDC servers on 127.0.0.1 and a temporary HOME.
 * Run `npx tsc -b` first.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { cleanUpCliRuns } from '../../../core/test/support/run-llm-proxy.js';
import { providers } from '../../src/accounts/index.js';
import { codexAuthFile, fakeAccessToken, fakeIdToken, startFakeChatGptUpstream, type FakeChatGptUpstream } from '../support/fake-chatgpt-upstream.js';
import { startFakeGoogleUpstream, type FakeGoogleUpstream } from '../support/fake-google-upstream.js';
import { socialAccount, startFakeKiroUpstream, type FakeKiroUpstream } from '../support/fake-kiro-upstream.js';
import { startFakeQwenUpstream, type FakeQwenUpstream } from '../support/fake-qwen-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { assertCliBuilt, runAccountsCommand } from '../support/run-accounts-command.js';
import { createTemporaryHome, geminiCredentials, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

interface ProviderCase {
  provider: string;
  /** `--name` for add (qwen's one login is always "default"). */
  addName: string;
  /** Acts as the user's browser once the login URL is printed. */
  browse?: (output: string) => Promise<void> | undefined;
  /** Writes the vendor CLI's login file into `home`; returns its path. */
  loginFile(home: string): string;
  importedName: string;
  /** Where the stored login of `name` lands. */
  storedFile(cwd: string, home: string, name: string): string;
}

// Each command is a fresh `llm-proxy` process, and a test runs several of them in a row.
jest.setTimeout(60_000);

describe('llm-proxy accounts add|import|list|remove through the built binary', () => {
  let google: FakeGoogleUpstream;
  let qwen: FakeQwenUpstream;
  let chatgpt: FakeChatGptUpstream;
  let kiro: FakeKiroUpstream;

  beforeAll(async () => {
    assertOAuthPackageBuilt();
    assertCliBuilt();
    [google, qwen, chatgpt, kiro] = await Promise.all([startFakeGoogleUpstream(), startFakeQwenUpstream(), startFakeChatGptUpstream(), startFakeKiroUpstream()]);
  });
  afterAll(async () => {
    await Promise.all([google.close(), qwen.close(), chatgpt.close(), kiro.close()]);
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
        '  openai-codex:',
        `    oauth_issuer: ${chatgpt.url}`,
        '    login_callback_port: 0',
        '  kiro-oauth-auto:',
        `    sso_oidc_url: ${kiro.oidcUrl}`,
        '',
      ].join('\n'),
    });
  }

  /** Fetches the first URL matching `pattern` once, as a browser would, with `follow` as the redirect policy. */
  function browserFor(pattern: RegExp, visit: (url: string) => Promise<void>): (output: string) => Promise<void> | undefined {
    let visited = false;
    return (output) => {
      const url = pattern.exec(output)?.[1];
      if (url === undefined || visited) return undefined;
      visited = true;
      return visit(url);
    };
  }

  const cases: ProviderCase[] = [
    {
      provider: 'gemini',
      addName: 'added',
      // Google's consent page redirects back to the loopback callback.
      browse: browserFor(/^(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m, async (url) => void (await fetch(url, { redirect: 'follow' }))),
      loginFile: (home) => writeJsonFile(home, '.gemini/oauth_creds.json', geminiCredentials({ accessToken: 'gemini-access', refreshToken: 'gemini-refresh', expiresInMs: 3_600_000 })),
      importedName: 'imported',
      storedFile: (cwd, _home, name) => path.join(cwd, 'var/gemini_oauth_accounts', `${name}.json`),
    },
    {
      provider: 'qwen',
      addName: 'default',
      loginFile: (home) => writeJsonFile(home, 'qwen-login.json', { access_token: 'qwen-access', refresh_token: 'qwen-refresh', token_type: 'Bearer', expiry_date: Date.now() + 3_600_000 }),
      importedName: 'default',
      storedFile: (_cwd, home) => path.join(home, '.qwen/oauth_creds.json'),
    },
    {
      provider: 'codex',
      addName: 'added',
      // OpenAI's login page redirects to the loopback callback on localhost, which is 127.0.0.1 here.
      browse: browserFor(/^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)$/m, async (url) => {
        const login = await fetch(url, { redirect: 'manual' });
        await fetch(String(login.headers.get('location')).replace('//localhost:', '//127.0.0.1:'));
      }),
      loginFile: (home) =>
        writeJsonFile(home, 'codex-auth.json', codexAuthFile({ accessToken: fakeAccessToken('laptop', 'account-laptop', 3600), refreshToken: 'codex-refresh', idToken: fakeIdToken('laptop@example.com', 'account-laptop'), accountId: 'account-laptop' })),
      importedName: 'imported',
      storedFile: (cwd, _home, name) => path.join(cwd, 'var/openai_codex_accounts', `${name}.json`),
    },
    {
      provider: 'kiro',
      addName: 'added',
      loginFile: (home) => writeJsonFile(home, '.aws/sso/cache/kiro-auth-token.json', socialAccount({ accessToken: 'kiro-access', refreshToken: 'kiro-refresh', expiresInMs: 3_600_000, profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/P' })),
      importedName: 'imported',
      storedFile: (cwd, _home, name) => path.join(cwd, 'var/kiro_oauth_accounts', `${name}.json`),
    },
  ];

  it('covers every provider the accounts module declares', () => {
    expect(cases.map((entry) => entry.provider)).toEqual(providers.map((provider) => provider.name));
  });

  it.each(cases)('$provider: add, import, list and remove', async (entry) => {
    const home = createTemporaryHome();
    const cwd = project();
    const run = (argv: string[], onStdout?: (output: string) => void) => runAccountsCommand(cwd, home, ['accounts', ...argv], onStdout);

    const nameFlag = entry.provider === 'qwen' ? [] : ['--name', entry.addName];
    const added = await run(['add', entry.provider, ...nameFlag], entry.browse === undefined ? undefined : (output) => void entry.browse!(output));
    expect(added.stderr).toBe('');
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toContain(`Added ${entry.provider} account "${entry.addName}": `);
    expect(existsSync(entry.storedFile(cwd, home, entry.addName))).toBe(true);

    const source = entry.loginFile(home);
    const importFlag = entry.provider === 'qwen' ? [] : ['--name', entry.importedName];
    const imported = await run(['import', entry.provider, source, ...importFlag]);
    expect(imported.stderr).toBe('');
    expect(imported.exitCode).toBe(0);
    expect(imported.stdout).toContain(`Imported ${entry.provider} account "${entry.importedName}": token valid until`);
    expect(existsSync(entry.storedFile(cwd, home, entry.importedName))).toBe(true);

    const listed = await run(['list', entry.provider]);
    expect(listed.exitCode).toBe(0);
    for (const name of new Set([entry.addName, entry.importedName])) expect(listed.stdout).toContain(`${entry.provider} account "${name}": `);
    expect(listed.stdout).not.toMatch(/-refresh|-access/);

    const removed = await run(['remove', entry.provider, entry.importedName]);
    expect(removed.stderr).toBe('');
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toContain(`Removed ${entry.provider} account "${entry.importedName}"`);
    expect(existsSync(entry.storedFile(cwd, home, entry.importedName))).toBe(false);
  });

  it('refuses a provider the installed package does not manage, listing the ones it does', async () => {
    const refused = await runAccountsCommand(project(), createTemporaryHome(), ['accounts', 'add', 'nope']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Error [ACCOUNT_PROVIDER_UNKNOWN]: "nope" is not an account provider of the installed @llmproxy/oauth-connectors');
    for (const provider of providers) expect(refused.stderr).toContain(`  ${provider.name}: ${provider.description}`);
  });
});
