/**
 * @fileoverview Personal proxy tokens after sign-in: listed and revoked by their owner on
 * `/auth/tokens` (CSRF-checked form posts), refused once revoked or expired, and the session
 * ended by signing out.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { generateProxyToken } from '../../src/sso/proxy-token.js';
import { HttpBrowser, inputValue, parseForms, type Page } from './support/http-browser.js';
import { signIn } from './support/sign-in.js';
import { startSsoTestSetup, type SsoTestSetup } from './support/sso-test-setup.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('personal proxy tokens', () => {
  let setup: SsoTestSetup;

  beforeAll(async () => {
    setup = await startSsoTestSetup({ tokenLifetimeDays: 7 });
  });

  afterAll(async () => {
    await setup?.close();
  });

  async function whoami(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${setup.proxyBase}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function signedIn(login = 'alice'): Promise<{ browser: HttpBrowser; token: string; tokenId: string }> {
    const browser = new HttpBrowser();
    const page = await signIn(browser, { proxyBase: setup.proxyBase, providerId: 'test-idp', login });
    const token = inputValue(page, 'proxy-token');
    const tokenId = /Its id is <code>([^<]+)<\/code>/.exec(page.body)?.[1];
    if (token === undefined || tokenId === undefined) throw new Error(`no token on the page:\n${page.body}`);
    return { browser, token, tokenId };
  }

  function revokeForm(page: Page, tokenId: string) {
    return parseForms(page).find((form) => form.action.endsWith(`/auth/tokens/${tokenId}/revoke`));
  }

  it('lists the owner’s tokens and lets the owner revoke one, which is refused from then on', async () => {
    const { browser, token, tokenId } = await signedIn();
    const other = await signedIn('carol');
    const tokensPage = await browser.request(`${setup.proxyBase}/auth/tokens`);
    expect(tokensPage.status).toBe(200);
    expect(tokensPage.body).toContain(`<code>${tokenId}</code>`);
    expect(tokensPage.body).not.toContain(other.tokenId);
    expect(tokensPage.body).not.toContain(token);

    const form = revokeForm(tokensPage, tokenId);
    expect(form?.fields['_csrf']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const afterRevoke = await browser.submit(tokensPage, {}, { actionEndsWith: `/auth/tokens/${tokenId}/revoke` });
    expect(afterRevoke.status).toBe(200);
    expect(afterRevoke.url).toBe(`${setup.proxyBase}/auth/tokens?revoked=${tokenId}`);
    expect(afterRevoke.body).toContain(`Token ${tokenId} has been revoked.`);
    expect(revokeForm(afterRevoke, tokenId)).toBeUndefined();

    const refused = await whoami(token);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'SSO_TOKEN_REVOKED' });
    expect(String(refused.body['message'])).toContain(`SSO token ${tokenId} has been revoked`);
    expect((await whoami(other.token)).status).toBe(200);
  });

  it('refuses form posts without the session’s CSRF token or from another origin', async () => {
    const { browser, token, tokenId } = await signedIn();
    const tokensPage = await browser.request(`${setup.proxyBase}/auth/tokens`);
    const form = revokeForm(tokensPage, tokenId)!;

    const withoutCsrf = await browser.request(form.action, { method: 'POST', form: {} });
    expect(withoutCsrf.status).toBe(403);
    expect(withoutCsrf.body).toContain('This form did not come from this site, or it is out of date');

    const wrongCsrf = await browser.request(form.action, { method: 'POST', form: { _csrf: 'guessed' } });
    expect(wrongCsrf.status).toBe(403);

    const foreignOrigin = await browser.request(form.action, { method: 'POST', form: form.fields, headers: { origin: 'https://evil.example' } });
    expect(foreignOrigin.status).toBe(403);

    const noSession = await new HttpBrowser().request(form.action, { method: 'POST', form: form.fields });
    expect(noSession.status).toBe(401);

    expect((await whoami(token)).status).toBe(200);
  });

  it('does not let one user revoke another user’s token', async () => {
    const alice = await signedIn();
    const carol = await signedIn('carol');
    const carolPage = await carol.browser.request(`${setup.proxyBase}/auth/tokens`);
    const csrf = parseForms(carolPage)[0]?.fields['_csrf'] ?? '';
    const attempt = await carol.browser.request(`${setup.proxyBase}/auth/tokens/${alice.tokenId}/revoke`, {
      method: 'POST',
      form: { _csrf: csrf },
    });
    expect(attempt.status).toBe(404);
    expect((await whoami(alice.token)).status).toBe(200);
  });

  it('creates further tokens on request, each shown once', async () => {
    const { browser } = await signedIn();
    const tokensPage = await browser.request(`${setup.proxyBase}/auth/tokens`);
    const created = await browser.submit(tokensPage, { label: 'build server' }, { actionEndsWith: '/auth/tokens' });
    expect(created.status).toBe(200);
    const token = inputValue(created, 'proxy-token');
    expect(token).toMatch(/^llmproxy-sso-/);
    expect((await whoami(token!)).body).toMatchObject({ user: 'test-idp:alice' });
    const listed = await browser.request(`${setup.proxyBase}/auth/tokens`);
    expect(listed.body).toContain('<td>build server</td>');
  });

  it('asks to sign in for the tokens page, and signs out', async () => {
    const anonymous = await new HttpBrowser().request(`${setup.proxyBase}/auth/tokens`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toContain('Sign in to see and manage your proxy tokens.');

    const { browser, token } = await signedIn();
    const tokensPage = await browser.request(`${setup.proxyBase}/auth/tokens`);
    const signedOut = await browser.submit(tokensPage, {}, { actionEndsWith: '/auth/logout' });
    expect(signedOut.status).toBe(200);
    expect(signedOut.body).toContain('You have signed out.');
    expect((await browser.request(`${setup.proxyBase}/auth/tokens`)).status).toBe(401);
    // Signing out ends the browser session, not the tokens.
    expect((await whoami(token)).status).toBe(200);
  });

  it('refuses tokens after their lifetime and unknown tokens of the proxy’s shape', async () => {
    const { token } = await signedIn();
    expect((await whoami(token)).status).toBe(200);
    setup.advanceClock(7 * DAY_MS + 1000);
    try {
      const expired = await whoami(token);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ code: 'SSO_TOKEN_EXPIRED' });
    } finally {
      setup.advanceClock(-(7 * DAY_MS + 1000));
    }
    const unknown = await whoami(`llmproxy-sso-${'A'.repeat(43)}`);
    expect(unknown).toEqual({ status: 401, body: { code: 'SSO_TOKEN_INVALID', message: expect.stringContaining('Invalid SSO token') } });
  });

  it('re-checks the allowed users each time a token is used', async () => {
    const { tokenId } = await signedIn();
    const record = (await setup.sso.store.findToken(tokenId))!;
    expect(record.user).toMatchObject({ id: 'test-idp:alice', email: 'alice@example.com', emailVerified: true });

    // Tokens of people the rules no longer allow, or of a provider no longer configured.
    const outsider = generateProxyToken();
    await setup.sso.store.insertToken({ ...record, id: outsider.id, tokenHash: outsider.tokenHash, user: { ...record.user, email: 'alice@elsewhere.net', groups: [] } });
    const refused = await whoami(outsider.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'SSO_USER_NOT_ALLOWED' });

    const orphan = generateProxyToken();
    await setup.sso.store.insertToken({ ...record, id: orphan.id, tokenHash: orphan.tokenHash, user: { ...record.user, providerId: 'removed-idp', id: 'removed-idp:alice' } });
    expect(await whoami(orphan.token)).toMatchObject({ status: 403, body: { code: 'SSO_USER_NOT_ALLOWED' } });
  });
});
