/**
 * @fileoverview Desktop notifications (and log lines) about a ChatGPT account's Codex usage:
 *
 * - quota low: a rate-limit window passed the warning threshold — once per window (per reset);
 * - quota reached: the account hit its usage limit and is parked until the reset;
 * - token invalidated: the login can no longer be refreshed — once, until its file changes.
 *
 * Tokens never appear in them.
 */
import type { ConnectorLogger, Notifier } from '@llmproxy/connector-sdk';
import type { CodexRateLimits } from './codex-rate-limits.js';

export interface CodexQuotaNoticesOptions {
  notifier: Notifier;
  logger: ConnectorLogger;
  backendName: string;
  /** Used percent of a window at which to warn. */
  warningPercent: number;
}

/** Windows warned about, remembered per account; bounded since windows repeat forever. */
const MAX_REMEMBERED_WINDOWS = 1_000;

export class CodexQuotaNotices {
  private readonly warnedWindows = new Set<string>();
  private readonly invalidated = new Set<string>();

  constructor(private readonly options: CodexQuotaNoticesOptions) {}

  /** Looks at the rate-limit headers of a successful answer. */
  observe(account: string, limits: CodexRateLimits): void {
    for (const [window, state] of Object.entries(limits)) {
      if (state.usedPercent < this.options.warningPercent || state.usedPercent >= 100) continue;
      const key = `${account}|${window}|${state.resetsAtMs ?? state.windowMinutes ?? ''}`;
      if (this.warnedWindows.has(key)) continue;
      this.remember(key);
      const resets = state.resetsAtMs === undefined ? '' : ` It resets at ${new Date(state.resetsAtMs).toISOString()}.`;
      const span = state.windowMinutes === undefined ? '' : ` (${describeMinutes(state.windowMinutes)} window)`;
      const message = `ChatGPT account ${account} of backend ${this.options.backendName} has used ${Math.round(state.usedPercent)}% of its Codex ${window} usage limit${span}.${resets}`;
      this.options.logger.warn(message, { backend: this.options.backendName, window, usedPercent: state.usedPercent });
      this.options.notifier.notify({ title: 'Codex usage limit almost reached', message, dedupeKey: `codex-quota-low:${key}` });
    }
  }

  quotaReached(account: string, resetsAtMs: number, remaining: { usable: number; total: number }): void {
    const at = new Date(resetsAtMs).toISOString();
    const message = `ChatGPT account ${account} of backend ${this.options.backendName} reached its Codex usage limit; it is parked until ${at}. ${remaining.usable} of ${remaining.total} account(s) remain usable.`;
    this.options.logger.warn(message, { backend: this.options.backendName, resetsAt: at });
    this.options.notifier.notify({ title: 'Codex usage limit reached', message, dedupeKey: `codex-quota-reached:${this.options.backendName}:${account}:${at}` });
  }

  tokenInvalidated(account: string, reason: string, fix: string | undefined): void {
    if (this.invalidated.has(account)) return;
    this.invalidated.add(account);
    const message = `${sentence(reason)}${fix === undefined ? '' : ` ${sentence(fix)}`}`;
    this.options.logger.warn(message, { backend: this.options.backendName, account });
    this.options.notifier.notify({ title: 'ChatGPT login invalidated', message, dedupeKey: `codex-token-invalidated:${this.options.backendName}:${account}` });
  }

  /** The account's login changed: it may be invalidated (and told about) again. */
  loginChanged(account: string): void {
    this.invalidated.delete(account);
  }

  private remember(key: string): void {
    this.warnedWindows.add(key);
    if (this.warnedWindows.size > MAX_REMEMBERED_WINDOWS) {
      const oldest = this.warnedWindows.values().next().value;
      if (oldest !== undefined) this.warnedWindows.delete(oldest);
    }
  }
}

function describeMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}-day`;
  if (minutes % 60 === 0) return `${minutes / 60}-hour`;
  return `${minutes}-minute`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
