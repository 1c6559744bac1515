/**
 * @fileoverview The connector for the Gemini API (Generative Language API) with API keys:
 * `models/{model}:generateContent`, `:streamGenerateContent?alt=sse` and `GET models`.
 */
import type {
  ChatOptions,
  ChatResult,
  Connector,
  ConnectorContext,
  ModelInfo,
  UpstreamRequest,
  UpstreamResponse,
} from '@llmproxy/connector-sdk';
import { LlmProxyError, readUpstreamErrorBody } from '@llmproxy/connector-sdk';
import { fromGeminiResponse, parseGeminiEvents, readGeminiStream, type GeminiResponseOptions } from '../../protocols/gemini/read-gemini-stream.js';
import { geminiModelResource } from '../../protocols/gemini/gemini-model-resource.js';
import { geminiKeyRevoked, readGeminiUpstreamError } from '../../protocols/gemini/read-gemini-upstream-error.js';
import { toGeminiRequest } from '../../protocols/gemini/to-gemini-request.js';
import { ApiKeyPool } from '../api-key-pool/api-key-pool.js';

/** Resolved settings of one Gemini backend. */
export interface GeminiConnectorSettings {
  /** The API root including its version, without a trailing slash, e.g. `https://generativelanguage.googleapis.com/v1beta`. */
  apiRoot: string;
  /** The setting that chose the base URL (`GEMINI_BASE_URL`, `backends.x.base_url`, `default`). */
  baseUrlSource: string;
  /** Sent as `x-goog-api-key`, rotated round-robin. */
  apiKeys: readonly string[];
  /** What to set when there is no key, for the `BACKEND_CREDENTIALS_MISSING` fix. */
  missingKeyHint?: string;
  /** Set when the backend cannot work as configured: each request then fails with this error. */
  unusableBecause?: () => LlmProxyError;
  /** A fixed model list; when absent the upstream's `GET models` is asked (and cached). */
  models?: readonly ModelInfo[];
}

/** How long an upstream model list is reused before it is fetched again. */
const MODEL_LIST_CACHE_MS = 5 * 60 * 1000;
/** The largest page the model list allows. */
const MODEL_PAGE_SIZE = 1000;
/** Model list pages followed at most, against a server that never stops paging. */
const MAX_MODEL_PAGES = 20;

