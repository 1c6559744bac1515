/**
 * @fileoverview Anthropic Messages server-sent events → canonical chat events, one event at a
 * time (nothing is held back but usage, which belongs at the very end).
 */
import { isRecord, StreamEndedEarlyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ServerSentEvent, Usage } from '@llmproxy/connector-sdk';
import { redactedThinkingSignature } from '../../canonical/redacted-thinking-signature.js';
import type { AnthropicUsage } from './anthropic-messages-wire-types.js';
import { fromAnthropicStopReason } from './anthropic-stop-reason.js';
import { fromAnthropicUsage } from './anthropic-usage.js';
import { invalidAnthropicResponse, untranslatableBlock } from './from-anthropic-message.js';
import { anthropicStatusOfErrorType, upstreamErrorBodyOf } from './read-anthropic-upstream-error.js';

interface BlockState {
  type: 'text' | 'thinking' | 'tool_use' | 'redacted_thinking';
  /** The canonical index of a tool call. */
  toolIndex: number;
  /** Whether any argument text was sent for a tool call. */
  sentArguments: boolean;
  /** The input a tool_use block started with, used only when no input_json_delta follows. */
  startInput: unknown;
}

/**
 * Reads one streamed message. `message_start` becomes `response-start`, carrying the start
 * usage (prompt and cache counts) as an `anthropic-messages` extra; text, thinking and
 * signature deltas become text and reasoning deltas; a tool_use block becomes a tool call
 * numbered in order of appearance, its `input_json_delta` pieces its argument deltas (a call
 * without arguments gets `{}`, which every client can parse); a redacted thinking block becomes
 * a reasoning delta whose signature carries its data (see
 * canonical/redacted-thinking-signature.ts).
 * `message_delta` gives the finish reason; usage is sent after it, at `message_stop`. `ping`
 * is ignored. An `error` event is thrown as an {@link UpstreamError} with Anthropic's error type
 * and the status that type stands for (an `overloaded_error` is a 529); a body that ends before
 * `message_stop` is `UPSTREAM_STREAM_INTERRUPTED`.
 */
