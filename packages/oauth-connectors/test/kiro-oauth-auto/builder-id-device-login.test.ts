/**
 * The AWS Builder ID device login against the fake SSO OIDC server on 127.0.0.1: register,
 * start the device authorization, poll at the given interval, slow down on `slow_down`. The
 * waits are recorded instead of slept.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { createTestConnectorContext } from '@llmproxy/connector-sdk/testing';
import { loginWithBuilderId } from '../../src/kiro-oauth-auto/builder-id-device-login.js';
import { createCoreHttpClient } from '../support/core-services.js';
import { startFakeKiroUpstream, type FakeKiroUpstream } from '../support/fake-kiro-upstream.js';

describe('AWS Builder ID device login', () => {
  let upstream: FakeKiroUpstream;
  let http: ReturnType<typeof createCoreHttpClient>;

  beforeEach(async () => {
    upstream = await startFakeKiroUpstream();
    http = createCoreHttpClient(createTestConnectorContext().context.logger);
  });
  afterEach(async () => {
    http.close();
    await upstream.close();
  });

  it('registers a client, shows the link and code, polls at the interval and slows down by 5 s on slow_down', async () => {
    upstream.deviceLogin.answers.push('pending', 'slow', 'pending');
    const waits: number[] = [];
    const prompts: Array<{ url: string; userCode: string; expiresInSeconds?: number }> = [];
    const record = await loginWithBuilderId({
      http,
      oidcUrl: upstream.oidcUrl,
      startUrl: 'https://view.awsapps.com/start',
      region: 'us-east-1',
      prompt: (verification) => prompts.push(verification),
      wait: async (milliseconds) => {
        waits.push(milliseconds);
      },
    });
    expect(prompts).toEqual([{ url: 'https://device.sso.us-east-1.amazonaws.com/?user_code=WXYZ-1234', userCode: 'WXYZ-1234', expiresInSeconds: 600 }]);
    expect(waits).toEqual([1000, 1000, 6000, 6000]);
    expect(record).toMatchObject({ accessToken: 'device-access', refreshToken: 'device-refresh', authMethod: 'IdC', provider: 'BuilderId', region: 'us-east-1', clientId: 'client-1', clientSecret: 'secret-1' });
    expect(typeof record['clientSecretExpiresAt']).toBe('number');
    expect(JSON.parse(upstream.callsTo('/oidc/client/register')[0]!.body)).toMatchObject({ clientType: 'public', scopes: expect.arrayContaining(['codewhisperer:completions', 'codewhisperer:conversations']) });
    expect(JSON.parse(upstream.callsTo('/oidc/device_authorization')[0]!.body)).toEqual({ clientId: 'client-1', clientSecret: 'secret-1', startUrl: 'https://view.awsapps.com/start' });
    expect(JSON.parse(upstream.callsTo('/oidc/token')[0]!.body)).toEqual({ clientId: 'client-1', clientSecret: 'secret-1', grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: 'device-1' });
  });

  it('a device code that expires before approval is KIRO_LOGIN_FAILED', async () => {
    upstream.deviceLogin.answers.push('pending', 'pending');
    let now = 0;
    const error = await loginWithBuilderId({
      http,
      oidcUrl: upstream.oidcUrl,
      startUrl: 'https://view.awsapps.com/start',
      region: 'us-east-1',
      prompt: () => undefined,
      now: () => now,
      wait: async () => {
        now += 400_000;
      },
    }).then(() => undefined, (caught: unknown) => caught);
    expect(LlmProxyError.is(error) && error.code).toBe('KIRO_LOGIN_FAILED');
    expect((error as Error).message).toContain('expired');
  });
});
