/**
 * @fileoverview The OpenAI Responses front-end (`POST /v1/responses`) as the generic chat route
 * uses it, with `previous_response_id` served from an in-memory {@link ResponseStore}.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatMessage, ChatResponse } from '@llmproxy/connector-sdk';
import { newResponsesId } from '../../protocols/openai-responses/responses-item-ids.js';
import { RESPONSES_REQUEST_FIELDS } from '../../protocols/openai-responses/responses-request-fields.js';
import { parseResponsesRequest } from '../../protocols/openai-responses/parse-responses-request.js';
import { renderResponsesResponse } from '../../protocols/openai-responses/render-responses-response.js';
import { renderResponsesStream } from '../../protocols/openai-responses/render-responses-stream.js';
import type { ResponsesRenderContext } from '../../protocols/openai-responses/build-responses-response-object.js';
import { fromResponsesResponse } from '../../protocols/openai-responses/from-responses-response.js';
import { fromResponsesUsage } from '../../protocols/openai-responses/responses-usage.js';
import { renderOpenAIError } from '../../protocols/openai-chat/render-openai-error.js';
import type { ChatFrontend } from '../chat-frontend.js';
import { readRelayableBody } from '../read-relayable-body.js';
import { MemoryConversationStore, type ConversationStore } from './conversation-store.js';
import { ResponseStore } from './response-store.js';

/** What the renderers need: the response's identity and echo, and how to keep the conversation. */
export interface ResponsesRenderOptions extends ResponsesRenderContext {
  /** Keeps the finished answer for `previous_response_id`; undefined when the client sent `store: false`. */
  remember: ((response: ChatResponse) => void) | undefined;
}

export interface OpenAIResponsesFrontendOptions {
  /** Where conversations are kept; default this process's memory with default caps. */
  store?: ConversationStore | ResponseStore;
  /** Told when keeping a conversation fails (a shared store that is down); the answer is not affected. */
  onStoreError?: (error: unknown) => void;
}

/**
 * A request with `previous_response_id` continues that response's conversation: its input
 * and output come first, then this request's `input`. As with OpenAI, the earlier
 * `instructions` are not carried over. An unknown id is a 404 `PREVIOUS_RESPONSE_NOT_FOUND`.
 */
export function createOpenAIResponsesFrontend(options: OpenAIResponsesFrontendOptions = {}): ChatFrontend<ResponsesRenderOptions> {
  const store: ConversationStore = options.store instanceof ResponseStore || options.store === undefined ? new MemoryConversationStore(options.store) : options.store;
  const onStoreError = options.onStoreError ?? (() => undefined);
  return {
    name: 'openai-responses',
    requestFields: RESPONSES_REQUEST_FIELDS,
    async parse({ body }) {
      const parsed = parseResponsesRequest(body);
      let history: readonly ChatMessage[] = [];
      if (parsed.previousResponseId !== undefined) {
        history = (await store.get(parsed.previousResponseId)) ?? throwNotFound(parsed.previousResponseId);
        parsed.request.messages = [...parsed.instructionMessages, ...history, ...parsed.inputMessages];
      }
      const responseId = newResponsesId('resp');
      const remember = parsed.store
        ? (response: ChatResponse): void => {
            const answer: ChatMessage = { role: 'assistant', content: response.content };
            // Not awaited: the answer goes out while the conversation is written.
            store.set(responseId, [...history, ...parsed.inputMessages, answer], [...parsed.inputMessages, answer]).catch(onStoreError);
          }
        : undefined;
      return {
        model: parsed.model,
        request: parsed.request,
        renderOptions: {
          responseId,
          createdAt: Math.floor(Date.now() / 1000),
          requestedModel: parsed.model,
          echo: parsed.echo,
          customToolNames: parsed.customToolNames,
          namespacedTools: parsed.namespacedTools,
          remember,
        },
        vendorOnlyFields: parsed.vendorOnlyFields,
      };
    },
    renderResponse(response, renderOptions) {
      renderOptions.remember?.(response);
      return renderResponsesResponse(response, renderOptions);
    },
    renderStream(events, renderOptions) {
      return renderResponsesStream(events, renderOptions, renderOptions.remember === undefined ? {} : { onCompleted: renderOptions.remember });
    },
    relay: {
      protocol: 'openai-responses',
      modelInBody: true,
      forwardedHeaders: ['openai-beta'],
      async read({ body }) {
        const relayable = readRelayableBody(body);
        // A conversation the proxy keeps continues on the canonical path, which holds it; an
        // id the proxy never issued belongs to the upstream that did, so the request goes there.
        const previous = (body as { previous_response_id?: unknown } | null)?.previous_response_id;
        if (typeof previous === 'string' && (await store.has(previous))) return undefined;
        return relayable;
      },
      usageKey: 'usage',
      usageOf: (usage) => fromResponsesUsage(usage) ?? { inputTokens: 0, outputTokens: 0 },
      readWholeAnswer: (body, backendName) => fromResponsesResponse(body, backendName),
      streamEndMarkers: ['"response.completed"', '"response.incomplete"', '"response.failed"'],
      streamErrorFrame(error) {
        const { error: body } = renderOpenAIError(error).body;
        const code = typeof body.code === 'string' ? body.code : body.code === null ? null : String(body.code);
        return `event: error\ndata: ${JSON.stringify({ type: 'error', code, message: body.message, param: body.param, error: body })}\n\n`;
      },
    },
  };
}

/** The front-end the server registers at `POST /v1/responses`, with one store for the process. */
export const openAIResponsesFrontend: ChatFrontend<ResponsesRenderOptions> = createOpenAIResponsesFrontend();

function throwNotFound(id: string): never {
  throw new LlmProxyError({
    code: 'PREVIOUS_RESPONSE_NOT_FOUND',
    message: `Previous response with id '${id}' not found`,
    fix:
      'llmproxy keeps responses in memory only, for the life of the process and up to its size cap: ' +
      'send the whole conversation in `input` instead, or start a new conversation without `previous_response_id`',
    httpStatus: 404,
    details: { param: 'previous_response_id' },
  });
}