export async function* readAnthropicMessageStream(
  events: AsyncIterable<ServerSentEvent>,
  backendName: string,
): AsyncGenerator<ChatEvent> {
  let started = false;
  let finished = false;
  let stopped = false;
  let usage: Partial<AnthropicUsage> = {};
  let toolCount = 0;
  const blocks = new Map<number, BlockState>();

  for await (const event of events) {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      throw invalidAnthropicResponse(backendName, `a stream event is not JSON: ${JSON.stringify(event.data.slice(0, 120))}`);
    }
    if (typeof data !== 'object' || data === null) throw invalidAnthropicResponse(backendName, 'a stream event is not an object');
    const type = data['type'] ?? event.event;

    if (type === 'error') {
      const error = upstreamErrorBodyOf(data, 'The upstream reported an error mid-stream');
      throw new UpstreamError({ backend: backendName, status: anthropicStatusOfErrorType(error.type), error });
    }
    if (type === 'ping') continue;
    if (type === 'message_start') {
      const message = isRecord(data['message']) ? data['message'] : {};
      if (isRecord(message['usage'])) usage = { ...message['usage'] };
      started = true;
      yield {
        type: 'response-start',
        id: typeof message['id'] === 'string' ? message['id'] : '',
        model: typeof message['model'] === 'string' ? message['model'] : '',
        created: Math.floor(Date.now() / 1000),
        protocolExtras: { protocol: 'anthropic-messages', fields: { usage: { ...usage } } },
      };
      continue;
    }
    if (!started) throw invalidAnthropicResponse(backendName, `the stream begins with ${String(type)}, not message_start`);

    switch (type) {
      case 'content_block_start': {
        const index = Number(data['index']);
        const block = isRecord(data['content_block']) ? data['content_block'] : {};
        const blockType = block['type'];
        if (blockType === 'text') {
          blocks.set(index, { type: 'text', toolIndex: -1, sentArguments: false, startInput: undefined });
          if (typeof block['text'] === 'string' && block['text'] !== '') yield { type: 'text-delta', text: block['text'] };
        } else if (blockType === 'thinking') {
          blocks.set(index, { type: 'thinking', toolIndex: -1, sentArguments: false, startInput: undefined });
          if (typeof block['thinking'] === 'string' && block['thinking'] !== '') yield { type: 'reasoning-delta', text: block['thinking'] };
        } else if (blockType === 'redacted_thinking') {
          blocks.set(index, { type: 'redacted_thinking', toolIndex: -1, sentArguments: false, startInput: undefined });
          yield { type: 'reasoning-delta', text: '', signature: redactedThinkingSignature(typeof block['data'] === 'string' ? block['data'] : '') };
        } else if (blockType === 'tool_use') {
          const toolIndex = toolCount++;
          blocks.set(index, { type: 'tool_use', toolIndex, sentArguments: false, startInput: block['input'] });
          yield {
            type: 'tool-call-start',
            index: toolIndex,
            id: typeof block['id'] === 'string' ? block['id'] : `toolu_${toolIndex}`,
            name: typeof block['name'] === 'string' ? block['name'] : '',
          };
        } else {
          throw untranslatableBlock(backendName, blockType);
        }
        break;
      }
      case 'content_block_delta': {
        const block = blocks.get(Number(data['index']));
        const delta = isRecord(data['delta']) ? data['delta'] : {};
        if (block === undefined) throw invalidAnthropicResponse(backendName, `a delta for content block ${String(data['index'])}, which never started`);
        switch (delta['type']) {
          case 'text_delta':
            if (typeof delta['text'] === 'string' && delta['text'] !== '') yield { type: 'text-delta', text: delta['text'] };
            break;
          case 'thinking_delta':
            if (typeof delta['thinking'] === 'string' && delta['thinking'] !== '') yield { type: 'reasoning-delta', text: delta['thinking'] };
            break;
          case 'signature_delta':
            if (typeof delta['signature'] === 'string') yield { type: 'reasoning-delta', text: '', signature: delta['signature'] };
            break;
          case 'input_json_delta': {
            const piece = delta['partial_json'];
            if (typeof piece === 'string' && piece !== '' && block.type === 'tool_use') {
              block.sentArguments = true;
              yield { type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: piece };
            }
            break;
          }
          case 'citations_delta':
            throw untranslatableBlock(backendName, 'citations_delta');
          default:
            // A delta type newer than llmproxy for a block it knows: its content cannot be carried.
            throw untranslatableBlock(backendName, delta['type']);
        }
        break;
      }
      case 'content_block_stop': {
        const block = blocks.get(Number(data['index']));
        if (block?.type === 'tool_use' && !block.sentArguments) {
          const input = isRecord(block.startInput) ? block.startInput : {};
          yield { type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: JSON.stringify(input) };
        }
        break;
      }
      case 'message_delta': {
        if (isRecord(data['usage'])) {
          // message_delta usage counts are cumulative totals: later values replace earlier ones.
          for (const [key, value] of Object.entries(data['usage'])) if (value !== null && value !== undefined) usage[key] = value;
        }
        const delta = isRecord(data['delta']) ? data['delta'] : {};
        if (delta['stop_reason'] !== undefined && delta['stop_reason'] !== null && !finished) {
          finished = true;
          const stopSequence = delta['stop_sequence'];
          yield {
            type: 'finish',
            finishReason: fromAnthropicStopReason(delta['stop_reason']),
            ...(typeof stopSequence === 'string' ? { stopSequence } : {}),
          };
        }
        break;
      }
      case 'message_stop':
        stopped = true;
        break;
      default:
        // Unknown event types are skipped, as Anthropic's versioning policy asks of clients.
        break;
    }
    if (stopped) break;
  }

  if (!started) throw invalidAnthropicResponse(backendName, 'the stream ended without a message_start event');
  if (!stopped) {
    throw new StreamEndedEarlyError({ backend: backendName });
  }
  if (!finished) yield { type: 'finish', finishReason: 'other' };
  const canonicalUsage: Usage = fromAnthropicUsage(usage);
  yield { type: 'usage', usage: canonicalUsage };
}
