/**
 * @fileoverview The `anthropic` connector: Anthropic's Messages API with API keys from the
 * shared pool (round-robin, a 401 retires a key, a 429 rests it for its Retry-After).
 */
import type {
  ChatOptions,
  ChatRequest,
  ChatResult,
  Connector,
  ConnectorContext,
  LlmProxyError,
  ModelInfo,
  UpstreamRequest,
  UpstreamResponse,
} from '@llmproxy/connector-sdk';
import { UpstreamError } from '@llmproxy/connector-sdk';
import { ANTHROPIC_API_VERSION } from '../../protocols/anthropic-messages/anthropic-messages-wire-types.js';
import { fromAnthropicMessage, invalidAnthropicResponse } from '../../protocols/anthropic-messages/from-anthropic-message.js';
import { readAnthropicMessageStream } from '../../protocols/anthropic-messages/read-anthropic-message-stream.js';
import { readAnthropicUpstreamError } from '../../protocols/anthropic-messages/read-anthropic-upstream-error.js';
import { toAnthropicCountTokensBody, toAnthropicMessagesBody, type AnthropicMessagesBodyOptions } from '../../protocols/anthropic-messages/to-anthropic-messages-body.js';
import { ApiKeyPool } from '../api-key-pool/api-key-pool.js';
import { sendWithApiKeyPool } from '../api-key-pool/send-with-api-key-pool.js';
import type { AnthropicConnectorSettings } from './resolve-anthropic-settings.js';

/** How long an upstream model list is reused before it is fetched again. */
const MODEL_LIST_CACHE_MS = 5 * 60 * 1000;
/** Anthropic's largest model-list page. */
const MODEL_PAGE_SIZE = 1000;
/** A bound on model-list pages, against an upstream whose `has_more` never ends. */
const MAXIMUM_MODEL_PAGES = 20;

/** A Messages connector that can also count a request's input tokens with its upstream. */
export interface AnthropicConnector extends Connector {
  /** Asks the upstream's `POST /v1/messages/count_tokens` for the request's input tokens. */
  countTokens(request: ChatRequest, options: ChatOptions): Promise<number>;
}

