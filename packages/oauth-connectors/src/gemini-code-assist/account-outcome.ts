/**
 * @fileoverview What one account's attempt at a request came to. Failures that concern the
 * account rather than the request (quota, verification, eligibility, project, login) are
 * returned, not thrown, so a pool can move on to another account; anything else is thrown.
 */
import type { ChatResult, LlmProxyError } from '@llmproxy/connector-sdk';
import type { QuotaKind } from './read-code-assist-failure.js';

export type AccountFailure =
  | { kind: 'quota'; quota: QuotaKind; resetSeconds: number | undefined; error: LlmProxyError }
  | { kind: 'verification'; validationUrl: string | undefined; error: LlmProxyError }
  | { kind: 'ineligible'; error: LlmProxyError }
  | { kind: 'project-missing'; error: LlmProxyError }
  | { kind: 'login-required'; error: LlmProxyError };

export type AccountOutcome = { ok: true; result: ChatResult } | { ok: false; failure: AccountFailure };
