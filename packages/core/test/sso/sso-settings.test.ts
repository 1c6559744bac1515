/**
 * @fileoverview The `sso:` settings: YAML, environment and flag resolution with defaults, and
 * the startup rules that stop a proxy whose SSO cannot work (real temporary config files).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { LlmProxyError } from '@llmproxy/connector-sdk';

import { evaluateAccessModeRules, validateAccessMode } from '../../src/access-mode/access-mode-rules.js';
import { resolveSettingsFromArgv } from '../support/resolve-settings-from-argv.js';
import { listStartupErrors } from '../../src/config/startup-errors.js';
import { formatConfigExplanation } from '../../src/cli/format-config-explanation.js';
import { createTempProject, removeTempProjects } from '../config/temp-project.js';

afterEach(removeTempProjects);

const KEYCLOAK = `
      issuer: https://keycloak.example.com/realms/acme
      client_id: llm-proxy
      client_secret_env: KEYCLOAK_CLIENT_SECRET
      allowed_users:
        email_domains: [Example.com]
        groups: [llm-users]
`;

async function resolveYaml(yaml: string, argv: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const cwd = createTempProject({ 'llm-proxy.yaml': yaml });
  return { cwd, settings: await resolveSettingsFromArgv({ argv, env, cwd }) };
}

async function resolveFailure(yaml: string): Promise<LlmProxyError[]> {
  const cwd = createTempProject({ 'llm-proxy.yaml': yaml });
  try {
    await resolveSettingsFromArgv({ argv: [], env: {}, cwd });
  } catch (error) {
    return listStartupErrors(error) as LlmProxyError[];
  }
  throw new Error('resolveSettings accepted the file');
}

function ruleFailures(settings: Awaited<ReturnType<typeof resolveSettingsFromArgv>>): LlmProxyError[] {
  try {
    validateAccessMode(settings);
    return [];
  } catch (error) {
    return listStartupErrors(error) as LlmProxyError[];
  }
}

describe('SSO settings', () => {
  it('reads providers from YAML with their defaults', async () => {
    const { cwd, settings } = await resolveYaml(`sso:\n  enabled: true\n  providers:\n    keycloak:${KEYCLOAK}`);
    expect(settings.values.sso).toEqual({
      enabled: true,
      publicUrl: undefined,
      tokenLifetimeDays: 30,
      databaseFile: `${cwd}/var/sso/llm-proxy-sso.sqlite`,
      providers: [
        {
          id: 'keycloak',
          displayName: 'keycloak',
          issuer: 'https://keycloak.example.com/realms/acme',
          clientId: 'llm-proxy',
          clientSecret: { kind: 'env', variable: 'KEYCLOAK_CLIENT_SECRET' },
          scopes: ['openid', 'email', 'profile'],
          audiences: ['llm-proxy'],
          allowedUsers: { emailDomains: ['example.com'], emails: [], groups: ['llm-users'], groupsClaim: 'groups', requireVerifiedEmail: true, anyUser: false },
        },
      ],
    });
    expect(Object.isFrozen(settings.values.sso.providers)).toBe(true);
    expect(ruleFailures(settings)).toEqual([]);
  });

  it('takes the scalar settings from the environment over YAML, and resolves file paths from the working directory', async () => {
    const { cwd, settings } = await resolveYaml(
      `sso:\n  public_url: https://yaml.example.com\n  token_lifetime_days: 7\n  providers:\n    google:\n      name: Google\n      issuer: https://accounts.google.com\n      client_id: abc.apps.googleusercontent.com\n      client_secret_file: secrets/google\n      scopes: [email]\n      allowed_users:\n        emails: [Boss@Gmail.com]\n`,
      [],
      { LLM_PROXY_SSO_ENABLED: 'yes', LLM_PROXY_SSO_PUBLIC_URL: 'https://llm.example.com/', LLM_PROXY_SSO_TOKEN_LIFETIME_DAYS: '90', LLM_PROXY_SSO_DATABASE_FILE: '/srv/sso.sqlite' },
    );
    expect(settings.values.sso).toMatchObject({ enabled: true, publicUrl: 'https://llm.example.com', tokenLifetimeDays: 90, databaseFile: '/srv/sso.sqlite' });
    expect(settings.values.sso.providers?.[0]).toMatchObject({
      displayName: 'Google',
      clientSecret: { kind: 'file', path: `${cwd}/secrets/google` },
      scopes: ['openid', 'email'],
      allowedUsers: { emails: ['boss@gmail.com'] },
    });
    expect(settings.sources).toMatchObject({ 'sso.enabled': 'env', 'sso.public_url': 'env', 'sso.token_lifetime_days': 'env', 'sso.providers': 'yaml' });
  });

  it('refuses a client secret written into the file, without showing it', async () => {
    const failures = await resolveFailure(`sso:\n  providers:\n    keycloak:\n      issuer: https://id.example.com\n      client_secret: hunter2-very-secret\n`);
    expect(failures.map((failure) => failure.code)).toEqual(['CONFIG_INVALID']);
    expect(failures[0]?.message).toContain('sso.providers.keycloak.client_secret has a value that is not allowed');
    expect(failures[0]?.message).toContain('client secrets are never written into the file');
    expect(failures[0]?.message).not.toContain('hunter2');
  });

  it('refuses two sources for one client secret', async () => {
    const failures = await resolveFailure(
      `sso:\n  providers:\n    keycloak:\n      issuer: https://id.example.com\n      client_secret_env: A\n      client_secret_file: b\n`,
    );
    expect(failures.map((failure) => failure.code)).toEqual(['CONFIG_INVALID']);
    expect(failures[0]?.summary).toMatch(/sso\.providers\.keycloak sets both client_secret_env and client_secret_file$/);
  });

  it('names misspelt keys and provider ids that cannot appear in URLs', async () => {
    const failures = await resolveFailure(`sso:\n  providers:\n    Bad Id:\n      issuer: https://id.example.com\n  provider: {}\n`);
    const messages = failures.map((failure) => failure.message).join('\n');
    expect(messages).toContain('unknown key sso.provider. Did you mean sso.providers?');
    expect(messages).toContain('sso.providers.Bad Id has a name that is not allowed');
  });

  it('reports every incomplete provider setting in one error', async () => {
    const { settings } = await resolveYaml(
      `sso:\n  enabled: true\n  providers:\n    first:\n      issuer: http://id.example.com\n    second:\n      issuer: http://127.0.0.1:9000\n      client_id: proxy\n      client_secret_env: SECOND_SECRET\n      allowed_users: { any_user: true }\n`,
    );
    const [failure, ...others] = ruleFailures(settings);
    expect(others).toEqual([]);
    expect(failure?.code).toBe('SSO_PROVIDER_INVALID');
    expect(failure?.summary).toBe(
      'SSO provider settings are incomplete: sso.providers.first.issuer uses plain http on a host that is not loopback (http://id.example.com); ' +
        'sso.providers.first.client_id is not set; sso.providers.first.client_secret_env and client_secret_file are both unset; ' +
        'sso.providers.first.allowed_users allows nobody',
    );
    expect(failure?.fix).toContain('plain http is accepted only for issuers on 127.0.0.1, ::1 or localhost');
    expect(failure?.fix).toContain('any_user: true');
  });

  it('lets SSO satisfy the Multi User Mode authentication rule off loopback, without a generated key', async () => {
    const { settings } = await resolveYaml(`sso:\n  providers:\n    keycloak:${KEYCLOAK}`, ['--multi-user-mode', '--host=0.0.0.0', '--sso-enabled']);
    expect(ruleFailures(settings)).toEqual([]);
    const loopback = await resolveYaml(`sso:\n  providers:\n    keycloak:${KEYCLOAK}`, ['--sso-enabled']);
    expect(loopback.settings.generatedApiKey).toBeUndefined();
    expect(loopback.settings.values.auth.apiKeys).toEqual([]);
  });

  it('refuses SSO with client authentication disabled', async () => {
    const { settings } = await resolveYaml(`sso:\n  providers:\n    keycloak:${KEYCLOAK}`, ['--sso-enabled', '--disable-auth']);
    expect(ruleFailures(settings).map((failure) => failure.code)).toEqual(['SSO_AUTH_DISABLED']);
  });

  it('shows the SSO settings and rule verdicts in config explain', async () => {
    const { settings } = await resolveYaml(`sso:\n  providers:\n    keycloak:${KEYCLOAK}`, ['--sso-enabled']);
    const text = formatConfigExplanation(settings, evaluateAccessModeRules(settings));
    expect(text).toMatch(/sso\.providers\s+keycloak \(https:\/\/keycloak\.example\.com\/realms\/acme\)\s+yaml/);
    expect(text).toMatch(/sso\.token_lifetime_days\s+30\s+default/);
    expect(text).toMatch(/PASS\s+SSO: at least one OpenID Connect provider is configured/);
    expect(text).not.toContain('KEYCLOAK_CLIENT_SECRET=');
  });
});