export function createGeminiConnector(context: ConnectorContext, settings: GeminiConnectorSettings): Connector {
  const { backendName, http, logger } = context;
  // With no key the pool refuses every request with BACKEND_CREDENTIALS_MISSING, naming what to set.
  const pool = new ApiKeyPool({
    keys: [...settings.apiKeys],
    backendName,
    logger,
    retry: context.apiKeyRetry,
    ...(settings.missingKeyHint === undefined ? {} : { missingKeyHint: settings.missingKeyHint }),
  });
  let cachedModels: { models: ModelInfo[]; expiresAt: number } | undefined;

  /**
   * Sends with the next pool key. A key Google says is invalid or blocked (see
   * `geminiKeyRevoked`) is retired for its back-off and a rate-limited one (429) rests for
   * Google's `RetryInfo.retryDelay`; either way the request goes out again with the next usable
   * key, before anything reached the client. Any other 401 (a gateway refusing one model) leaves
   * the key in the pool: the other keys are tried once each, then the 401 goes to the client.
   * A pool of one key has nowhere to rotate to, so its 429 passes straight through.
   */
  async function send(build: (key: string) => UpstreamRequest, options: { answerErrors?: boolean; requestId?: string | undefined } = {}): Promise<UpstreamResponse> {
    if (settings.unusableBecause !== undefined) throw settings.unusableBecause();
    const tried = new Set<number>();
    let acquired = pool.acquire();
    for (;;) {
      tried.add(acquired.index);
      const response = await http.send(build(acquired.key));
      if (response.status >= 200 && response.status < 300) {
        pool.reportAccepted(acquired.index, options.requestId);
        return response;
      }
      const { text } = await readUpstreamErrorBody(response);
      const failure = readGeminiUpstreamError(response.status, text, response.headers, backendName);
      if (geminiKeyRevoked(failure.error)) {
        pool.reportUnauthorized(acquired.index, options.requestId);
        if (pool.usableCount() === 0) throw failure.error;
        acquired = pool.acquire();
        continue;
      }
      if (response.status !== 401) pool.reportAccepted(acquired.index, options.requestId);
      if (response.status === 429 && pool.size > 1) {
        pool.reportRateLimited(acquired.index, failure.retryAfterSeconds, options.requestId);
        if (pool.usableCount() === 0) throw failure.error;
        acquired = pool.acquire();
        continue;
      }
      const untried = response.status === 401 && pool.usableCount() > 0 ? untriedKey(tried) : undefined;
      if (untried === undefined && options.answerErrors === true) return readErrorAnswer(response, text);
      if (untried === undefined) throw failure.error;
      acquired = untried;
    }
  }

  function untriedKey(tried: ReadonlySet<number>): ReturnType<ApiKeyPool['acquire']> | undefined {
    try {
      return pool.acquire(tried);
    } catch {
      return undefined;
    }
  }

  return {
    upstreamBaseUrls: () => [{ url: settings.apiRoot, setting: settings.baseUrlSource }],
    async listModels(options: ChatOptions): Promise<ModelInfo[]> {
      if (settings.models !== undefined) return [...settings.models];
      if (cachedModels !== undefined && cachedModels.expiresAt > Date.now()) return [...cachedModels.models];
      const models: ModelInfo[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < MAX_MODEL_PAGES; page += 1) {
        const query = `pageSize=${MODEL_PAGE_SIZE}${pageToken === undefined ? '' : `&pageToken=${encodeURIComponent(pageToken)}`}`;
        const response = await send((key) => ({
          method: 'GET',
          url: `${settings.apiRoot}/models?${query}`,
          headers: { 'x-goog-api-key': key, accept: 'application/json' },
          signal: options.signal,
        }), { requestId: options.requestId });
        const body = (await response.json()) as { models?: unknown; nextPageToken?: unknown };
        models.push(...toModelInfos(body.models));
        pageToken = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' ? body.nextPageToken : undefined;
        if (pageToken === undefined) break;
      }
      cachedModels = { models, expiresAt: Date.now() + MODEL_LIST_CACHE_MS };
      return [...models];
    },

    async chat(request, options): Promise<ChatResult> {
      const body = toGeminiRequest(request, { backendName });
      const responseOptions: GeminiResponseOptions = { backendName, requestedModel: request.model };
      const path = `${settings.apiRoot}/${modelPath(request.model)}`;
      const response = await send((key) => ({
        method: 'POST',
        url: request.stream ? `${path}:streamGenerateContent?alt=sse` : `${path}:generateContent`,
        headers: { 'x-goog-api-key': key, accept: request.stream ? 'text/event-stream' : 'application/json' },
        json: body,
        signal: options.signal,
      }), { requestId: options.requestId });
      const contentType = response.headers['content-type'];
      if (typeof contentType === 'string' && contentType.includes('text/event-stream')) {
        return { type: 'stream', events: readGeminiStream(parseGeminiEvents(response.events(), responseOptions), responseOptions) };
      }
      const parsed = await response.json();
      // A server that ignored `alt=sse` answers a stream as one JSON array of chunks.
      if (Array.isArray(parsed)) return { type: 'stream', events: readGeminiStream(fromArray(parsed), responseOptions) };
      // A JSON answer to a streaming request is replayed as a stream by the chat route.
      return { type: 'response', response: await fromGeminiResponse(parsed, responseOptions) };
    },

    relayProtocol: () => 'gemini',

    /**
     * The client's body goes to the routed model's path as it came. The pool reads an error
     * answer to decide on rotation; one it does not retry on is answered with the text it read.
     */
    relay(request, options): Promise<UpstreamResponse> {
      const path = `${settings.apiRoot}/${modelPath(request.model)}`;
      return send((key) => ({
        method: 'POST',
        url: request.stream ? `${path}:streamGenerateContent?alt=sse` : `${path}:generateContent`,
        headers: {
          ...request.headers,
          'x-goog-api-key': key,
          accept: request.stream ? 'text/event-stream' : 'application/json',
          'content-type': 'application/json',
        },
        body: request.body,
        signal: options.signal,
      }), { answerErrors: true, requestId: options.requestId });
    },

    describeCredentials: () => pool.describe(),
    credentialCounts: () => pool.counts(),

    async close(): Promise<void> {
      cachedModels = undefined;
    },
  };
}

/**
 * `models/<id>` for a bare model id; `models/<id>` and `tunedModels/<id>` as given, the id
 * encoded as one path segment. A model that would leave that path is a 400 `MODEL_NAME_INVALID`.
 */
export function modelPath(model: string): string {
  return geminiModelResource(model);
}

/**
 * Models that can answer `generateContent`, without the `models/` prefix. Entries that do not
 * say which methods they support are kept.
 */
function toModelInfos(models: unknown): ModelInfo[] {
  if (!Array.isArray(models)) return [];
  const result: ModelInfo[] = [];
  for (const entry of models) {
    if (typeof entry !== 'object' || entry === null) continue;
    const model = entry as { name?: unknown; supportedGenerationMethods?: unknown };
    if (typeof model.name !== 'string' || model.name === '') continue;
    const methods = model.supportedGenerationMethods;
    if (Array.isArray(methods) && !methods.includes('generateContent')) continue;
    result.push({ id: model.name.replace(/^models\//, ''), ownedBy: 'google' });
  }
  return result;
}

/** An error answer whose body was already read, for the relay to pass on as it came. */
function readErrorAnswer(response: UpstreamResponse, text: string): UpstreamResponse {
  const alreadyRead = (): never => {
    throw new LlmProxyError({
      code: 'UPSTREAM_BODY_ALREADY_READ',
      message: 'The body of a Gemini error answer was read by the key pool; only text() and json() give it again',
      fix: 'Read an error answer from the relay with text() or json()',
    });
  };
  return {
    status: response.status,
    headers: response.headers,
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
    events: alreadyRead,
    bytes: alreadyRead,
    discard: () => undefined,
  };
}

async function* fromArray(chunks: readonly unknown[]): AsyncGenerator<unknown> {
  yield* chunks;
}
