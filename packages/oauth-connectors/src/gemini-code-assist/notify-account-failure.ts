/**
 * @fileoverview Tells the account owner about an account failure only they can fix: a
 * verification Google asks for (with its link) and a missing project each send a desktop
 * notification; every failure is logged (never with tokens).
 */
import type { ConnectorLogger, Notifier } from '@llmproxy/connector-sdk';
import type { AccountFailure } from './account-outcome.js';

export interface AccountFailureNotice {
  notifier: Notifier;
  logger: ConnectorLogger;
  backendName: string;
  accountLabel: string;
  failure: AccountFailure;
  /** For a pool: how many accounts can still serve, and of how many. */
  remaining?: { usable: number; total: number };
}

export function notifyAccountFailure(notice: AccountFailureNotice): void {
  const { failure, accountLabel, backendName, remaining } = notice;
  const remainingText =
    remaining === undefined ? '' : ` ${remaining.usable} of ${remaining.total} account(s) of backend ${backendName} remain usable.`;
  if (failure.kind === 'verification') {
    const where = failure.validationUrl === undefined ? 'sign in with the Gemini CLI to complete it' : `open ${failure.validationUrl}`;
    const message = `Google asks to verify the Gemini account ${accountLabel} before it serves more requests: ${where}.${remainingText}`;
    notice.logger.warn(message, { backend: backendName, code: failure.error.code });
    notice.notifier.notify({ title: 'Gemini account needs verification', message, dedupeKey: `gemini-verification:${backendName}:${accountLabel}` });
    return;
  }
  if (failure.kind === 'project-missing') {
    const message = `${sentence(failure.error.summary)}${failure.error.fix === undefined ? '' : ` ${sentence(failure.error.fix)}`}${remainingText}`;
    notice.logger.warn(message, { backend: backendName, code: failure.error.code });
    notice.notifier.notify({ title: 'Gemini account has no Cloud project', message, dedupeKey: `gemini-project:${backendName}:${accountLabel}` });
    return;
  }
  notice.logger.warn(`${sentence(failure.error.summary)}${remainingText}`, { backend: backendName, code: failure.error.code });
}

function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
