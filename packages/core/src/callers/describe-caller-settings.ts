/**
 * @fileoverview One-line descriptions of caller settings and prices for `config explain`.
 */
import type { CallerSettings, ModelPrice } from '../config/proxy-settings.js';

/** `CI: admin; models openai:*; 10 rpm, 2 streams; $5/day`, or `(nothing set)`. */
export function describeCallerSettings(settings: CallerSettings): string {
  const parts: string[] = [];
  if (settings.admin === true) parts.push('admin');
  if (settings.models !== undefined) parts.push(settings.models.length === 0 ? 'no models' : `models ${settings.models.join(' ')}`);
  const limits: string[] = [];
  if (settings.limits?.requestsPerMinute !== undefined) limits.push(`${settings.limits.requestsPerMinute} rpm`);
  if (settings.limits?.tokensPerMinute !== undefined) limits.push(`${settings.limits.tokensPerMinute} tpm`);
  if (settings.limits?.concurrentStreams !== undefined) limits.push(`${settings.limits.concurrentStreams} streams`);
  if (limits.length > 0) parts.push(limits.join(', '));
  if (settings.budgets !== undefined && settings.budgets.length > 0) {
    parts.push(settings.budgets.map((budget) => `$${budget.usd}/${budget.period}`).join(', '));
  }
  const described = parts.length === 0 ? '(nothing set)' : parts.join('; ');
  return settings.name === undefined ? described : `${settings.name}: ${described}`;
}

/** `api-key#1 (CI: admin), github:42 (models openai:*)`, or `(none)`. */
export function describeCallerMap(map: Readonly<Record<string, CallerSettings>>): string {
  const entries = Object.entries(map);
  if (entries.length === 0) return '(none)';
  return entries.map(([key, settings]) => `${key} (${describeCallerSettings(settings)})`).join(', ');
}

/** `local:llama3 ($0.1 in, $0.2 out per million tokens)`, or `(none)`. */
export function describePrices(prices: Readonly<Record<string, ModelPrice>>): string {
  const entries = Object.entries(prices);
  if (entries.length === 0) return '(none: the bundled price table only)';
  return entries
    .map(([key, price]) => {
      const cached = price.cachedInputUsdPerMtok === undefined ? '' : `, $${price.cachedInputUsdPerMtok} cached`;
      return `${key} ($${price.inputUsdPerMtok} in${cached}, $${price.outputUsdPerMtok} out per million tokens)`;
    })
    .join(', ');
}
