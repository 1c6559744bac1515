/**
 * @fileoverview OpenAI Chat Completions SSE chunks → canonical chat events, one chunk at a time
 * (nothing is held back except a tool call's first argument pieces when they arrive before its
 * name, and usage, which belongs at the very end).
 */
import { StreamEndedEarlyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ServerSentEvent, Usage } from '@llmproxy/connector-sdk';
import { invalidResponse, unknownFields } from './from-openai-chat-completion.js';
import type { OpenAIChatCompletionChunk, OpenAIToolCallDelta, OpenAIUsage } from './openai-chat-wire-types.js';
import { fromOpenAIFinishReason } from './openai-finish-reason.js';
import { fromOpenAIUsage } from './openai-usage.js';
import { upstreamErrorBodyFrom } from './read-openai-upstream-error.js';

/** Per-chunk fields that describe the response as a whole rather than the delta. `obfuscation` is random padding. */
const KNOWN_CHUNK_FIELDS = new Set(['id', 'object', 'created', 'model', 'choices', 'usage', 'obfuscation']);

interface ToolCallState {
  index: number;
  id: string | undefined;
  name: string;
  started: boolean;
  pendingArguments: string;
}

/**
 * Reads the chunks of one streamed completion. Tool calls get canonical indexes in order of
 * first appearance, whatever indexes the upstream used. `reasoning_content` (DeepSeek, vLLM,
 * Qwen) and `reasoning` (OpenRouter, newer vLLM) become reasoning deltas; a refusal is streamed
 * as text, since the canonical events have no refusal delta. An `error` object in the stream
 * is thrown as an {@link UpstreamError}; a body that ends before `[DONE]` or a finish reason is
 * thrown as `UPSTREAM_STREAM_INTERRUPTED`.
 */
export async function* readOpenAIChatStream(
  events: AsyncIterable<ServerSentEvent>,
  backendName: string,
): AsyncGenerator<ChatEvent> {
  let started = false;
  let finished = false;
  let sawDone = false;
  let usage: Usage | undefined;
  const toolCalls = new Map<number, ToolCallState>();
  let lastToolCall: ToolCallState | undefined;
  let lastUpstreamIndex = 0;

  for await (const event of events) {
    if (event.data === '[DONE]') {
      sawDone = true;
      break;
    }
    let chunk: OpenAIChatCompletionChunk & { error?: unknown };
    try {
      chunk = JSON.parse(event.data) as typeof chunk;
    } catch {
      throw invalidResponse(backendName, `a stream event is not JSON: ${JSON.stringify(event.data.slice(0, 120))}`);
    }
    if (typeof chunk !== 'object' || chunk === null) throw invalidResponse(backendName, 'a stream event is not an object');
    if (chunk.error !== undefined && chunk.error !== null) {
      throw new UpstreamError({ backend: backendName, status: 502, error: upstreamErrorBodyFrom(chunk, 'The upstream reported an error mid-stream') });
    }

    if (!started) {
      started = true;
      const extras = unknownFields(chunk, KNOWN_CHUNK_FIELDS);
      yield {
        type: 'response-start',
        id: String(chunk.id ?? ''),
        model: String(chunk.model ?? ''),
        created: typeof chunk.created === 'number' ? chunk.created : Math.floor(Date.now() / 1000),
        ...(extras === undefined ? {} : { protocolExtras: { protocol: 'openai-chat', fields: extras } }),
      };
    }

    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (choice !== undefined && choice !== null) {
      const delta = choice.delta ?? {};
      const reasoning = delta.reasoning_content ?? (delta as { reasoning?: unknown }).reasoning;
      if (typeof reasoning === 'string' && reasoning !== '') yield { type: 'reasoning-delta', text: reasoning };
      if (typeof delta.content === 'string' && delta.content !== '') yield { type: 'text-delta', text: delta.content };
      if (typeof delta.refusal === 'string' && delta.refusal !== '') yield { type: 'text-delta', text: delta.refusal };
      if (Array.isArray(delta.tool_calls)) {
        for (const toolCallDelta of delta.tool_calls) {
          const upstreamIndex = upstreamIndexOf(toolCallDelta, lastToolCall, lastUpstreamIndex, toolCalls.size);
          lastUpstreamIndex = upstreamIndex;
          let state = toolCalls.get(upstreamIndex);
          if (state === undefined) {
            state = { index: toolCalls.size, id: undefined, name: '', started: false, pendingArguments: '' };
            toolCalls.set(upstreamIndex, state);
          }
          lastToolCall = state;
          yield* applyToolCallDelta(state, toolCallDelta);
        }
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined && !finished) {
        yield* startPendingToolCalls(toolCalls);
        finished = true;
        yield { type: 'finish', finishReason: fromOpenAIFinishReason(choice.finish_reason) };
      }
    }
    // Servers that report usage on every chunk are read to the last report.
    if (chunk.usage !== undefined && chunk.usage !== null) usage = fromOpenAIUsage(chunk.usage as OpenAIUsage);
  }

  if (!started) throw invalidResponse(backendName, 'the stream ended without a single chunk');
  if (!sawDone && !finished) {
    throw new StreamEndedEarlyError({ backend: backendName });
  }
  if (!finished) {
    yield* startPendingToolCalls(toolCalls);
    yield { type: 'finish', finishReason: 'other' };
  }
  if (usage !== undefined) yield { type: 'usage', usage };
}

/**
 * OpenAI always sends `index`; some compatible servers leave it out. Then a new id means a new
 * call, and anything else continues the previous one.
 */
function upstreamIndexOf(
  delta: OpenAIToolCallDelta,
  lastToolCall: ToolCallState | undefined,
  lastUpstreamIndex: number,
  knownCalls: number,
): number {
  if (typeof delta.index === 'number') return delta.index;
  if (lastToolCall === undefined) return 0;
  if (typeof delta.id === 'string' && delta.id !== lastToolCall.id) return Math.max(lastUpstreamIndex + 1, knownCalls);
  return lastUpstreamIndex;
}

function* applyToolCallDelta(state: ToolCallState, delta: OpenAIToolCallDelta): Generator<ChatEvent> {
  if (typeof delta.id === 'string' && delta.id !== '' && state.id === undefined) state.id = delta.id;
  const name = delta.function?.name;
  if (!state.started && typeof name === 'string') state.name += name;
  const argumentsDelta = delta.function?.arguments;
  if (!state.started && state.name !== '') {
    yield* startToolCall(state);
  }
  if (typeof argumentsDelta === 'string' && argumentsDelta !== '') {
    if (state.started) yield { type: 'tool-call-delta', index: state.index, argumentsDelta };
    else state.pendingArguments += argumentsDelta;
  }
}

function* startToolCall(state: ToolCallState): Generator<ChatEvent> {
  state.started = true;
  yield { type: 'tool-call-start', index: state.index, id: state.id ?? `call_${state.index}`, name: state.name };
  if (state.pendingArguments !== '') {
    yield { type: 'tool-call-delta', index: state.index, argumentsDelta: state.pendingArguments };
    state.pendingArguments = '';
  }
}

function* startPendingToolCalls(toolCalls: ReadonlyMap<number, ToolCallState>): Generator<ChatEvent> {
  for (const state of toolCalls.values()) {
    if (!state.started) yield* startToolCall(state);
  }
}
