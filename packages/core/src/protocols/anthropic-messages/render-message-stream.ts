/**
 * @fileoverview Canonical chat events → Anthropic Messages server-sent events:
 * `message_start`, then content blocks (`content_block_start`, `content_block_delta`,
 * `content_block_stop`) with indexes 0, 1, 2, ..., then `message_delta` (stop reason, usage)
 * and `message_stop`, each framed as `event: <type>\ndata: <json>\n\n`.
 */
import type { ChatEvent, FinishReason, ProtocolExtras, Usage } from '@llmproxy/connector-sdk';
import { redactedThinkingData } from '../../canonical/redacted-thinking-signature.js';
import { toAnthropicStopReason } from './anthropic-stop-reason.js';
import { toAnthropicUsage } from './anthropic-usage.js';
import { JsonCompletionTracker } from './json-completion-tracker.js';
import { renderAnthropicError } from './render-anthropic-error.js';
import { anthropicExtras, anthropicMessageId, cacheCreationInputTokens } from './render-message.js';
import { invalidChatStream, unexpectedCanonicalType } from '../../canonical/invalid-chat-stream.js';

/**
 * Yields the frames of each event as soon as that event allows. Anthropic content blocks never
 * interleave: one block is open at a time, and a tool call's arguments must all lie in its one
 * block. Upstreams that speak OpenAI Chat may interleave the argument pieces of parallel tool
 * calls, so:
 *
 * - text and reasoning can always be split, so a block of either closes as soon as something
 *   else arrives, and a later piece opens a new block;
 * - a tool call's block stays open until its arguments form a complete JSON value, the answer
 *   finishes, or the stream ends. Meanwhile, whatever else arrives (another call's start and
 *   pieces, text, reasoning) waits in arrival order and is sent the moment the open call
 *   completes, a waiting call as one block with its buffered arguments, after which its later
 *   pieces stream live again.
 *
 * Upstreams that send calls one after another (OpenAI itself, Anthropic) thus stream every
 * piece as it arrives; only genuinely interleaved pieces wait, and only as long as they must.
 *
 * Errors: one thrown before the first frame is rethrown, so the route can still answer with an
 * HTTP error status. One thrown after the stream began is sent as an `error` event with an
 * Anthropic error body, which the Anthropic SDKs raise as an API error, and the stream ends.
 */
