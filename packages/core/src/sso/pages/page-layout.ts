/**
 * @fileoverview The frame of every sign-in page: language, title, landmarks, readable styles
 * with visible focus, and the CSP nonce that lets the page's own style and script (and nothing
 * else) run.
 */
import { html, SafeHtml } from './html.js';

export interface PageOptions {
  title: string;
  /** Per-response nonce that the Content-Security-Policy header also names. */
  nonce: string;
  body: SafeHtml;
  /** Progressive enhancement only: every page works without it. A constant of this code, never user input. */
  script?: string;
}

const STYLES = `
:root { color-scheme: light dark; --accent: #0b57d0; --danger: #b3261e; --muted: #555; }
@media (prefers-color-scheme: dark) { :root { --accent: #8ab4f8; --danger: #f2b8b5; --muted: #bbb; } }
* { box-sizing: border-box; }
body { font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; padding: 2rem 1rem; }
main { max-width: 46rem; margin: 0 auto; }
h1 { font-size: 1.6rem; margin-top: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.muted { color: var(--muted); }
.providers { list-style: none; padding: 0; display: grid; gap: .75rem; }
.button, button { display: inline-block; font: inherit; padding: .6rem 1.1rem; border-radius: .4rem; border: 1px solid var(--accent);
  background: var(--accent); color: Canvas; text-decoration: none; cursor: pointer; }
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
.token { width: 100%; font: .95rem/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; padding: .6rem; }
pre { overflow-x: auto; padding: .8rem; border: 1px solid var(--muted); border-radius: .4rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--muted); vertical-align: top; }
.alert { border-left: 4px solid var(--danger); padding: .5rem 1rem; }
.notice { border-left: 4px solid var(--accent); padding: .5rem 1rem; }
form.inline { display: inline; }
footer { margin-top: 2rem; }
`;

export function renderPage(options: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title} · LLM Proxy</title>
<style nonce="${options.nonce}">${new SafeHtml(STYLES)}</style>
</head>
<body>
<main>
${options.body}
</main>
${options.script === undefined ? '' : html`<script nonce="${options.nonce}">${new SafeHtml(options.script)}</script>`}
</body>
</html>
`.markup;
}

