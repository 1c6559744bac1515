/**
 * @fileoverview The browser sign-in against a real OpenID Connect provider (oidc-provider on
 * 127.0.0.1), driven over HTTP: redirects followed, the provider's sign-in and consent forms
 * submitted, the proxy's callback answering with a personal token, and every way a callback
 * can be forged or misused refused.
 */
import fs from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';

import { HttpBrowser, inputValue, type Page } from './support/http-browser.js';
import { signIn } from './support/sign-in.js';
import { startSsoTestSetup, type SsoTestSetup } from './support/sso-test-setup.js';

async function whoami(setup: SsoTestSetup, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${setup.proxyBase}/whoami`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function expectNoToken(page: Page): void {
  expect(inputValue(page, 'proxy-token')).toBeUndefined();
  expect(page.body).not.toContain('llmproxy-sso-');
}

describe('SSO sign-in through a real OpenID Connect provider', () => {
  let setup: SsoTestSetup;

  beforeAll(async () => {
    setup = await startSsoTestSetup();
  });

  afterAll(async () => {
    await setup?.close();
  });

  it('lists the configured providers on the sign-in page, with secure page headers', async () => {
    const page = await new HttpBrowser().request(`${setup.proxyBase}/auth/login`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain(`href="${setup.proxyBase}/auth/login/test-idp">Sign in with Test Identity Provider</a>`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; style-src 'nonce-[^']+'; script-src 'nonce-[^']+'/);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
  });

  it('sends the browser to the provider with PKCE, state and nonce', async () => {
    const page = await new HttpBrowser().request(`${setup.proxyBase}/auth/login/test-idp`);
    expect(page.status).toBe(303);
    const location = new URL(page.headers.get('location') ?? '');
    expect(location.origin).toBe(setup.idp.issuer);
    expect(location.searchParams.get('client_id')).toBe('llm-proxy');
    expect(location.searchParams.get('redirect_uri')).toBe(`${setup.proxyBase}/auth/callback`);
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(location.searchParams.get('scope')).toBe('openid email profile groups');
  });

  it('issues a personal proxy token once, stored only as a digest, that authenticates the user', async () => {
    const browser = new HttpBrowser();
    const page = await signIn(browser, { proxyBase: setup.proxyBase, providerId: 'test-idp', login: 'alice' });
    expect(page.status).toBe(200);
    expect(page.url).toContain('/auth/callback');
    const token = inputValue(page, 'proxy-token');
    expect(token).toMatch(/^llmproxy-sso-[A-Za-z0-9_-]{43}$/);
    expect(page.body).toContain('Alice Example');
    expect(page.body).toContain('it is shown only once');
    expect(page.body).toContain(`export OPENAI_BASE_URL=${setup.proxyBase}/v1\nexport OPENAI_API_KEY=${token}`);
    expect(page.body).toContain(`curl ${setup.proxyBase}/v1/chat/completions`);

    expect(await whoami(setup, token!)).toEqual({
      status: 200,
      body: { user: 'test-idp:alice', email: 'alice@example.com', credential: 'proxy-token' },
    });

    // The session cookie of the token pages: HttpOnly, SameSite=Lax, limited to /auth, not Secure over http.
    const sessionCookie = browser.setCookieHeaders.find((header) => header.startsWith('llmproxy_sso_session='));
    expect(sessionCookie).toMatch(/; Path=\/auth/);
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);
    expect(sessionCookie).not.toMatch(/; Secure/);

    // Neither the database nor the log holds the token itself.
    const database = new Database(setup.databaseFile, { readonly: true });
    const rows = database.prepare('SELECT * FROM proxy_tokens').all();
    database.close();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).toContain('test-idp:alice');
    expect(fs.readFileSync(setup.databaseFile).includes(Buffer.from(token!))).toBe(false);
    expect(setup.logger.text()).not.toContain(token);
    expect(setup.logger.entries).toContainEqual(expect.objectContaining({ message: 'SSO sign-in', meta: { user: 'test-idp:alice', provider: 'test-idp' } }));
  });

  it('refuses a user outside the allowed domains and groups with a clear page', async () => {
    const page = await signIn(new HttpBrowser(), { proxyBase: setup.proxyBase, providerId: 'test-idp', login: 'bob' });
    expect(page.status).toBe(403);
    expect(page.body).toContain('<h1>Access denied</h1>');
    expect(page.body).toContain('Your account bob@other.org is not allowed to use this proxy.');
    expect(page.body).toContain('the email address bob@other.org is not in an allowed domain or on the list of allowed addresses');
    expect(page.body).toContain('ask the operator of this proxy to allow your account, email domain or group');
    expectNoToken(page);
    expect(setup.logger.entries).toContainEqual(
      expect.objectContaining({ message: 'SSO sign-in refused: user not allowed', meta: expect.objectContaining({ user: 'test-idp:bob' }) }),
    );
  });

  it('allows a user of another domain who is in an allowed group', async () => {
    const page = await signIn(new HttpBrowser(), { proxyBase: setup.proxyBase, providerId: 'test-idp', login: 'carol' });
    expect(page.status).toBe(200);
    expect((await whoami(setup, inputValue(page, 'proxy-token')!)).body).toMatchObject({ user: 'test-idp:carol' });
  });

  it('refuses an allowed domain when the provider has not verified the address', async () => {
    const page = await signIn(new HttpBrowser(), { proxyBase: setup.proxyBase, providerId: 'test-idp', login: 'mallory' });
    expect(page.status).toBe(403);
    expect(page.body).toContain('the email address mallory@example.com is not verified by the provider');
    expectNoToken(page);
  });

  it('refuses a callback whose state was tampered with', async () => {
    const page = await signIn(new HttpBrowser(), {
      proxyBase: setup.proxyBase,
      providerId: 'test-idp',
      login: 'alice',
      rewriteCallback: (url) => {
        url.searchParams.set('state', `${url.searchParams.get('state')}x`);
        return url;
      },
    });
    expect(page.status).toBe(400);
    expect(page.body).toContain('This sign-in response does not belong to a sign-in in progress');
    expectNoToken(page);
  });

  it('refuses a state changed on its way to the provider', async () => {
    const page = await signIn(new HttpBrowser(), {
      proxyBase: setup.proxyBase,
      providerId: 'test-idp',
      login: 'alice',
      rewriteAuthorization: (url) => {
        url.searchParams.set('state', 'attacker-chosen-state-value');
        return url;
      },
    });
    expect(page.status).toBe(400);
    expectNoToken(page);
  });

  it('refuses an ID token whose nonce differs from the one the sign-in created', async () => {
    const page = await signIn(new HttpBrowser(), {
      proxyBase: setup.proxyBase,
      providerId: 'test-idp',
      login: 'alice',
      rewriteAuthorization: (url) => {
        url.searchParams.set('nonce', 'attacker-chosen-nonce-value');
        return url;
      },
    });
    expect(page.status).toBe(400);
    expect(page.body).toContain('The sign-in response failed the security checks and was refused.');
    expect(page.body).toMatch(/nonce/);
    expectNoToken(page);
  });

  it('refuses a replayed callback and a callback in a browser that did not start the sign-in', async () => {
    let callback: URL | undefined;
    const browser = new HttpBrowser();
    const first = await signIn(browser, {
      proxyBase: setup.proxyBase,
      providerId: 'test-idp',
      login: 'alice',
      rewriteCallback: (url) => {
        callback = new URL(url.href);
        return url;
      },
    });
    expect(first.status).toBe(200);
    const replay = await browser.request(callback!.href);
    expect(replay.status).toBe(400);
    expectNoToken(replay);

    // A victim's browser receiving an attacker's callback (login CSRF) has no binding cookie for it.
    let foreignCallback: URL | undefined;
    await signIn(new HttpBrowser(), {
      proxyBase: setup.proxyBase,
      providerId: 'test-idp',
      login: 'bob',
      rewriteCallback: (url) => {
        foreignCallback = new URL(url.href);
        return new URL(`${setup.proxyBase}/auth/login`);
      },
    });
    const victim = await new HttpBrowser().request(foreignCallback!.href);
    expect(victim.status).toBe(400);
    expect(victim.body).toContain('This sign-in was started in another browser');
    expectNoToken(victim);
  });

  it('explains a sign-in the provider refused', async () => {
    const browser = new HttpBrowser();
    const start = await browser.request(`${setup.proxyBase}/auth/login/test-idp`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const page = await browser.request(`${setup.proxyBase}/auth/callback?error=access_denied&error_description=End-User+aborted+interaction&state=${state}&iss=${encodeURIComponent(setup.idp.issuer)}`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('Test Identity Provider did not sign you in: End-User aborted interaction.');
  });

  it('answers an unknown provider with a page, not a redirect', async () => {
    const page = await new HttpBrowser().request(`${setup.proxyBase}/auth/login/nobody`);
    expect(page.status).toBe(404);
    expect(page.body).toContain('There is no sign-in provider with this name.');
  });
});
