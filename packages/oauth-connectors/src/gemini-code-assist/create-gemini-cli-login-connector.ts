/**
 * @fileoverview The connector behind `gemini-oauth-free` and `gemini-oauth-plan`: the one Google
 * login the Gemini CLI keeps in `~/.gemini/oauth_creds.json` (or `credentials_file`), used
 * against Gemini Code Assist.
 *
 * - `free`: the Google-managed project of the consumer tier; a configured project is never sent
 *   (onboarding the free tier with a project fails). Google retired this tier on 2026-06-18.
 * - `plan`: a Code Assist Standard/Enterprise licence with the user's own project, from
 *   `project`, `GOOGLE_CLOUD_PROJECT` or `GOOGLE_CLOUD_PROJECT_ID`.
 *
 * Quota errors reach the client as Google sent them (status 429, `retry-after` from Google's
 * reset hint); a verification request or a missing project also sends a desktop notification.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { LlmProxyError, optionalConfigString } from '@llmproxy/connector-sdk';
import type { ChatResult, Connector, ConnectorContext, ModelInfo } from '@llmproxy/connector-sdk';
import { homeDirectory } from '../configuration/home-directory.js';
import { requireCodecs } from '../configuration/require-codecs.js';
import { OAuthTokenStore } from '../credentials/oauth-token-store.js';
import { CodeAssistAccount } from './code-assist-account.js';
import { CodeAssistApi } from './code-assist-api.js';
import { GOOGLE_REFRESH_MARGIN_MS, googleLoginRequired, refreshGoogleToken } from './google-oauth.js';
import { notifyAccountFailure } from './notify-account-failure.js';
import { resolveCodeAssistSettings } from './resolve-code-assist-settings.js';

export type GeminiCliLoginVariant = 'free' | 'plan';

export async function createGeminiCliLoginConnector(context: ConnectorContext, variant: GeminiCliLoginVariant): Promise<Connector> {
  const { backendName, logger, http, notifier } = context;
  const codec = requireCodecs(context).gemini;
  const settings = resolveCodeAssistSettings(context);
  const credentialsFile =
    optionalConfigString(context.config, 'credentials_file', backendName) ?? path.join(homeDirectory(context.env), '.gemini', 'oauth_creds.json');
  const loginHint = `run the Gemini CLI (\`gemini\`) and choose "Login with Google", which rewrites ${credentialsFile}`;
  const accountLabel = credentialsFile;

  const tokens = new OAuthTokenStore({
    file: credentialsFile,
    refreshMarginMs: GOOGLE_REFRESH_MARGIN_MS,
    refresh: (record) => refreshGoogleToken(record, { http, tokenUrl: settings.tokenUrl, accountLabel, loginHint, backendName }),
    missingFileError: () => credentialsMissingError(backendName, credentialsFile),
    loginRequiredError: (reason) => googleLoginRequired({ accountLabel, loginHint, backendName }, reason),
  });
  const projectHint =
    variant === 'free'
      ? `The consumer tier has a Google-managed project; if this account has a Code Assist Standard or Enterprise licence, use the gemini-oauth-plan backend with GOOGLE_CLOUD_PROJECT set`
      : `Set GOOGLE_CLOUD_PROJECT (or GOOGLE_CLOUD_PROJECT_ID, or backends.${backendName}.project) to the project of your Code Assist licence`;
  const account = new CodeAssistAccount({
    accountLabel,
    backendName,
    projectHint,
    api: new CodeAssistApi(http, settings.endpoint),
    codec,
    tokens,
    logger,
    userProject: async () => (variant === 'plan' ? settings.configuredProject : undefined),
    onboardPollIntervalMs: settings.onboardPollIntervalMs,
    maxOnboardPolls: settings.maxOnboardPolls,
  });

  try {
    await access(credentialsFile);
  } catch {
    logger.warn(`${credentialsMissingError(backendName, credentialsFile).message}; its requests will fail until it exists`);
  }

  return {
    async listModels(): Promise<ModelInfo[]> {
      return [...settings.models];
    },

    async chat(request, options): Promise<ChatResult> {
      const outcome = await account.chat(request, options.signal);
      if (outcome.ok) return outcome.result;
      notifyAccountFailure({ notifier, logger, backendName, accountLabel, failure: outcome.failure });
      throw outcome.failure.error;
    },
  };
}

/** A Gemini CLI credentials file that does not exist. */
export function credentialsMissingError(backendName: string, file: string): LlmProxyError {
  return new LlmProxyError({
    code: 'GEMINI_CREDENTIALS_MISSING',
    message: `Backend ${backendName} has no Google login: the Gemini CLI credentials file ${file} does not exist (the Gemini CLI may keep its login in the OS keychain instead of this file)`,
    fix:
      `Log in with the Gemini CLI (run \`gemini\` and choose "Login with Google") so that it writes ${file}, ` +
      `or point backends.${backendName}.credentials_file at a file with access_token, refresh_token, token_type and expiry_date; ` +
      'for a pool of accounts use gemini-oauth-auto with `llm-proxy accounts add gemini` or `llm-proxy accounts import gemini <file>`',
    httpStatus: 401,
    details: { backend: backendName },
  });
}
