/**
 * @fileoverview The built-in `gemini` connector: Google's Gemini API (Generative Language API)
 * with API keys. The Gemini wire conversions live in `protocols/gemini/`.
 *
 * Settings, each from the first place that has it:
 *
 * | setting | backend named `gemini` | another backend with `type: gemini` |
 * | --- | --- | --- |
 * | API keys | the variable named by `api_key_env`, `GEMINI_API_KEY`, `api_key`/`api_keys` | the variable named by `api_key_env`, `api_key`/`api_keys`, `GEMINI_API_KEY` |
 * | base URL | `GEMINI_BASE_URL`, `base_url`, `https://generativelanguage.googleapis.com` | `base_url`, `GEMINI_BASE_URL`, `https://generativelanguage.googleapis.com` |
 *
 * Every key variable `X` also reads `X_1` .. `X_N`: several keys are used round-robin, a key
 * Google refuses (401, or 400 `API_KEY_INVALID`) is retired with a log line naming its number,
 * and a rate-limited key (429) rests for Google's `RetryInfo.retryDelay`. A base URL without an
 * API version gets `/v1beta`; one ending in `/v1beta`, `/v1alpha` or `/v1` is used as given.
 * `models` (a list of ids) replaces the upstream's model list. A missing key does not stop the
 * server: requests to this backend fail with `BACKEND_CREDENTIALS_MISSING`.
 */
import { checkedHttpUrl, defineConnector, optionalConfigString, optionalModelList } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { missingCredentialsError, resolveApiKeys } from '../api-key-pool/resolve-api-key.js';
import { createGeminiConnector, type GeminiConnectorSettings } from './create-gemini-connector.js';

export { createGeminiConnector, modelPath, type GeminiConnectorSettings } from './create-gemini-connector.js';

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
const KEY_VARIABLE = 'GEMINI_API_KEY';
const BASE_URL_VARIABLE = 'GEMINI_BASE_URL';
const DEFAULT_API_VERSION = 'v1beta';

export default defineConnector({
  id: 'gemini',
  hasStaticCredentials: true,
  create(context) {
    return createGeminiConnector(context, resolveGeminiSettings(context));
  },
});

/** Resolves the settings of one `gemini` backend as described in this module's overview. */
export function resolveGeminiSettings(context: ConnectorContext): GeminiConnectorSettings {
  const { backendName, config, env } = context;
  const isGeminiBackend = backendName === 'gemini';
  const environmentBaseUrl = nonEmpty(env[BASE_URL_VARIABLE]);
  const yamlBaseUrl = optionalConfigString(config, 'base_url', backendName);
  const [baseUrl, baseUrlSource] =
    isGeminiBackend && environmentBaseUrl !== undefined
      ? [environmentBaseUrl, BASE_URL_VARIABLE]
      : yamlBaseUrl !== undefined
        ? [yamlBaseUrl, `backends.${backendName}.base_url`]
        : environmentBaseUrl !== undefined
          ? [environmentBaseUrl, BASE_URL_VARIABLE]
          : [DEFAULT_BASE_URL, 'default'];

  const keys = resolveApiKeys(context, { defaultVariable: KEY_VARIABLE, variableWinsOverYaml: isGeminiBackend });
  const where = keys.namedVariable ?? `${KEY_VARIABLE} (or ${KEY_VARIABLE}_1..N) environment variable or backends.${backendName}.api_key in the config file`;
  const settings: GeminiConnectorSettings = {
    apiRoot: withApiVersion(checkedHttpUrl(baseUrl, baseUrlSource, backendName)),
    baseUrlSource,
    apiKeys: keys.apiKeys,
    missingKeyHint: `the ${where}`,
  };
  const models = optionalModelList(config, backendName);
  if (models !== undefined) settings.models = models;
  if (keys.apiKeys.length === 0) {
    settings.unusableBecause = () => missingCredentialsError(backendName, keys.namedVariable, where);
    context.logger.info(`Backend ${backendName} has no API key; its requests will fail until one is set`, { backend: backendName, set: where });
  }
  return settings;
}

/** The base URL with an API version: `/v1beta` unless it already ends in one. */
function withApiVersion(baseUrl: string): string {
  return /\/v1(alpha|beta)?\d*$/.test(baseUrl) ? baseUrl : `${baseUrl}/${DEFAULT_API_VERSION}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
