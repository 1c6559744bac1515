/**
 * @fileoverview The settings of one `anthropic` backend, each from the first place that has it:
 *
 * | setting | backend named `anthropic` | another backend with `type: anthropic` |
 * | --- | --- | --- |
 * | API keys | the variable named by `api_key_env`, `ANTHROPIC_API_KEY` (+ `_1`..`_N`), `api_key`/`api_keys` | the variable named by `api_key_env`, `api_key`/`api_keys`, `ANTHROPIC_API_KEY` (+ `_1`..`_N`) |
 * | base URL | `ANTHROPIC_BASE_URL`, `base_url`, `https://api.anthropic.com` | `base_url`, `ANTHROPIC_BASE_URL`, `https://api.anthropic.com` |
 * | default output limit | `default_max_tokens`, 8192 | the same |
 * | model list | `models`, else the upstream's `GET /v1/models` | the same |
 *
 * As for the `openai` backend, the vendor variables are the settings of the backend named after
 * the connector and so win over its YAML; other backends are described by their YAML first. The
 * base URL is the API root without `/v1`, as the Anthropic SDKs and Claude Code take it
 * (`ANTHROPIC_BASE_URL`); a trailing `/v1` is accepted and removed.
 *
 * `default_max_tokens` is the `max_tokens` sent when the client set no output limit (OpenAI and
 * Gemini clients usually do not, Anthropic requires one). 8192 is an output limit every current
 * Claude model accepts; raise it for long answers from models that allow more.
 */
import { checkedHttpUrl, invalidBackendConfig, optionalConfigString, optionalModelList } from '@llmproxy/connector-sdk';
import type { ConnectorContext, ModelInfo } from '@llmproxy/connector-sdk';
import { resolveApiKeys } from '../api-key-pool/resolve-api-key.js';

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const DEFAULT_MAX_TOKENS = 8192;
const KEY_VARIABLE = 'ANTHROPIC_API_KEY';
const BASE_URL_VARIABLE = 'ANTHROPIC_BASE_URL';

export interface AnthropicConnectorSettings {
  /** The API root without a trailing slash or `/v1`, e.g. `https://api.anthropic.com`. */
  baseUrl: string;
  /** The setting that chose the base URL (`ANTHROPIC_BASE_URL`, `backends.x.base_url`, `default`). */
  baseUrlSource: string;
  /** The keys in pool order; empty when none is configured (requests then fail naming what to set). */
  apiKeys: string[];
  /** What to set when no key is configured, for the error message. */
  missingKeyHint: string;
  defaultMaxTokens: number;
  /** A fixed model list; when absent the upstream's `GET /v1/models` is asked (and cached). */
  models?: readonly ModelInfo[];
}

export function resolveAnthropicSettings(context: Pick<ConnectorContext, 'backendName' | 'config' | 'env'>): AnthropicConnectorSettings {
  const { backendName, config, env } = context;
  const isAnthropicBackend = backendName === 'anthropic';
  const environmentBaseUrl = nonEmpty(env[BASE_URL_VARIABLE]);
  const yamlBaseUrl = optionalConfigString(config, 'base_url', backendName);
  const [baseUrl, baseUrlSource] =
    isAnthropicBackend && environmentBaseUrl !== undefined
      ? [environmentBaseUrl, BASE_URL_VARIABLE]
      : yamlBaseUrl !== undefined
        ? [yamlBaseUrl, `backends.${backendName}.base_url`]
        : environmentBaseUrl !== undefined
          ? [environmentBaseUrl, BASE_URL_VARIABLE]
          : [DEFAULT_ANTHROPIC_BASE_URL, 'default'];

  const keys = resolveApiKeys(context, { defaultVariable: KEY_VARIABLE, variableWinsOverYaml: isAnthropicBackend });
  const settings: AnthropicConnectorSettings = {
    baseUrl: checkedHttpUrl(baseUrl, baseUrlSource, backendName).replace(/\/v1$/, ''),
    baseUrlSource,
    apiKeys: keys.apiKeys,
    missingKeyHint:
      keys.namedVariable === undefined
        ? `${KEY_VARIABLE} (or ${KEY_VARIABLE}_1..N) or backends.${backendName}.api_key`
        : `the environment variable ${keys.namedVariable} (named by backends.${backendName}.api_key_env)`,
    defaultMaxTokens: defaultMaxTokensOf(config, backendName),
  };
  const models = optionalModelList(config, backendName);
  if (models !== undefined) settings.models = models;
  return settings;
}

function defaultMaxTokensOf(config: Record<string, unknown>, backendName: string): number {
  const value = config['default_max_tokens'];
  if (value === undefined || value === null) return DEFAULT_MAX_TOKENS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidBackendConfig(backendName, 'default_max_tokens', 'must be a whole number of at least 1', JSON.stringify(value));
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
