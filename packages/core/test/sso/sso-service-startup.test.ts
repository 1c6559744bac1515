/**
 * @fileoverview What stops SSO from starting, before the server binds: a client secret that
 * cannot be read, a provider whose discovery document cannot be fetched. Every problem is
 * reported at once and no secret is shown.
 */
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LlmProxyError } from '@llmproxy/connector-sdk';

import type { ProxySettings, SsoProviderSettings } from '../../src/config/proxy-settings.js';
import { listStartupErrors } from '../../src/config/startup-errors.js';
import { createSsoService } from '../../src/sso/sso-service.js';
import { createRecordingLogger } from '../support/recording-logger.js';
import { PROXY_CLIENT_ID, PROXY_CLIENT_SECRET, testProvider } from './support/sso-test-setup.js';
import { startTestIdentityProvider, type TestIdentityProvider } from './support/test-identity-provider.js';

describe('SSO service startup', () => {
  let idp: TestIdentityProvider;
  let directory: string;

  beforeAll(async () => {
    idp = await startTestIdentityProvider({ clients: [{ clientId: PROXY_CLIENT_ID, clientSecret: PROXY_CLIENT_SECRET, redirectUris: ['http://127.0.0.1:9/auth/callback'] }] });
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-sso-startup-'));
  });

  afterAll(async () => {
    await idp?.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  function settingsWith(providers: SsoProviderSettings[]): ProxySettings {
    return { accessMode: 'multi_user', sso: { enabled: true, providers, databaseFile: path.join(directory, 'var/sso.sqlite') } } as unknown as ProxySettings;
  }

  async function startupErrors(providers: SsoProviderSettings[], env: Record<string, string>): Promise<LlmProxyError[]> {
    try {
      const service = await createSsoService({ settings: settingsWith(providers), env, cwd: directory, logger: createRecordingLogger() });
      await service.close();
    } catch (error) {
      return listStartupErrors(error) as LlmProxyError[];
    }
    throw new Error('the service started');
  }

  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  it('starts with a readable secret from a file, creating its database', async () => {
    const secretFile = path.join(directory, 'client-secret');
    fs.writeFileSync(secretFile, `${PROXY_CLIENT_SECRET}\n`);
    const service = await createSsoService({
      settings: settingsWith([testProvider(idp.issuer, { clientSecret: { kind: 'file', path: secretFile } })]),
      env: {},
      cwd: directory,
      logger: createRecordingLogger(),
    });
    expect(service.providers.map((provider) => provider.issuer)).toEqual([idp.issuer]);
    expect(fs.statSync(path.join(directory, 'var/sso.sqlite')).mode & 0o777).toBe(0o600);
    await service.close();
  });

  it('reports every unreadable secret and unreachable provider together, without secrets', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}/realms/acme`;
    const errors = await startupErrors(
      [
        testProvider(idp.issuer, { id: 'from-env', clientSecret: { kind: 'env', variable: 'MISSING_SECRET' } }),
        testProvider(idp.issuer, { id: 'from-file', clientSecret: { kind: 'file', path: path.join(directory, 'no-such-file') } }),
        testProvider(unreachable, { id: 'unreachable', clientSecret: { kind: 'env', variable: 'PRESENT_SECRET' } }),
      ],
      { PRESENT_SECRET: 'a-secret-that-must-not-be-shown' },
    );
    expect(errors.map((error) => error.code)).toEqual(['SSO_CLIENT_SECRET_MISSING', 'SSO_CLIENT_SECRET_MISSING', 'SSO_DISCOVERY_FAILED']);
    expect(errors[0]?.message).toContain('The client secret of SSO provider from-env is missing. Current value: environment variable MISSING_SECRET (sso.providers.from-env.client_secret_env) is not set');
    expect(errors[1]?.message).toContain('(sso.providers.from-file.client_secret_file) cannot be read: ENOENT');
    expect(errors[2]?.message).toContain(`The OpenID Connect discovery document of SSO provider unreachable cannot be read. Current value: issuer ${unreachable}`);
    expect(errors[2]?.message).toContain(`Check that ${unreachable}/.well-known/openid-configuration answers`);
    expect(errors.map((error) => error.message).join('\n')).not.toContain('a-secret-that-must-not-be-shown');
  });

  it('refuses an issuer that does not match the discovery document', async () => {
    const errors = await startupErrors([testProvider(`${idp.issuer}/`.replace('127.0.0.1', 'localhost'))], { TEST_SSO_CLIENT_SECRET: 'x' });
    expect(errors.map((error) => error.code)).toEqual(['SSO_DISCOVERY_FAILED']);
  });
});
