/**
 * @fileoverview Pages that explain why something did not work (access refused, a sign-in that
 * expired or was tampered with, a provider error) and where to go next.
 */
import { html } from './html.js';
import { renderPage } from './page-layout.js';

export interface MessagePageOptions {
  nonce: string;
  base: string;
  title: string;
  /** What happened, in one or two sentences. */
  message: string;
  /** Further facts, one per item (never secrets). */
  details?: readonly string[];
  /** What the reader can do about it. */
  advice?: string;
}

export function renderMessagePage(options: MessagePageOptions): string {
  return renderPage({
    title: options.title,
    nonce: options.nonce,
    body: html`
<h1>${options.title}</h1>
<p class="alert" role="alert">${options.message}</p>
${options.details === undefined || options.details.length === 0 ? '' : html`<ul>${options.details.map((detail) => html`<li>${detail}</li>`)}</ul>`}
${options.advice === undefined ? '' : html`<p>${options.advice}</p>`}
<p><a href="${options.base}/auth/login">Back to sign-in</a></p>
`,
  });
}
