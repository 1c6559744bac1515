/**
 * @fileoverview The connector shared by the `openai`, `openai-compatible`, `openrouter` and
 * `qwen` connector ids; they differ only in how their settings are resolved. It speaks Chat
 * Completions, and the Responses API (`POST /responses`) for the models listed in
 * `responses_models`.
 */
import type {
  ChatOptions,
  ChatResult,
  Connector,
  ConnectorContext,
  LlmProxyError,
  ModelInfo,
  UpstreamRequest,
  UpstreamResponse,
} from '@llmproxy/connector-sdk';
import { UpstreamError } from '@llmproxy/connector-sdk';
import { fromOpenAIChatCompletion, invalidResponse } from '../../protocols/openai-chat/from-openai-chat-completion.js';
import { readOpenAIChatStream } from '../../protocols/openai-chat/read-openai-chat-stream.js';
import { readOpenAIUpstreamError } from '../../protocols/openai-chat/read-openai-upstream-error.js';
import { toOpenAIChatBody, type OpenAIChatBodyOptions } from '../../protocols/openai-chat/to-openai-chat-body.js';
import { fromResponsesResponse } from '../../protocols/openai-responses/from-responses-response.js';
import { readResponsesStream } from '../../protocols/openai-responses/read-responses-stream.js';
import { toResponsesBody } from '../../protocols/openai-responses/to-responses-body.js';
import { ApiKeyPool } from '../api-key-pool/api-key-pool.js';
import { sendWithApiKeyPool } from '../api-key-pool/send-with-api-key-pool.js';
import { compileModelPatterns } from './responses-model-patterns.js';

/** Resolved settings of one Chat Completions backend. */
export interface OpenAIConnectorSettings {
  /** Base URL without a trailing slash, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** The setting that chose the base URL (`OPENAI_BASE_URL`, `backends.x.base_url`, `default`). */
  baseUrlSource: string;
  /**
   * Sent as `Authorization: Bearer`, rotated round-robin (see the api-key-pool); a key the
   * upstream rejects with 401 is retired and the request retried with the next one. Empty sends
   * no credentials.
   */
  apiKeys: readonly string[];
  /**
   * Set when the backend cannot work as configured (e.g. its required API key is missing): each
   * request then fails with this error instead of reaching the upstream. Startup goes on, so
   * other backends keep working.
   */
  unusableBecause?: () => LlmProxyError;
  /** A fixed model list; when absent the upstream's `GET /models` is asked (and cached). */
  models?: readonly ModelInfo[];
  maxTokensParameter: OpenAIChatBodyOptions['maxTokensParameter'];
  /** Model name patterns (`*` = any characters) answered through `POST /responses`. */
  responsesModels: readonly string[];
  /** Extra headers sent with every request (e.g. OpenRouter's attribution headers). */
  headers?: Readonly<Record<string, string>>;
}

/** How long an upstream model list is reused before it is fetched again. */
const MODEL_LIST_CACHE_MS = 5 * 60 * 1000;

