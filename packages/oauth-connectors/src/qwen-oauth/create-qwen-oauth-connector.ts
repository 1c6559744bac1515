/**
 * @fileoverview The `qwen-oauth` connector: Qwen Code's login (`~/.qwen/oauth_creds.json`, or
 * `credentials_file`) against the OpenAI-compatible API its `resource_url` names, converted with
 * core's OpenAI Chat codec.
 *
 * | setting | source | default |
 * | --- | --- | --- |
 * | credentials file | `credentials_file` | `~/.qwen/oauth_creds.json` (lock file `oauth_creds.lock` beside it) |
 * | OAuth server | `oauth_base_url` | https://chat.qwen.ai |
 * | API base URL | `base_url` | from the login's `resource_url`, else https://portal.qwen.ai/v1 |
 * | models | `models` | `coder-model`, `qwen3-coder-plus` |
 *
 * Tokens are refreshed under Qwen Code's own lock file, after re-reading the credentials file,
 * so the proxy and a running Qwen Code never refresh the same login at once.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { LlmProxyError, optionalConfigString, optionalConfigUrl, optionalModelList } from '@llmproxy/connector-sdk';
import type { ChatRequest, ChatResult, Connector, ConnectorContext, ModelInfo, UpstreamResponse } from '@llmproxy/connector-sdk';
import { homeDirectory } from '../configuration/home-directory.js';
import { requireCodecs } from '../configuration/require-codecs.js';
import { OAuthTokenStore, type StoredTokens } from '../credentials/oauth-token-store.js';
import { qwenApiBaseUrl } from './qwen-api-base-url.js';
import { QWEN_OAUTH_BASE_URL, QWEN_REFRESH_MARGIN_MS, qwenLoginRequired, refreshQwenToken } from './qwen-oauth-client.js';

export const DEFAULT_QWEN_MODELS: readonly string[] = Object.freeze(['coder-model', 'qwen3-coder-plus']);

export async function createQwenOAuthConnector(context: ConnectorContext): Promise<Connector> {
  const { backendName, config, http, logger } = context;
  const codec = requireCodecs(context).openaiChat;
  const credentialsFile = optionalConfigString(config, 'credentials_file', backendName) ?? path.join(homeDirectory(context.env), '.qwen', 'oauth_creds.json');
  const oauthBaseUrl = optionalConfigUrl(config, 'oauth_base_url', backendName) ?? QWEN_OAUTH_BASE_URL;
  const configuredBaseUrl = optionalConfigUrl(config, 'base_url', backendName);
  const models: readonly ModelInfo[] = optionalModelList(config, backendName) ?? DEFAULT_QWEN_MODELS.map((id) => ({ id, ownedBy: 'qwen' }));

  const tokens = new OAuthTokenStore({
    file: credentialsFile,
    lockFile: path.join(path.dirname(credentialsFile), 'oauth_creds.lock'),
    refreshMarginMs: QWEN_REFRESH_MARGIN_MS,
    refresh: (record) => refreshQwenToken(record, { http, oauthBaseUrl, credentialsFile, backendName }),
    missingFileError: () => credentialsMissingError(backendName, credentialsFile),
    loginRequiredError: (reason) => qwenLoginRequired({ credentialsFile, backendName }, reason),
  });

  try {
    await access(credentialsFile);
  } catch {
    logger.warn(`${credentialsMissingError(backendName, credentialsFile).summary}; its requests will fail until it exists`);
  }

  function send(request: ChatRequest, current: StoredTokens, signal: AbortSignal): Promise<UpstreamResponse> {
    const baseUrl = configuredBaseUrl ?? qwenApiBaseUrl(current.record['resource_url']);
    return http.send({
      method: 'POST',
      url: `${baseUrl}/chat/completions`,
      headers: {
        authorization: `Bearer ${current.accessToken}`,
        accept: request.stream ? 'text/event-stream' : 'application/json',
        // How Qwen Code identifies OAuth traffic to DashScope.
        'x-dashscope-authtype': 'qwen-oauth',
      },
      json: codec.toBody(request, { backendName, maxTokensParameter: 'max_tokens' }),
      signal,
    });
  }

  return {
    async listModels(): Promise<ModelInfo[]> {
      return [...models];
    },

    async chat(request, options): Promise<ChatResult> {
      let current = await tokens.tokens();
      let response = await send(request, current, options.signal);
      if (response.status === 401) {
        // A token Qwen refused before its expiry: get a fresh one once.
        response.discard();
        current = await tokens.tokens({ rejectedToken: current.accessToken });
        response = await send(request, current, options.signal);
      }
      if (response.status < 200 || response.status >= 300) throw await codec.readError(response, backendName);
      const contentType = response.headers['content-type'];
      if (typeof contentType === 'string' && contentType.includes('text/event-stream')) {
        return { type: 'stream', events: codec.readStream(response.events(), backendName) };
      }
      return { type: 'response', response: codec.fromResponse(await response.json(), backendName) };
    },
  };
}

/** A Qwen Code credentials file that does not exist. */
export function credentialsMissingError(backendName: string, file: string): LlmProxyError {
  return new LlmProxyError({
    code: 'QWEN_CREDENTIALS_MISSING',
    message: `Backend ${backendName} has no Qwen login: the Qwen Code credentials file ${file} does not exist`,
    fix: `Log in with Qwen Code (run \`qwen\` and use /auth) so that it writes ${file}, run \`llm-proxy accounts add qwen\`, or point backends.${backendName}.credentials_file at such a file`,
    httpStatus: 401,
    details: { backend: backendName },
  });
}
