/**
 * @fileoverview Kiro's `generateAssistantResponse` event stream → canonical chat events. Each
 * event-stream message carries `:message-type` (`event`, or `exception` / `error` for failures)
 * and, for events, `:event-type` with a JSON payload:
 *
 * - `assistantResponseEvent` `{content}`: a piece of the answer's text;
 * - `reasoningContentEvent` `{text, signature?}`: a piece of the model's reasoning;
 * - `toolUseEvent` `{toolUseId, name, input?, stop?}`: a tool call whose input (JSON text)
 *   arrives as string pieces over several events, the last one with `stop: true`;
 * - metering, context usage, follow-up prompts, citations, ...: nothing canonical.
 *
 * An exception message is thrown as an upstream error (429 for throttling); a stream that ends
 * while a tool call is still open is `UPSTREAM_STREAM_INTERRUPTED`.
 */
import { isRecord, LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent } from '@llmproxy/connector-sdk';
import { headerText, payloadText, type EventStreamMessage } from './decode-event-stream.js';

export interface KiroStreamOptions {
  backendName: string;
  /** The model asked for (Kiro's events do not name it). */
  model: string;
  responseId: string;
  now: () => number;
}

interface ToolCallState {
  index: number;
  stopped: boolean;
}

export async function* readKiroEvents(messages: AsyncIterable<EventStreamMessage>, options: KiroStreamOptions): AsyncGenerator<ChatEvent> {
  const { backendName } = options;
  const toolCalls = new Map<string, ToolCallState>();
  let openToolCall: string | undefined;
  yield { type: 'response-start', id: options.responseId, model: options.model, created: Math.floor(options.now() / 1000) };

  for await (const message of messages) {
    const messageType = headerText(message, ':message-type') ?? 'event';
    if (messageType === 'exception' || messageType === 'error') throw kiroStreamException(message, backendName);
    const eventType = headerText(message, ':event-type') ?? '';
    const payload = parsePayload(message, eventType, backendName);
    switch (eventType) {
      case 'assistantResponseEvent':
        if (typeof payload['content'] === 'string' && payload['content'] !== '') yield { type: 'text-delta', text: payload['content'] };
        break;
      case 'reasoningContentEvent': {
        const text = typeof payload['text'] === 'string' ? payload['text'] : '';
        const signature = typeof payload['signature'] === 'string' && payload['signature'] !== '' ? payload['signature'] : undefined;
        if (text !== '' || signature !== undefined) yield { type: 'reasoning-delta', text, ...(signature === undefined ? {} : { signature }) };
        break;
      }
      case 'toolUseEvent': {
        const id = typeof payload['toolUseId'] === 'string' && payload['toolUseId'] !== '' ? payload['toolUseId'] : openToolCall;
        if (id === undefined) break;
        let state = toolCalls.get(id);
        if (state === undefined) {
          state = { index: toolCalls.size, stopped: false };
          toolCalls.set(id, state);
          yield { type: 'tool-call-start', index: state.index, id, name: typeof payload['name'] === 'string' ? payload['name'] : '' };
        }
        openToolCall = id;
        if (typeof payload['input'] === 'string' && payload['input'] !== '') {
          yield { type: 'tool-call-delta', index: state.index, argumentsDelta: payload['input'] };
        } else if (typeof payload['input'] === 'object' && payload['input'] !== null) {
          // Some answers carry the whole input as an object at once.
          yield { type: 'tool-call-delta', index: state.index, argumentsDelta: JSON.stringify(payload['input']) };
        }
        if (payload['stop'] === true) {
          state.stopped = true;
          openToolCall = undefined;
        }
        break;
      }
      default:
        // Metering, context usage, follow-up prompts, citations, web links: nothing canonical.
        break;
    }
  }

  const unfinished = [...toolCalls.entries()].find(([, state]) => !state.stopped);
  if (unfinished !== undefined) {
    throw new LlmProxyError({
      code: 'UPSTREAM_STREAM_INTERRUPTED',
      message: `The stream from backend ${backendName} ended before the input of tool call ${unfinished[0]} was complete`,
      fix: 'Retry the request; if it keeps happening, check the upstream server',
      httpStatus: 502,
      details: { backend: backendName },
    });
  }
  yield { type: 'finish', finishReason: toolCalls.size > 0 ? 'tool-calls' : 'stop' };
}

function parsePayload(message: EventStreamMessage, eventType: string, backendName: string): Record<string, unknown> {
  if (message.body.byteLength === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(payloadText(message));
  } catch {
    throw new LlmProxyError({
      code: 'KIRO_EVENT_STREAM_CORRUPT',
      message: `The event stream from Kiro (backend ${backendName}) is corrupt: the payload of a ${eventType || 'untyped'} event is not JSON`,
      fix: 'Retry the request; if it keeps happening, check for a proxy or network device altering the response',
      httpStatus: 502,
      details: { backend: backendName },
    });
  }
  return isRecord(parsed) ? parsed : {};
}

/** An `exception` (or `error`) message → the upstream's error, with a status that matches its kind. */
function kiroStreamException(message: EventStreamMessage, backendName: string): UpstreamError {
  const type = headerText(message, ':exception-type') ?? headerText(message, ':error-code') ?? 'UnknownException';
  let text = headerText(message, ':error-message') ?? '';
  try {
    const body = JSON.parse(payloadText(message)) as { message?: unknown; Message?: unknown };
    const found = body.message ?? body.Message;
    if (typeof found === 'string' && found !== '') text = found;
  } catch {
    // A body that is not JSON: the headers say enough.
  }
  const status = /Throttling|TooManyRequests/i.test(type) ? 429 : /Validation|BadRequest/i.test(type) ? 400 : /AccessDenied/i.test(type) ? 403 : 502;
  return new UpstreamError({ backend: backendName, status, error: { message: text === '' ? `Kiro reported ${type}` : `${type}: ${text}`, type, code: type } });
}