export function createOpenAIConnector(context: ConnectorContext, settings: OpenAIConnectorSettings): Connector {
  const { backendName, http } = context;
  // Everything that does not depend on the request is built once here.
  const chatUrl = `${settings.baseUrl}/chat/completions`;
  const responsesUrl = `${settings.baseUrl}/responses`;
  const modelsUrl = `${settings.baseUrl}/models`;
  const jsonHeaders = { ...settings.headers, accept: 'application/json' };
  const streamHeaders = { ...settings.headers, accept: 'text/event-stream' };
  const usesResponsesApi = compileModelPatterns(settings.responsesModels);
  const pool =
    settings.apiKeys.length === 0
      ? undefined
      : new ApiKeyPool({ keys: [...settings.apiKeys], backendName, logger: context.logger, retry: context.apiKeyRetry });
  const bodyOptions: OpenAIChatBodyOptions = { backendName, maxTokensParameter: settings.maxTokensParameter };
  let cachedModels: { models: ModelInfo[]; expiresAt: number } | undefined;

  async function failIfError(response: UpstreamResponse): Promise<void> {
    if (response.status >= 200 && response.status < 300) return;
    throw await readOpenAIUpstreamError(response, backendName);
  }

  /** Sends with the next pool key (moving on after a 401 or 429), or without credentials when none is configured. */
  function send(request: Omit<UpstreamRequest, 'headers'> & { headers: Record<string, string> }, requestId: string | undefined): Promise<UpstreamResponse> {
    if (pool === undefined) return http.send(request);
    return sendWithApiKeyPool({
      pool,
      requestId,
      send: (key) => http.send({ ...request, headers: { ...request.headers, authorization: `Bearer ${key}` } }),
      readError: (response) => readOpenAIUpstreamError(response, backendName),
      keyRevoked: openAIKeyRevoked,
    });
  }

  return {
    upstreamBaseUrls: () => [{ url: settings.baseUrl, setting: settings.baseUrlSource }],
    async listModels(options: ChatOptions): Promise<ModelInfo[]> {
      if (settings.models !== undefined) return [...settings.models];
      if (cachedModels !== undefined && cachedModels.expiresAt > Date.now()) return [...cachedModels.models];
      if (settings.unusableBecause !== undefined) throw settings.unusableBecause();
      const response = await send({ method: 'GET', url: modelsUrl, headers: jsonHeaders, signal: options.signal }, options.requestId);
      await failIfError(response);
      const models = toModelInfos(await response.json(), backendName);
      cachedModels = { models, expiresAt: Date.now() + MODEL_LIST_CACHE_MS };
      return [...models];
    },

    async chat(request, options): Promise<ChatResult> {
      if (settings.unusableBecause !== undefined) throw settings.unusableBecause();
      const responsesApi = usesResponsesApi(request.model);
      const response = await send({
        method: 'POST',
        url: responsesApi ? responsesUrl : chatUrl,
        headers: request.stream ? streamHeaders : jsonHeaders,
        json: responsesApi ? toResponsesBody(request, { backendName }) : toOpenAIChatBody(request, bodyOptions),
        signal: options.signal,
      }, options.requestId);
      await failIfError(response);
      const contentType = response.headers['content-type'];
      if (typeof contentType === 'string' && contentType.includes('text/event-stream')) {
        const events = response.events();
        return { type: 'stream', events: responsesApi ? readResponsesStream(events, backendName) : readOpenAIChatStream(events, backendName) };
      }
      const body = await response.json();
      const completion = responsesApi ? fromResponsesResponse(body, backendName) : fromOpenAIChatCompletion(body, backendName);
      // A server that ignored `stream: true` answers in one piece; the chat route replays it as a stream.
      return { type: 'response', response: completion };
    },

    relayProtocol: (model) => (usesResponsesApi(model) ? 'openai-responses' : 'openai-chat'),

    async relay(request, options): Promise<UpstreamResponse> {
      if (settings.unusableBecause !== undefined) throw settings.unusableBecause();
      return send({
        method: 'POST',
        url: request.protocol === 'openai-responses' ? responsesUrl : chatUrl,
        // The backend's own headers (OpenRouter's attribution) win over the client's.
        headers: { ...request.headers, ...(request.stream ? streamHeaders : jsonHeaders), 'content-type': 'application/json' },
        body: request.body,
        signal: options.signal,
      }, options.requestId);
    },

    ...(pool === undefined ? {} : { describeCredentials: () => pool.describe(), credentialCounts: () => pool.counts() }),

    async close(): Promise<void> {
      cachedModels = undefined;
    },
  };
}

/**
 * OpenAI documents "401 Incorrect API key provided" (code `invalid_api_key`) as a wrong,
 * deleted or revoked key. Its other 401s (not a member of an organization, IP not allowed, a
 * key without permission for an endpoint) and the bare 401s of OpenAI-compatible gateways (some
 * answer 401 for one model the key may not use) are about the request, not the key.
 */
function openAIKeyRevoked(error: LlmProxyError): boolean {
  return UpstreamError.is(error) && error.upstreamError.code === 'invalid_api_key';
}

function toModelInfos(body: unknown, backendName: string): ModelInfo[] {
  const data = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw invalidResponse(backendName, 'the model list has no data array');
  const models: ModelInfo[] = [];
  for (const entry of data) {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { id?: unknown }).id !== 'string') continue;
    const model = entry as { id: string; owned_by?: unknown; created?: unknown };
    const info: ModelInfo = { id: model.id };
    if (typeof model.owned_by === 'string') info.ownedBy = model.owned_by;
    if (typeof model.created === 'number') info.created = model.created;
    models.push(info);
  }
  return models;
}