export async function* renderMessageStream(events: AsyncIterable<ChatEvent>): AsyncGenerator<string> {
  const blocks = new ContentBlockSequencer();
  let started = false;
  let finishReason: FinishReason | undefined;
  let stopSequence: string | undefined;
  let usage: Usage | undefined;
  let cacheCreation = 0;

  try {
    for await (const event of events) {
      if (!started) {
        started = true;
        const start = event.type === 'response-start' ? event : syntheticStart();
        cacheCreation = cacheCreationInputTokens(anthropicExtras(start.protocolExtras));
        yield messageStartFrame(start.id, start.model, start.protocolExtras);
        if (event.type === 'response-start') continue;
      }
      switch (event.type) {
        case 'response-start':
          continue;
        case 'text-delta':
          blocks.text(event.text);
          break;
        case 'reasoning-delta':
          blocks.reasoning(event.text, event.signature);
          break;
        case 'tool-call-start':
          blocks.toolCallStart(event.index, event.id, event.name);
          break;
        case 'tool-call-delta':
          blocks.toolCallDelta(event.index, event.argumentsDelta);
          break;
        case 'finish':
          finishReason = event.finishReason;
          stopSequence = event.stopSequence;
          blocks.finish();
          break;
        case 'usage':
          usage = event.usage;
          continue;
        default:
          throw unexpectedCanonicalType(event, 'chat event');
      }
      const frames = blocks.takeFrames();
      if (frames !== '') yield frames;
    }
  } catch (error) {
    if (!started) throw error;
    yield frame('error', JSON.stringify(renderAnthropicError(error).body));
    return;
  }
  if (!started) {
    const start = syntheticStart();
    yield messageStartFrame(start.id, start.model, undefined);
  }
  blocks.finish();
  // A stop sequence the upstream named is reported as Anthropic does; otherwise it stays null.
  const matchedSequence = finishReason === 'stop' ? stopSequence : undefined;
  const stopReason = matchedSequence === undefined ? toAnthropicStopReason(finishReason ?? 'stop', blocks.sawToolCall) : 'stop_sequence';
  const usageJson = usage === undefined ? '{"output_tokens":0}' : JSON.stringify(toAnthropicUsage(usage, cacheCreation));
  yield blocks.takeFrames() +
    frame('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${stopReason}","stop_sequence":${JSON.stringify(matchedSequence ?? null)}},"usage":${usageJson}}`) +
    frame('message_stop', '{"type":"message_stop"}');
}

function frame(type: string, data: string): string {
  return `event: ${type}\ndata: ${data}\n\n`;
}

function syntheticStart(): { id: string; model: string; protocolExtras?: ProtocolExtras } {
  return { id: '', model: '' };
}

function messageStartFrame(id: string, model: string, extras: ProtocolExtras | undefined): string {
  const message = {
    id: anthropicMessageId(id),
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: startUsage(anthropicExtras(extras)),
  };
  return frame('message_start', JSON.stringify({ type: 'message_start', message }));
}

/** The prompt usage an Anthropic upstream reported at its start; other upstreams report usage only at the end. */
function startUsage(anthropic: Record<string, unknown> | undefined): Record<string, number> {
  const usage: Record<string, number> = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const reported = anthropic?.['usage'];
  if (typeof reported === 'object' && reported !== null) {
    for (const key of Object.keys(usage)) {
      const value = (reported as Record<string, unknown>)[key];
      if (typeof value === 'number') usage[key] = value;
    }
  }
  return usage;
}

interface ToolCallState {
  id: string;
  name: string;
  /** Argument pieces received while the call waited for its block. */
  buffered: string;
  tracker: JsonCompletionTracker;
  status: 'waiting' | 'open' | 'closed';
}

/** A piece of the answer that could not be sent yet because a tool call's block is open. */
type WaitingUnit =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string; signature: string | undefined }
  | { kind: 'tool-call'; call: ToolCallState };

type OpenBlock =
  | { kind: 'text'; index: number }
  | { kind: 'redacted-thinking'; index: number }
  | { kind: 'thinking'; index: number; signed: boolean }
  | { kind: 'tool-call'; index: number; call: ToolCallState };

/** Turns canonical deltas into non-interleaved content blocks, as described on renderMessageStream. */
class ContentBlockSequencer {
  sawToolCall = false;
  #frames = '';
  #open: OpenBlock | undefined;
  #nextIndex = 0;
  readonly #waiting: WaitingUnit[] = [];
  readonly #calls = new Map<number, ToolCallState>();
  #finishing = false;

  /** The frames produced since the last call. */
  takeFrames(): string {
    const frames = this.#frames;
    this.#frames = '';
    return frames;
  }

  text(text: string): void {
    if (text !== '') this.#place({ kind: 'text', text });
  }

  reasoning(text: string, signature: string | undefined): void {
    if (text !== '' || signature !== undefined) this.#place({ kind: 'reasoning', text, signature });
  }

