/**
 * @fileoverview The server-rendered sign-in pages: everything interpolated is escaped, and the
 * pages carry the landmarks and labels assistive technology relies on.
 */
import { describe, expect, it } from '@jest/globals';

import { html } from '../../src/sso/pages/html.js';
import { renderLoginPage } from '../../src/sso/pages/login-page.js';
import { renderMessagePage } from '../../src/sso/pages/message-page.js';
import { renderTokensPage } from '../../src/sso/pages/tokens-page.js';
import type { SsoUser } from '../../src/sso/sso-user.js';

const hostileUser: SsoUser = {
  id: 'idp:<script>',
  providerId: 'idp',
  subject: '<script>',
  email: 'x"@example.com',
  emailVerified: true,
  name: '<img src=x onerror=alert(1)>',
  groups: [],
};

describe('sign-in pages', () => {
  it('escapes every interpolated value', () => {
    expect(html`<p title="${'"><script>'}">${'<b>&'}</p>`.markup).toBe('<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;</p>');
    const login = renderLoginPage({
      nonce: 'n0nce',
      base: 'https://llm.example.com',
      providers: [{ id: 'evil', displayName: '<img src=x onerror=alert(1)>' }],
      user: hostileUser,
    });
    expect(login).not.toContain('<img src=x');
    expect(login).toContain('Sign in with &lt;img src=x onerror=alert(1)&gt;');
    const tokens = renderTokensPage({
      nonce: 'n0nce',
      base: 'https://llm.example.com',
      user: hostileUser,
      csrfToken: 'csrf"token',
      now: 0,
      tokens: [{ id: 'a"b', tokenHash: 'h', user: hostileUser, label: '<script>alert(1)</script>', createdAt: 0, expiresAt: 1, revokedAt: undefined, lastUsedAt: undefined }],
    });
    expect(tokens).not.toMatch(/<script>alert/);
    expect(tokens).toContain('value="csrf&quot;token"');
    expect(tokens).toContain('action="https://llm.example.com/auth/tokens/a%22b/revoke"');
  });

  it('has a language, a title, one main landmark, labelled controls and nonce-tagged styles only', () => {
    const page = renderMessagePage({ nonce: 'n0nce', base: 'https://llm.example.com', title: 'Access denied', message: 'No.', details: ['why'] });
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain('<title>Access denied · LLM Proxy</title>');
    expect(page.match(/<main>/g)).toHaveLength(1);
    expect(page).toContain('<p class="alert" role="alert">No.</p>');
    expect(page).toContain('<style nonce="n0nce">');
    expect(page).not.toContain('<script');
    expect(page).not.toMatch(/ style="/);

    const tokens = renderTokensPage({ nonce: 'n0nce', base: '', user: hostileUser, csrfToken: 'c', now: 0, tokens: [] });
    expect(tokens).toContain('<label for="token-label">Label (optional)</label>');
    expect(tokens).toContain('<input id="token-label" name="label"');
  });
});
