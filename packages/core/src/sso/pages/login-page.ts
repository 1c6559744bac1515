/**
 * @fileoverview `/auth/login`: one sign-in link per configured provider. Plain links, so the
 * page works without JavaScript.
 */
import type { SsoUser } from '../sso-user.js';
import { html } from './html.js';
import { renderPage } from './page-layout.js';

export interface LoginPageOptions {
  nonce: string;
  /** The proxy's address, without a trailing slash. */
  base: string;
  providers: readonly { id: string; displayName: string }[];
  /** A signed-in user, who is offered the token page as well. */
  user?: SsoUser | undefined;
  notice?: string | undefined;
}

export function renderLoginPage(options: LoginPageOptions): string {
  const { base, user } = options;
  return renderPage({
    title: 'Sign in',
    nonce: options.nonce,
    body: html`
<h1>Sign in to LLM Proxy</h1>
${options.notice === undefined ? '' : html`<p class="notice" role="status">${options.notice}</p>`}
${user === undefined ? '' : html`<p>You are signed in as <strong>${user.name ?? user.email ?? user.id}</strong>. <a href="${base}/auth/tokens">Manage your proxy tokens</a>.</p>`}
<p>Sign in with your organisation's account to get a personal token for your LLM clients.</p>
<ul class="providers" aria-label="Identity providers">
${options.providers.map(
  (provider) => html`<li><a class="button" href="${base}/auth/login/${encodeURIComponent(provider.id)}">Sign in with ${provider.displayName}</a></li>
`,
)}</ul>
`,
  });
}