  toolCallStart(index: number, id: string, name: string): void {
    if (this.#calls.has(index)) throw invalidChatStream(`tool call ${index} starts twice`);
    const call: ToolCallState = { id, name, buffered: '', tracker: new JsonCompletionTracker(), status: 'waiting' };
    this.#calls.set(index, call);
    this.sawToolCall = true;
    this.#place({ kind: 'tool-call', call });
  }

  toolCallDelta(index: number, argumentsDelta: string): void {
    const call = this.#calls.get(index);
    if (call === undefined) throw invalidChatStream(`tool call ${index} has arguments before its start`);
    if (argumentsDelta === '') return;
    switch (call.status) {
      case 'open':
        call.tracker.feed(argumentsDelta);
        this.#blockDelta(`{"type":"input_json_delta","partial_json":${JSON.stringify(argumentsDelta)}}`);
        if (call.tracker.complete) this.#drain();
        return;
      case 'waiting':
        call.buffered += argumentsDelta;
        return;
      case 'closed':
        // A call closes early only once its JSON is complete; whitespace may still trail it.
        if (argumentsDelta.trim() === '') return;
        throw invalidChatStream(`tool call ${index} has more arguments after its JSON value was complete`);
    }
  }

  /** The answer is complete: every waiting piece is sent, and the last block closed. */
  finish(): void {
    this.#finishing = true;
    this.#drain();
    this.#close();
  }

  #canSendNow(): boolean {
    const open = this.#open;
    return open === undefined || open.kind !== 'tool-call' || this.#finishing || open.call.tracker.complete;
  }

  #place(unit: WaitingUnit): void {
    // Nothing overtakes what is already waiting.
    if (this.#waiting.length > 0 || !this.#canSendNow()) {
      this.#waiting.push(unit);
      return;
    }
    this.#send(unit);
  }

  #drain(): void {
    while (this.#waiting.length > 0 && this.#canSendNow()) this.#send(this.#waiting.shift()!);
  }

  #send(unit: WaitingUnit): void {
    switch (unit.kind) {
      case 'text':
        if (this.#open?.kind !== 'text') {
          this.#close();
          this.#start({ kind: 'text', index: this.#nextIndex }, '{"type":"text","text":""}');
        }
        this.#blockDelta(`{"type":"text_delta","text":${JSON.stringify(unit.text)}}`);
        return;
      case 'reasoning': {
        const redacted = redactedThinkingData(unit.signature);
        if (redacted !== undefined) {
          this.#close();
          this.#start({ kind: 'redacted-thinking', index: this.#nextIndex }, `{"type":"redacted_thinking","data":${JSON.stringify(redacted)}}`);
          this.#close();
          return;
        }
        let open = this.#open;
        // A signature seals its thinking block; what follows is another block.
        if (open?.kind !== 'thinking' || open.signed) {
          this.#close();
          open = { kind: 'thinking', index: this.#nextIndex, signed: false };
          this.#start(open, '{"type":"thinking","thinking":"","signature":""}');
        }
        if (unit.text !== '') this.#blockDelta(`{"type":"thinking_delta","thinking":${JSON.stringify(unit.text)}}`);
        if (unit.signature !== undefined) {
          this.#blockDelta(`{"type":"signature_delta","signature":${JSON.stringify(unit.signature)}}`);
          open.signed = true;
        }
        return;
      }
      case 'tool-call': {
        const { call } = unit;
        this.#close();
        this.#start(
          { kind: 'tool-call', index: this.#nextIndex, call },
          `{"type":"tool_use","id":${JSON.stringify(call.id)},"name":${JSON.stringify(call.name)},"input":{}}`,
        );
        call.status = 'open';
        if (call.buffered !== '') {
          const buffered = call.buffered;
          call.buffered = '';
          call.tracker.feed(buffered);
          this.#blockDelta(`{"type":"input_json_delta","partial_json":${JSON.stringify(buffered)}}`);
        }
        return;
      }
    }
  }

  #start(block: OpenBlock, contentBlock: string): void {
    this.#open = block;
    this.#nextIndex += 1;
    this.#frames += frame('content_block_start', `{"type":"content_block_start","index":${block.index},"content_block":${contentBlock}}`);
  }

  #blockDelta(delta: string): void {
    this.#frames += frame('content_block_delta', `{"type":"content_block_delta","index":${this.#open!.index},"delta":${delta}}`);
  }

  #close(): void {
    const open = this.#open;
    if (open === undefined) return;
    if (open.kind === 'tool-call') open.call.status = 'closed';
    this.#frames += frame('content_block_stop', `{"type":"content_block_stop","index":${open.index}}`);
    this.#open = undefined;
  }
}
