/**
 * @fileoverview The page that shows a new personal proxy token, once, with the settings to
 * paste into common clients. The token is in a read-only field that can be selected without
 * JavaScript; a copy button appears when scripts run.
 */
import type { SsoUser } from '../sso-user.js';
import { formatTime } from './format-time.js';
import { html } from './html.js';
import { renderPage } from './page-layout.js';

export interface TokenIssuedPageOptions {
  nonce: string;
  base: string;
  user: SsoUser;
  providerName: string;
  token: string;
  tokenId: string;
  expiresAt: number;
}

/** Shows the copy buttons and copies the text of the element a button names. */
export const COPY_BUTTON_SCRIPT = `
(function () {
  var status = document.getElementById('copy-status');
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var source = document.getElementById(button.getAttribute('data-copy'));
      var text = source.value !== undefined ? source.value : source.textContent;
      navigator.clipboard.writeText(text).then(function () {
        status.textContent = 'Copied to the clipboard.';
      }, function () {
        status.textContent = 'Copying failed: select the text and copy it yourself.';
      });
    });
  });
})();
`;

export function renderTokenIssuedPage(options: TokenIssuedPageOptions): string {
  const { base, user, token } = options;
  const apiBase = `${base}/v1`;
  const environmentSetup = `export OPENAI_BASE_URL=${apiBase}\nexport OPENAI_API_KEY=${token}`;
  const curlExample =
    `curl ${apiBase}/chat/completions \\\n  -H "Authorization: Bearer ${token}" \\\n  -H "Content-Type: application/json" \\\n` +
    `  -d '{"model": "openai:gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}'`;
  return renderPage({
    title: 'Your proxy token',
    nonce: options.nonce,
    script: COPY_BUTTON_SCRIPT,
    body: html`
<h1>Your proxy token</h1>
<p>Signed in as <strong>${user.name ?? user.email ?? user.id}</strong>${user.email !== undefined && user.name !== undefined ? html` (${user.email})` : ''} with ${options.providerName}.</p>
<p class="notice" role="status">Copy this token now: it is shown only once. It expires on ${formatTime(options.expiresAt)}. Its id is <code>${options.tokenId}</code>.</p>
<p>
  <label for="proxy-token">Personal proxy token</label><br>
  <input id="proxy-token" class="token" type="text" readonly value="${token}" autocomplete="off" spellcheck="false">
  <button type="button" class="secondary" data-copy="proxy-token" hidden>Copy token</button>
</p>
<p id="copy-status" class="muted" aria-live="polite"></p>

<h2>Use it</h2>
<p>OpenAI SDKs and most OpenAI-compatible tools read these environment variables:</p>
<pre id="setup-environment">${environmentSetup}</pre>
<button type="button" class="secondary" data-copy="setup-environment" hidden>Copy environment variables</button>
<p>Or try it with curl:</p>
<pre id="setup-curl">${curlExample}</pre>
<button type="button" class="secondary" data-copy="setup-curl" hidden>Copy curl command</button>
<p>Anthropic and Gemini clients send the same token as their API key (<code>x-api-key</code> or <code>x-goog-api-key</code>).
Keep it secret: anyone holding it can use the proxy as you.</p>

<footer><a href="${base}/auth/tokens">Manage your proxy tokens</a></footer>
`,
  });
}
