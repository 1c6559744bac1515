/**
 * @fileoverview `/auth/tokens`: the signed-in user's tokens, each with a revoke button, a form
 * for a new token and a sign-out button. Every form carries the session's CSRF token.
 */
import type { ProxyTokenRecord } from '../sso-store.js';
import type { SsoUser } from '../sso-user.js';
import type { UsageSummary } from '../usage-summary.js';
import { formatTime } from './format-time.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './page-layout.js';

export interface TokensPageOptions {
  nonce: string;
  base: string;
  user: SsoUser;
  tokens: readonly ProxyTokenRecord[];
  csrfToken: string;
  now: number;
  notice?: string | undefined;
  /** The user's own usage and budgets; undefined when usage recording is off. */
  usage?: UsageSummary | undefined;
}

export function tokenStatus(token: ProxyTokenRecord, now: number): 'active' | 'expired' | 'revoked' {
  if (token.revokedAt !== undefined) return 'revoked';
  return token.expiresAt <= now ? 'expired' : 'active';
}

export function renderTokensPage(options: TokensPageOptions): string {
  const { base, user, csrfToken, now } = options;
  const csrfField = html`<input type="hidden" name="_csrf" value="${csrfToken}">`;
  return renderPage({
    title: 'Your proxy tokens',
    nonce: options.nonce,
    body: html`
<h1>Your proxy tokens</h1>
<p>Signed in as <strong>${user.name ?? user.email ?? user.id}</strong>${user.email !== undefined && user.name !== undefined ? html` (${user.email})` : ''}.</p>
${options.notice === undefined ? '' : html`<p class="notice" role="status">${options.notice}</p>`}
${
  options.tokens.length === 0
    ? html`<p>You have no tokens.</p>`
    : html`<table>
<caption class="muted">Tokens are shown once when created; here they are listed by id.</caption>
<thead><tr><th scope="col">Token id</th><th scope="col">Label</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>
${options.tokens.map((token) => {
  const status = tokenStatus(token, now);
  return html`<tr>
<td><code>${token.id}</code></td><td>${token.label}</td><td>${formatTime(token.createdAt)}</td><td>${formatTime(token.expiresAt)}</td>
<td>${formatTime(token.lastUsedAt)}</td><td>${status}</td>
<td>${
    status === 'active'
      ? html`<form class="inline" method="post" action="${base}/auth/tokens/${encodeURIComponent(token.id)}/revoke">${csrfField}<button type="submit" class="danger" aria-label="Revoke token ${token.id}">Revoke</button></form>`
      : ''
  }</td>
</tr>
`;
})}</tbody>
</table>`
}
${options.usage === undefined ? '' : renderUsage(options.usage)}
<h2>New token</h2>
<form method="post" action="${base}/auth/tokens">
${csrfField}
<p><label for="token-label">Label (optional)</label><br><input id="token-label" name="label" type="text" maxlength="100" placeholder="e.g. laptop"></p>
<p><button type="submit">Create a new token</button></p>
</form>

<h2>Sign out</h2>
<form method="post" action="${base}/auth/logout">
${csrfField}
<p><button type="submit" class="secondary">Sign out</button></p>
</form>
`,
  });
}

function usd(amount: number): string {
  return `$${amount.toFixed(4)}`;
}

function renderUsage(usage: UsageSummary): SafeHtml {
  return html`<h2>Your usage</h2>
<table>
<thead><tr><th scope="col">Period</th><th scope="col">Requests</th><th scope="col">Input tokens</th><th scope="col">Output tokens</th><th scope="col">Cost</th></tr></thead>
<tbody>
${usage.periods.map(
  (period) => html`<tr><td>${period.label}</td><td>${String(period.requests)}</td><td>${String(period.inputTokens)}</td><td>${String(period.outputTokens)}</td>
<td>${usd(period.costUsd)}${period.unpricedRequests === 0 ? '' : html` <span class="muted">(${String(period.unpricedRequests)} without a known price)</span>`}</td></tr>
`,
)}</tbody>
</table>
${
  usage.budgets.length === 0
    ? html`<p class="muted">You have no budget.</p>`
    : html`<ul>
${usage.budgets.map(
  (budget) =>
    html`<li>Budget ${usd(budget.usd)} per ${budget.period}: ${usd(budget.spentUsd)} spent, <strong>${usd(budget.remainingUsd)} left</strong>; resets ${formatTime(budget.resetsAt)}.</li>
`,
)}</ul>`
}
`;
}
