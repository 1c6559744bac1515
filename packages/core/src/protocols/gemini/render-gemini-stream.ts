/**
 * @fileoverview Canonical chat events → a streamed Gemini answer: one `GenerateContentResponse`
 * chunk per piece, framed as server-sent events (`?alt=sse`, `data: {...}\r\n\r\n`, no end
 * marker) or, without `alt=sse`, as the elements of one JSON array (`[{...}\r\n,{...}]`), which
 * is what the Gemini API sends then.
 */
import { randomBytes } from 'node:crypto';
import { isRecord } from '@llmproxy/connector-sdk';
import type { ChatEvent, FinishReason, ProtocolExtras, ToolCallPart, Usage } from '@llmproxy/connector-sdk';
import { toGeminiFinishReason } from './gemini-finish-reason.js';
import { toGeminiUsage } from './gemini-usage.js';
import type { GeminiCandidate, GeminiGenerateContentResponse, GeminiPart } from './gemini-wire-types.js';
import { renderGeminiError } from './render-gemini-error.js';
import { applyGeminiExtras, malformedCallMessage } from './render-gemini-response.js';
import { unexpectedCanonicalType } from '../../canonical/invalid-chat-stream.js';

export interface GeminiStreamOptions {
  /** `?alt=sse`: server-sent events; otherwise one streamed JSON array. */
  sse: boolean;
}

interface BufferedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Yields frames as events arrive. Text and thoughts go out at once, one chunk per delta. Gemini
 * sends a function call whole, with its arguments as an object, so a tool call's argument
 * pieces are held until they form a complete JSON object (which no further piece could extend)
 * and the call then goes out as one `functionCall` part; calls go out in the order they
 * started, and every call still held is settled when the answer finishes. A call whose
 * arguments never become a JSON object is left out and the answer ends with
 * `MALFORMED_FUNCTION_CALL`, as Gemini reports such a call. A signature goes on the next part
 * (see thought-signature-placement.ts). The last chunk carries `finishReason` and
 * `usageMetadata`.
 *
 * Errors: one thrown before the first frame is rethrown, so the caller can still answer with an
 * HTTP error status. One thrown later is sent as a last element `{"error":{code,message,status}}`,
 * which the Google GenAI SDK raises as an `ApiError` with that code.
 */
export async function* renderGeminiStream(events: AsyncIterable<ChatEvent>, options: GeminiStreamOptions): AsyncGenerator<string> {
  let framesSent = 0;
  let responseId = `gemini-${randomBytes(9).toString('base64url')}`;
  let modelVersion = '';
  let extras: ProtocolExtras | undefined;
  let pendingSignature: string | undefined;
  let finishReason: FinishReason | undefined;
  let usage: Usage | undefined;
  const calls = new Map<number, BufferedToolCall>();
  /** Canonical indexes of held calls, in the order they started. */
  const heldCalls: number[] = [];
  const malformed: ToolCallPart[] = [];

  const frame = (body: object): string => {
    const json = JSON.stringify(body);
    const text = options.sse ? `data: ${json}\r\n\r\n` : `${framesSent === 0 ? '[' : '\r\n,'}${json}`;
    framesSent += 1;
    return text;
  };
  const chunk = (parts: GeminiPart[]): string => {
    if (pendingSignature !== undefined && parts[0] !== undefined) {
      parts[0].thoughtSignature = pendingSignature;
      pendingSignature = undefined;
    }
    return frame({ candidates: [{ content: { role: 'model', parts }, index: 0 }], modelVersion, responseId });
  };
  /** The held calls that can go out now: complete ones in start order, or all of them when `settle`. */
  const releasableCalls = (settle: boolean): GeminiPart[] => {
    const parts: GeminiPart[] = [];
    while (heldCalls.length > 0) {
      const call = calls.get(heldCalls[0] as number) as BufferedToolCall;
      // A call that streamed no arguments at all takes none.
      const args = settle && call.arguments.trim() === '' ? {} : argumentsObject(call.arguments);
      if (args === undefined && !settle) break;
      heldCalls.shift();
      if (args === undefined) malformed.push({ type: 'tool-call', id: call.id, name: call.name, arguments: call.arguments });
      else parts.push({ functionCall: { id: call.id, name: call.name, args } });
    }
    return parts;
  };

  try {
    for await (const event of events) {
      switch (event.type) {
        case 'response-start':
          responseId = event.id === '' ? responseId : event.id;
          modelVersion = event.model;
          extras = event.protocolExtras;
          break;
        case 'text-delta': {
          const ready = releasableCalls(false);
          if (ready.length > 0) yield chunk(ready);
          if (event.text !== '') yield chunk([{ text: event.text }]);
          break;
        }
        case 'reasoning-delta':
          if (event.text !== '') {
            // A signature followed by more thinking stays on a thought part of its own.
            if (pendingSignature !== undefined) yield chunk([{ text: '', thought: true }]);
            yield chunk([{ text: event.text, thought: true }]);
          }
          if (event.signature !== undefined && event.signature !== '') {
            if (pendingSignature !== undefined) yield chunk([{ text: '', thought: true }]);
            pendingSignature = event.signature;
          }
          break;
        case 'tool-call-start':
          calls.set(event.index, { id: event.id, name: event.name, arguments: '' });
          heldCalls.push(event.index);
          break;
        case 'tool-call-delta': {
          const call = calls.get(event.index);
          if (call === undefined) break;
          call.arguments += event.argumentsDelta;
          const ready = releasableCalls(false);
          if (ready.length > 0) yield chunk(ready);
          break;
        }
        case 'finish': {
          finishReason = event.finishReason;
          const ready = releasableCalls(true);
          if (ready.length > 0) yield chunk(ready);
          break;
        }
        case 'usage':
          usage = event.usage;
          break;
        default:
          throw unexpectedCanonicalType(event, 'chat event');
      }
    }
    const ready = releasableCalls(true);
    if (ready.length > 0) yield chunk(ready);
  } catch (error) {
    if (framesSent === 0) throw error;
    const rendered = renderGeminiError(error).body;
    yield options.sse ? frame(rendered) : `${frame(rendered)}]`;
    return;
  }

  const candidate: GeminiCandidate = {
    content: { role: 'model', parts: pendingSignature === undefined ? [] : [{ text: '', thought: true, thoughtSignature: pendingSignature }] },
    finishReason: malformed.length > 0 ? 'MALFORMED_FUNCTION_CALL' : toGeminiFinishReason(finishReason ?? 'other'),
    index: 0,
  };
  if (malformed.length > 0) candidate.finishMessage = malformedCallMessage(malformed);
  const last: GeminiGenerateContentResponse = { candidates: [candidate] };
  if (usage !== undefined) last.usageMetadata = toGeminiUsage(usage);
  last.modelVersion = modelVersion;
  last.responseId = responseId;
  applyGeminiExtras(last, candidate, extras);
  yield frame(last);
  if (!options.sse) yield ']';
}

/** The JSON object `text` holds once complete; undefined while it is not (yet) one. */
function argumentsObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