export function createAnthropicConnector(context: ConnectorContext, settings: AnthropicConnectorSettings): AnthropicConnector {
  const { backendName, http } = context;
  const messagesUrl = `${settings.baseUrl}/v1/messages`;
  const countTokensUrl = `${settings.baseUrl}/v1/messages/count_tokens`;
  const modelsUrl = `${settings.baseUrl}/v1/models`;
  const jsonHeaders = { 'anthropic-version': ANTHROPIC_API_VERSION, accept: 'application/json' };
  const streamHeaders = { 'anthropic-version': ANTHROPIC_API_VERSION, accept: 'text/event-stream' };
  const pool = new ApiKeyPool({
    keys: [...settings.apiKeys],
    backendName,
    logger: context.logger,
    missingKeyHint: settings.missingKeyHint,
    retry: context.apiKeyRetry,
  });
  const bodyOptions: AnthropicMessagesBodyOptions = { backendName, defaultMaxTokens: settings.defaultMaxTokens };
  let cachedModels: { models: ModelInfo[]; expiresAt: number } | undefined;

  /** Sends with the next pool key, moving on to another after a 401 or 429; resolves with any other answer. */
  function sendWithKeys(request: Omit<UpstreamRequest, 'headers'> & { headers: Record<string, string> }, requestId: string | undefined): Promise<UpstreamResponse> {
    return sendWithApiKeyPool({
      pool,
      requestId,
      send: (key) => http.send({ ...request, headers: { ...request.headers, 'x-api-key': key } }),
      readError: (failed) => readAnthropicUpstreamError(failed, backendName),
      keyRevoked: anthropicKeyRevoked,
    });
  }

  /** {@link sendWithKeys}, throwing the upstream's error for any failure. */
  async function send(request: Omit<UpstreamRequest, 'headers'> & { headers: Record<string, string> }, requestId: string | undefined): Promise<UpstreamResponse> {
    const response = await sendWithKeys(request, requestId);
    if (response.status >= 200 && response.status < 300) return response;
    throw await readAnthropicUpstreamError(response, backendName);
  }

  return {
    upstreamBaseUrls: () => [{ url: settings.baseUrl, setting: settings.baseUrlSource }],
    async listModels(options: ChatOptions): Promise<ModelInfo[]> {
      if (settings.models !== undefined) return [...settings.models];
      if (cachedModels !== undefined && cachedModels.expiresAt > Date.now()) return [...cachedModels.models];
      const models: ModelInfo[] = [];
      let afterId: string | undefined;
      for (let page = 0; page < MAXIMUM_MODEL_PAGES; page += 1) {
        const query = new URLSearchParams({ limit: String(MODEL_PAGE_SIZE) });
        if (afterId !== undefined) query.set('after_id', afterId);
        const response = await send({ method: 'GET', url: `${modelsUrl}?${query}`, headers: jsonHeaders, signal: options.signal }, options.requestId);
        const listing = readModelPage(await response.json(), backendName);
        models.push(...listing.models);
        if (!listing.hasMore || listing.lastId === undefined) break;
        afterId = listing.lastId;
      }
      cachedModels = { models, expiresAt: Date.now() + MODEL_LIST_CACHE_MS };
      return [...models];
    },

    async chat(request, options): Promise<ChatResult> {
      const body = toAnthropicMessagesBody(request, bodyOptions);
      const response = await send({
        method: 'POST',
        url: messagesUrl,
        headers: request.stream ? streamHeaders : jsonHeaders,
        json: body,
        signal: options.signal,
      }, options.requestId);
      const contentType = response.headers['content-type'];
      if (typeof contentType === 'string' && contentType.includes('text/event-stream')) {
        return { type: 'stream', events: readAnthropicMessageStream(response.events(), backendName) };
      }
      // A server that ignored `stream: true` answers in one piece; the chat route replays it as a stream.
      return { type: 'response', response: fromAnthropicMessage(await response.json(), backendName) };
    },

    relayProtocol: () => 'anthropic-messages',

    relay(request, options): Promise<UpstreamResponse> {
      // The client's anthropic-version and anthropic-beta go through; the proxy's version is
      // the default for a client that sent none.
      return sendWithKeys({
        method: 'POST',
        url: messagesUrl,
        headers: {
          ...(request.stream ? streamHeaders : jsonHeaders),
          ...request.headers,
          'content-type': 'application/json',
        },
        body: request.body,
        signal: options.signal,
      }, options.requestId);
    },

    async countTokens(request, options): Promise<number> {
      const response = await send({
        method: 'POST',
        url: countTokensUrl,
        headers: jsonHeaders,
        json: toAnthropicCountTokensBody(request, bodyOptions),
        signal: options.signal,
      }, options.requestId);
      const body = (await response.json()) as { input_tokens?: unknown } | null;
      if (typeof body?.input_tokens !== 'number') throw invalidAnthropicResponse(backendName, 'the token count has no input_tokens number');
      return body.input_tokens;
    },

    describeCredentials: () => pool.describe(),
    credentialCounts: () => pool.counts(),

    async close(): Promise<void> {
      cachedModels = undefined;
    },
  };
}

/**
 * Anthropic documents 401 `authentication_error` as "there's an issue with your API key"; a key
 * that may not use a resource is 403 `permission_error`, which never retires it. A 401 of
 * another type (a gateway in front refusing one model) is about the request, not the key.
 */
function anthropicKeyRevoked(error: LlmProxyError): boolean {
  return UpstreamError.is(error) && error.upstreamError.type === 'authentication_error';
}

function readModelPage(body: unknown, backendName: string): { models: ModelInfo[]; hasMore: boolean; lastId: string | undefined } {
  const page = typeof body === 'object' && body !== null ? (body as { data?: unknown; has_more?: unknown; last_id?: unknown }) : {};
  if (!Array.isArray(page.data)) throw invalidAnthropicResponse(backendName, 'the model list has no data array');
  const models: ModelInfo[] = [];
  for (const entry of page.data) {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { id?: unknown }).id !== 'string') continue;
    const model = entry as { id: string; created_at?: unknown };
    const info: ModelInfo = { id: model.id, ownedBy: 'anthropic' };
    const created = typeof model.created_at === 'string' ? Date.parse(model.created_at) : Number.NaN;
    if (!Number.isNaN(created)) info.created = Math.floor(created / 1000);
    models.push(info);
  }
  return { models, hasMore: page.has_more === true, lastId: typeof page.last_id === 'string' ? page.last_id : undefined };
}
