/**
 * The Google loopback login against the fake consent page and token endpoint on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { createTestConnectorContext } from '@llmproxy/connector-sdk/testing';
import { loginWithGoogleInBrowser } from '../../src/gemini-code-assist/google-browser-login.js';
import { createCoreHttpClient } from '../support/core-services.js';
import { startFakeGoogleUpstream, type FakeGoogleUpstream } from '../support/fake-google-upstream.js';

describe('Google browser login', () => {
  let upstream: FakeGoogleUpstream;
  let http: ReturnType<typeof createCoreHttpClient>;

  beforeEach(async () => {
    upstream = await startFakeGoogleUpstream();
    http = createCoreHttpClient(createTestConnectorContext().context.logger);
  });
  afterEach(async () => {
    http.close();
    await upstream.close();
  });

  it('exchanges the code sent back to the loopback callback for tokens', async () => {
    const login = await loginWithGoogleInBrowser({
      http,
      authorizationUrl: upstream.authorizationUrl,
      tokenUrl: upstream.tokenUrl,
      prompt: (url) => void fetch(url),
    });
    expect(login.email).toBe('someone@example.com');
    expect(login.record).toMatchObject({ access_token: 'consent-access', refresh_token: 'consent-refresh', token_type: 'Bearer' });
    const exchange = new URLSearchParams(upstream.callsTo('/token')[0]!.body);
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('client_secret')).toBe('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');
  });

  it('refuses a callback whose state does not match, and exchanges nothing', async () => {
    let answer: Promise<Response> | undefined;
    const failure = await loginWithGoogleInBrowser({
      http,
      authorizationUrl: upstream.authorizationUrl,
      tokenUrl: upstream.tokenUrl,
      prompt: (url) => {
        const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
        redirect.searchParams.set('code', 'stolen-code');
        redirect.searchParams.set('state', 'forged');
        answer = fetch(redirect);
      },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(LlmProxyError.is(failure) && failure.code).toBe('GEMINI_LOGIN_FAILED');
    expect((failure as LlmProxyError).message).toContain('state parameter does not match');
    expect((await answer!).status).toBe(400);
    expect(upstream.callsTo('/token')).toHaveLength(0);
  });
});
