/**
 * @fileoverview The Chat Completions connector shared by the `openai` and `openai-compatible`
 * connector ids; they differ only in how their settings are resolved.
 */
import type {
  ChatOptions,
  ChatResult,
  Connector,
  ConnectorContext,
  LlmProxyError,
  ModelInfo,
  UpstreamResponse,
} from '@llmproxy/connector-sdk';
import { replayChatResponse } from '../../canonical/replay-chat-response.js';
import { fromOpenAIChatCompletion, invalidResponse } from './from-openai-chat-completion.js';
import { readOpenAIChatStream } from './read-openai-chat-stream.js';
import { readOpenAIUpstreamError } from './read-openai-upstream-error.js';
import { toOpenAIChatBody, type OpenAIChatBodyOptions } from './to-openai-chat-body.js';

/** Resolved settings of one Chat Completions backend. */
export interface OpenAIConnectorSettings {
  /** Base URL without a trailing slash, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; undefined sends no credentials. */
  apiKey: string | undefined;
  /**
   * Set when the backend cannot work as configured (e.g. its required API key is missing): each
   * request then fails with this error instead of reaching the upstream. Startup goes on, so
   * other backends keep working.
   */
  unusableBecause?: () => LlmProxyError;
  /** A fixed model list; when absent the upstream's `GET /models` is asked (and cached). */
  models?: readonly ModelInfo[];
  maxTokensParameter: OpenAIChatBodyOptions['maxTokensParameter'];
}

/** How long an upstream model list is reused before it is fetched again. */
const MODEL_LIST_CACHE_MS = 5 * 60 * 1000;

export function createOpenAIConnector(context: ConnectorContext, settings: OpenAIConnectorSettings): Connector {
  const { backendName, http } = context;
  // Everything that does not depend on the request is built once here.
  const chatUrl = `${settings.baseUrl}/chat/completions`;
  const modelsUrl = `${settings.baseUrl}/models`;
  const credentials: Record<string, string> =
    settings.apiKey === undefined ? {} : { authorization: `Bearer ${settings.apiKey}` };
  const jsonHeaders = { ...credentials, accept: 'application/json' };
  const streamHeaders = { ...credentials, accept: 'text/event-stream' };
  const bodyOptions: OpenAIChatBodyOptions = { backendName, maxTokensParameter: settings.maxTokensParameter };
  let cachedModels: { models: ModelInfo[]; expiresAt: number } | undefined;

  async function failIfError(response: UpstreamResponse): Promise<void> {
    if (response.status >= 200 && response.status < 300) return;
    throw await readOpenAIUpstreamError(response, backendName);
  }

  return {
    async listModels(options: ChatOptions): Promise<ModelInfo[]> {
      if (settings.models !== undefined) return [...settings.models];
      if (cachedModels !== undefined && cachedModels.expiresAt > Date.now()) return [...cachedModels.models];
      if (settings.unusableBecause !== undefined) throw settings.unusableBecause();
      const response = await http.send({ method: 'GET', url: modelsUrl, headers: jsonHeaders, signal: options.signal });
      await failIfError(response);
      const models = toModelInfos(await response.json(), backendName);
      cachedModels = { models, expiresAt: Date.now() + MODEL_LIST_CACHE_MS };
      return [...models];
    },

    async chat(request, options): Promise<ChatResult> {
      if (settings.unusableBecause !== undefined) throw settings.unusableBecause();
      const body = toOpenAIChatBody(request, bodyOptions);
      const response = await http.send({
        method: 'POST',
        url: chatUrl,
        headers: request.stream ? streamHeaders : jsonHeaders,
        json: body,
        signal: options.signal,
      });
      await failIfError(response);
      const contentType = response.headers['content-type'];
      if (typeof contentType === 'string' && contentType.includes('text/event-stream')) {
        return { type: 'stream', events: readOpenAIChatStream(response.events(), backendName) };
      }
      const completion = fromOpenAIChatCompletion(await response.json(), backendName);
      // A server that ignored `stream: true` still gets its answer to a streaming client.
      return request.stream
        ? { type: 'stream', events: replayChatResponse(completion) }
        : { type: 'response', response: completion };
    },

    async close(): Promise<void> {
      cachedModels = undefined;
    },
  };
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
