/**
 * @fileoverview Settings shared by the Gemini Code Assist connectors, from the backend's YAML
 * slice and the environment:
 *
 * | setting | source | default |
 * | --- | --- | --- |
 * | Code Assist endpoint | `code_assist_endpoint`, `CODE_ASSIST_ENDPOINT` (as the Gemini CLI) | https://cloudcode-pa.googleapis.com |
 * | Google token endpoint | `oauth_token_url` | https://oauth2.googleapis.com/token |
 * | models | `models` (Code Assist has no model list endpoint) | {@link DEFAULT_CODE_ASSIST_MODELS} |
 * | onboarding poll interval | `onboard_poll_interval_ms` | 5000 |
 * | onboarding polls at most | `max_onboard_polls` | 60 |
 */
import { checkedHttpUrl, optionalConfigNumber, optionalConfigString, optionalConfigUrl, optionalModelList } from '@llmproxy/connector-sdk';
import type { ConnectorContext, ModelInfo } from '@llmproxy/connector-sdk';
import { CODE_ASSIST_ENDPOINT } from './code-assist-api.js';
import { GOOGLE_TOKEN_URL } from './google-oauth.js';

export const DEFAULT_CODE_ASSIST_MODELS: readonly string[] = Object.freeze([
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'gemini-3-pro-preview',
  'gemini-3-flash-preview',
]);

export interface CodeAssistSettings {
  endpoint: string;
  tokenUrl: string;
  models: readonly ModelInfo[];
  onboardPollIntervalMs: number;
  maxOnboardPolls: number;
  /** `project` from YAML, else `GOOGLE_CLOUD_PROJECT`, else `GOOGLE_CLOUD_PROJECT_ID`. */
  configuredProject: string | undefined;
}

export function resolveCodeAssistSettings(context: ConnectorContext): CodeAssistSettings {
  const { config, env, backendName } = context;
  const environmentEndpoint = env['CODE_ASSIST_ENDPOINT'];
  const endpoint =
    optionalConfigUrl(config, 'code_assist_endpoint', backendName) ??
    (environmentEndpoint === undefined || environmentEndpoint === '' ? undefined : checkedHttpUrl(environmentEndpoint, 'CODE_ASSIST_ENDPOINT', backendName)) ??
    CODE_ASSIST_ENDPOINT;
  return {
    endpoint,
    tokenUrl: optionalConfigUrl(config, 'oauth_token_url', backendName) ?? GOOGLE_TOKEN_URL,
    models: optionalModelList(config, backendName) ?? DEFAULT_CODE_ASSIST_MODELS.map((id) => ({ id, ownedBy: 'google' })),
    onboardPollIntervalMs: optionalConfigNumber(config, 'onboard_poll_interval_ms', backendName) ?? 5_000,
    maxOnboardPolls: optionalConfigNumber(config, 'max_onboard_polls', backendName) ?? 60,
    configuredProject:
      optionalConfigString(config, 'project', backendName) ?? nonEmpty(env['GOOGLE_CLOUD_PROJECT']) ?? nonEmpty(env['GOOGLE_CLOUD_PROJECT_ID']),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
