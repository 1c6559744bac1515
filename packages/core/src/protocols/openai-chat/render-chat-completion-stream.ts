/**
 * @fileoverview Canonical chat events → OpenAI `chat.completion.chunk` server-sent events.
 */
import { randomUUID } from 'node:crypto';
import type { ChatEvent, ProtocolExtras } from '@llmproxy/connector-sdk';
import { toOpenAIFinishReason } from './openai-finish-reason.js';
import { toOpenAIUsage } from './openai-usage.js';
import { renderOpenAIError } from './render-openai-error.js';
import { unexpectedCanonicalType } from '../../canonical/invalid-chat-stream.js';

export interface ChatCompletionStreamOptions {
  /** The client's `stream_options.include_usage`: send the final usage chunk (choices `[]`). Default false. */
  includeUsage?: boolean;
}

const DONE_FRAME = 'data: [DONE]\n\n';

/**
 * Yields one SSE frame per event as it arrives: a first chunk with `role: assistant`, content,
 * `reasoning_content` and `tool_calls` deltas (a call's first chunk carries its index, id, type
 * and name), a chunk with `finish_reason`, the usage chunk when asked for, then `data: [DONE]`.
 *
 * Errors: one thrown before the first frame is rethrown, so the caller can still answer with
 * an HTTP error status. One thrown after the stream began (the status line is gone) is sent as
 * a final `data: {"error":{...}}` frame in OpenAI error format, which the OpenAI SDKs raise as
 * an API error, and the stream ends without `[DONE]`.
 */
export async function* renderChatCompletionStream(
  events: AsyncIterable<ChatEvent>,
  options: ChatCompletionStreamOptions = {},
): AsyncGenerator<string> {
  const includeUsage = options.includeUsage === true;
  // `{"id":...,"object":...,"created":...,"model":...,` shared by every chunk, serialised once.
  let prefix: string | undefined;
  const suffix = includeUsage ? ',"usage":null}\n\n' : '}\n\n';
  let started = false;

  const chunk = (choice: string): string => `data: ${prefix}"choices":[${choice}]${suffix}`;
  const deltaChunk = (delta: string): string => chunk(`{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}`);

  try {
    for await (const event of events) {
      let frame: string;
      if (prefix === undefined) {
        prefix =
          event.type === 'response-start'
            ? chunkPrefix(event.id, event.created, event.model, event.protocolExtras)
            : chunkPrefix(`chatcmpl-${randomUUID()}`, Math.floor(Date.now() / 1000), '', undefined);
        started = true;
        yield deltaChunk('{"role":"assistant","content":""}');
        if (event.type === 'response-start') continue;
      }
      switch (event.type) {
        case 'response-start':
          continue;
        case 'text-delta':
          frame = deltaChunk(`{"content":${JSON.stringify(event.text)}}`);
          break;
        case 'reasoning-delta':
          if (event.text === '') continue;
          frame = deltaChunk(`{"reasoning_content":${JSON.stringify(event.text)}}`);
          break;
        case 'tool-call-start':
          frame = deltaChunk(
            `{"tool_calls":[{"index":${event.index},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}]}`,
          );
          break;
        case 'tool-call-delta':
          frame = deltaChunk(`{"tool_calls":[{"index":${event.index},"function":{"arguments":${JSON.stringify(event.argumentsDelta)}}}]}`);
          break;
        case 'finish':
          frame = chunk(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"${toOpenAIFinishReason(event.finishReason)}"}`);
          break;
        case 'usage':
          if (!includeUsage) continue;
          frame = `data: ${prefix}"choices":[],"usage":${JSON.stringify(toOpenAIUsage(event.usage))}}\n\n`;
          break;
        default:
          throw unexpectedCanonicalType(event, 'chat event');
      }
      yield frame;
    }
  } catch (error) {
    if (!started) throw error;
    yield `data: ${JSON.stringify(renderOpenAIError(error).body)}\n\n`;
    return;
  }
  if (!started) {
    prefix = chunkPrefix(`chatcmpl-${randomUUID()}`, Math.floor(Date.now() / 1000), '', undefined);
    yield deltaChunk('{"role":"assistant","content":""}');
  }
  yield DONE_FRAME;
}

function chunkPrefix(id: string, created: number, model: string, extras: ProtocolExtras | undefined): string {
  let prefix = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},`;
  if (extras?.protocol === 'openai-chat') {
    for (const [key, value] of Object.entries(extras.fields)) {
      if (key === 'id' || key === 'object' || key === 'created' || key === 'model' || key === 'choices' || key === 'usage') continue;
      prefix += `${JSON.stringify(key)}:${JSON.stringify(value)},`;
    }
  }
  return prefix;
}
