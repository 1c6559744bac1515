/**
 * @fileoverview Responses API server-sent events (an upstream's streamed answer) → canonical
 * chat events, one upstream event at a time.
 */
import { isRecord, StreamEndedEarlyError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ServerSentEvent } from '@llmproxy/connector-sdk';
import { finishReasonOf } from './from-responses-response.js';
import { reasoningTextOf } from './responses-output-items.js';
import { invalidResponsesAnswer, responsesFailure } from './responses-upstream-errors.js';
import { fromResponsesUsage } from './responses-usage.js';

interface ToolCallState {
  /** The canonical index (order of first appearance). */
  index: number;
  /** The arguments passed on so far. */
  sent: string;
}

/**
 * Reads one streamed response. Function calls get canonical indexes in order of appearance
 * and are named by their `output_index` afterwards. Summary parts of one reasoning item are
 * separated by a blank line; the item's `encrypted_content` (asked for with `include`) follows
 * as the reasoning signature. Text, reasoning or arguments that arrive only in a `.done` event
 * or a finished item (servers that skip deltas) are passed on then, never twice.
 *
 * `response.failed` and the `error` event are thrown as {@link UpstreamError}; a stream that
 * ends before `response.completed` / `response.incomplete` is `UPSTREAM_STREAM_INTERRUPTED`.
 */
export async function* readResponsesStream(events: AsyncIterable<ServerSentEvent>, backendName: string): AsyncGenerator<ChatEvent> {
  let started = false;
  let finished = false;
  const toolCalls = new Map<number, ToolCallState>();
  /** Output indexes of items whose text (message) or reasoning arrived as deltas. */
  const streamedText = new Set<number>();
  const streamedReasoning = new Set<number>();
  /** Per reasoning item, the summary index of its last delta. */
  const summaryIndexes = new Map<number, number>();

  for await (const event of events) {
    if (event.data === '[DONE]') break;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      throw invalidResponsesAnswer(backendName, `a stream event is not JSON: ${JSON.stringify(event.data.slice(0, 120))}`);
    }
    if (!isRecord(data)) throw invalidResponsesAnswer(backendName, 'a stream event is not an object');
    const type = typeof data['type'] === 'string' ? data['type'] : (event.event ?? '');
    if (type === 'error') throw responsesFailure(data, backendName);

    if (!started) {
      started = true;
      const response = isRecord(data['response']) ? data['response'] : {};
      yield {
        type: 'response-start',
        id: String(response['id'] ?? ''),
        model: String(response['model'] ?? ''),
        created: typeof response['created_at'] === 'number' ? response['created_at'] : Math.floor(Date.now() / 1000),
      };
    }
    const outputIndex = typeof data['output_index'] === 'number' ? data['output_index'] : -1;

    switch (type) {
      case 'response.output_item.added': {
        const item = isRecord(data['item']) ? data['item'] : {};
        if (item['type'] === 'function_call') yield* startToolCall(toolCalls, outputIndex, item);
        break;
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (typeof data['delta'] === 'string' && data['delta'] !== '') {
          streamedText.add(outputIndex);
          yield { type: 'text-delta', text: data['delta'] };
        }
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        if (typeof data['delta'] !== 'string' || data['delta'] === '') break;
        const summaryIndex = typeof data['summary_index'] === 'number' ? data['summary_index'] : 0;
        const previous = summaryIndexes.get(outputIndex);
        summaryIndexes.set(outputIndex, summaryIndex);
        streamedReasoning.add(outputIndex);
        const separator = previous !== undefined && previous !== summaryIndex ? '\n\n' : '';
        yield { type: 'reasoning-delta', text: separator + data['delta'] };
        break;
      }
      case 'response.function_call_arguments.delta': {
        const state = toolCalls.get(outputIndex);
        if (state !== undefined && typeof data['delta'] === 'string' && data['delta'] !== '') {
          state.sent += data['delta'];
          yield { type: 'tool-call-delta', index: state.index, argumentsDelta: data['delta'] };
        }
        break;
      }
      case 'response.function_call_arguments.done': {
        const state = toolCalls.get(outputIndex);
        if (state !== undefined && typeof data['arguments'] === 'string') yield* sendRemainder(state, data['arguments']);
        break;
      }
      case 'response.output_item.done': {
        const item = isRecord(data['item']) ? data['item'] : {};
        yield* finishItem(item, outputIndex);
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const response = isRecord(data['response']) ? data['response'] : {};
        const status = type === 'response.incomplete' ? 'incomplete' : response['status'];
        finished = true;
        yield { type: 'finish', finishReason: finishReasonOf(status, response['incomplete_details'], toolCalls.size > 0) };
        const usage = fromResponsesUsage(response['usage']);
        if (usage !== undefined) yield { type: 'usage', usage };
        break;
      }
      case 'response.failed': {
        const response = isRecord(data['response']) ? data['response'] : {};
        throw responsesFailure(response['error'], backendName);
      }
      default:
        // Lifecycle and hosted-tool events carry nothing canonical.
        break;
    }
    if (finished) break;
  }

  if (!started) throw invalidResponsesAnswer(backendName, 'the stream ended without a single event');
  if (!finished) {
    throw new StreamEndedEarlyError({ backend: backendName });
  }

  function* finishItem(item: Record<string, unknown>, index: number): Generator<ChatEvent> {
    switch (item['type']) {
      case 'function_call': {
        const state = toolCalls.get(index) ?? (yield* startToolCall(toolCalls, index, { ...item, arguments: '' }));
        if (typeof item['arguments'] === 'string') yield* sendRemainder(state, item['arguments']);
        break;
      }
      case 'message':
        if (!streamedText.has(index)) {
          for (const part of Array.isArray(item['content']) ? item['content'] : []) {
            if (!isRecord(part)) continue;
            const text = part['type'] === 'refusal' ? part['refusal'] : part['text'];
            if (typeof text === 'string' && text !== '') yield { type: 'text-delta', text };
          }
        }
        break;
      case 'reasoning': {
        const text = streamedReasoning.has(index) ? '' : reasoningTextOf(item);
        const encrypted = item['encrypted_content'];
        const signature = typeof encrypted === 'string' && encrypted !== '' ? encrypted : undefined;
        if (text !== '' || signature !== undefined) yield { type: 'reasoning-delta', text, ...(signature === undefined ? {} : { signature }) };
        break;
      }
      default:
        break;
    }
  }
}

function* startToolCall(
  toolCalls: Map<number, ToolCallState>,
  outputIndex: number,
  item: Record<string, unknown>,
): Generator<ChatEvent, ToolCallState> {
  const state: ToolCallState = { index: toolCalls.size, sent: '' };
  toolCalls.set(outputIndex, state);
  yield { type: 'tool-call-start', index: state.index, id: String(item['call_id'] ?? item['id'] ?? ''), name: String(item['name'] ?? '') };
  if (typeof item['arguments'] === 'string' && item['arguments'] !== '') {
    state.sent = item['arguments'];
    yield { type: 'tool-call-delta', index: state.index, argumentsDelta: item['arguments'] };
  }
  return state;
}

/** Passes on what a `.done` event has beyond the deltas already sent. */
function* sendRemainder(state: ToolCallState, complete: string): Generator<ChatEvent> {
  if (complete.length <= state.sent.length || !complete.startsWith(state.sent)) return;
  const rest = complete.slice(state.sent.length);
  state.sent = complete;
  yield { type: 'tool-call-delta', index: state.index, argumentsDelta: rest };
}
