/**
 * @fileoverview The errors a Code Assist account can end in, with what the account owner must
 * do. Google's own reason codes and messages are passed on, never replaced by a generic text.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** An `ineligibleTiers[]` entry of a `loadCodeAssist` answer. */
export interface IneligibleTier {
  reasonCode?: string;
  reasonMessage?: string;
  tierId?: string;
  tierName?: string;
  validationUrl?: string;
}

export interface AccountErrorContext {
  /** Names the account, e.g. the credentials file or the pool account. */
  accountLabel: string;
  backendName: string;
  /** Where the user can set a project for this account, as advice. */
  projectHint: string;
}

export function verificationRequiredError(
  context: AccountErrorContext,
  validationUrl: string | undefined,
  upstreamMessage: string,
): LlmProxyError {
  return new LlmProxyError({
    code: 'GEMINI_VERIFICATION_REQUIRED',
    message: `Google asks the owner of ${context.accountLabel} (backend ${context.backendName}) to verify the account before Code Assist serves it: ${upstreamMessage}`,
    fix:
      validationUrl === undefined
        ? 'Sign in to the Gemini CLI with this account and complete the verification it asks for, then retry'
        : `Open ${validationUrl} in a browser signed in to this Google account, complete the verification, then retry`,
    httpStatus: 403,
    details: { backend: context.backendName, ...(validationUrl === undefined ? {} : { validationUrl }) },
  });
}

export function ineligibleAccountError(context: AccountErrorContext, tiers: readonly IneligibleTier[]): LlmProxyError {
  const reasons = tiers.map((tier) => `${tier.reasonCode ?? 'UNKNOWN'}: ${tier.reasonMessage ?? 'no message'}${tier.tierId === undefined ? '' : ` (tier ${tier.tierId})`}`);
  return new LlmProxyError({
    code: 'GEMINI_ACCOUNT_INELIGIBLE',
    message: `Gemini Code Assist does not serve ${context.accountLabel} (backend ${context.backendName}): ${reasons.join('; ')}`,
    fix: 'Use an account with a paid Gemini Code Assist Standard or Enterprise licence (consumer Code Assist was retired on 2026-06-18), or switch to the gemini backend with GEMINI_API_KEY',
    httpStatus: 403,
    details: {
      backend: context.backendName,
      ineligibleTiers: tiers.map((tier) => ({ reasonCode: tier.reasonCode, reasonMessage: tier.reasonMessage, tierId: tier.tierId })),
    },
  });
}

export function projectMissingError(context: AccountErrorContext, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'GEMINI_PROJECT_MISSING',
    message: `Gemini Code Assist has no usable Google Cloud project for ${context.accountLabel} (backend ${context.backendName}): ${reason}`,
    fix: `${context.projectHint} (a project with the Gemini for Google Cloud API enabled, that this account may use)`,
    httpStatus: 403,
    details: { backend: context.backendName },
  });
}
