/**
 * @fileoverview The built-in `anthropic` connector: Anthropic's Messages API with API keys
 * (`ANTHROPIC_API_KEY`, `ANTHROPIC_API_KEY_1..N`, or YAML `api_key`/`api_keys`), at
 * `ANTHROPIC_BASE_URL` or `base_url` (default https://api.anthropic.com). Settings and their
 * precedence are described in resolve-anthropic-settings.ts.
 *
 * ```yaml
 * backends:
 *   anthropic:
 *     api_keys: [sk-ant-..., sk-ant-...]   # or ANTHROPIC_API_KEY / ANTHROPIC_API_KEY_1..N
 *     default_max_tokens: 8192             # max_tokens for clients that set no limit
 * ```
 *
 * A missing key does not stop the server: requests to this backend fail with
 * `BACKEND_CREDENTIALS_MISSING`, naming what to set.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import { createAnthropicConnector } from './create-anthropic-connector.js';
import { resolveAnthropicSettings } from './resolve-anthropic-settings.js';

export default defineConnector({
  id: 'anthropic',
  hasStaticCredentials: true,
  create(context) {
    const settings = resolveAnthropicSettings(context);
    if (settings.apiKeys.length === 0) {
      context.logger.info(`Backend ${context.backendName} has no API key; its requests will fail until one is set`, {
        backend: context.backendName,
        set: settings.missingKeyHint,
      });
    }
    return createAnthropicConnector(context, settings);
  },
});

export { createAnthropicConnector, type AnthropicConnector } from './create-anthropic-connector.js';
export { resolveAnthropicSettings, type AnthropicConnectorSettings } from './resolve-anthropic-settings.js';
