/**
 * @fileoverview Renders `llm-proxy tokens list`: one row per token with its id, owner, label,
 * times and status. Tokens themselves are never stored, so they can never be shown.
 */
import { formatTime } from '../sso/pages/format-time.js';
import { tokenStatus } from '../sso/pages/tokens-page.js';
import type { ProxyTokenRecord } from '../sso/sso-store.js';

export function formatTokenList(tokens: readonly ProxyTokenRecord[], now: number): string {
  if (tokens.length === 0) return 'No SSO tokens.\n';
  const rows = tokens.map((token) => [
    token.id,
    token.user.id,
    token.user.email ?? '-',
    token.label,
    formatTime(token.createdAt),
    formatTime(token.expiresAt),
    formatTime(token.lastUsedAt),
    tokenStatus(token, now),
  ]);
  const header = ['ID', 'USER', 'EMAIL', 'LABEL', 'CREATED', 'EXPIRES', 'LAST USED', 'STATUS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
