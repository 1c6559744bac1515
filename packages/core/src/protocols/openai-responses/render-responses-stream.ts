/**
 * @fileoverview Canonical chat events → Responses API server-sent events, one frame per event
 * as it arrives (`event: <type>\ndata: <json>\n\n`, with a `sequence_number` counting from 0).
 */
import type { ChatEvent, ChatResponse, FinishReason, Usage } from '@llmproxy/connector-sdk';
import { renderOpenAIError } from '../openai-chat/render-openai-error.js';
import {
  buildResponsesResponseObject,
  responsesOutcomeOf,
  type ResponsesRenderContext,
} from './build-responses-response-object.js';
import { unwrapCustomToolInput } from './custom-tools.js';
import { clientToolName } from './namespace-tools.js';
import { newResponsesId } from './responses-item-ids.js';
import { fromResponsesOutputItems } from './responses-output-items.js';
import type {
  ResponsesOutputCustomToolCall,
  ResponsesOutputFunctionCall,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesOutputReasoning,
  ResponsesOutputText,
} from './responses-wire-types.js';
import { unexpectedCanonicalType } from '../../canonical/invalid-chat-stream.js';

export interface ResponsesStreamOptions {
  /** Called once with the whole answer when the stream completed, e.g. to keep the conversation. */
  onCompleted?: (response: ChatResponse) => void;
}

interface OpenMessage {
  item: ResponsesOutputMessage;
  outputIndex: number;
  part: ResponsesOutputText;
}

interface OpenReasoning {
  item: ResponsesOutputReasoning;
  outputIndex: number;
  /** The summary part being written, if any text arrived. */
  summaryText: string | undefined;
}

interface OpenFunctionCall {
  item: ResponsesOutputFunctionCall | ResponsesOutputCustomToolCall;
  outputIndex: number;
  /** A custom tool's stand-in arguments, held back until the call is complete. */
  heldArguments: string;
}

/**
 * Yields, in the order the Responses API does: `response.created`, `response.in_progress`;
 * per output item `response.output_item.added`, its content events
 * (`response.content_part.added` / `response.output_text.delta` / `.done` /
 * `response.content_part.done`; `response.reasoning_summary_part.added` /
 * `response.reasoning_summary_text.delta` / `.done` / `response.reasoning_summary_part.done`;
 * `response.function_call_arguments.delta` / `.done`) and `response.output_item.done`; then
 * `response.completed`, or `response.incomplete` for an answer cut off by the token limit or a
 * content filter. Function calls stay open until the answer finishes, since canonical streams
 * may interleave the arguments of parallel calls. A custom tool's call (`custom_tool_call`) gets
 * its free-form input in one `response.custom_tool_call_input.delta` when it is complete: the
 * input is the `input` string inside its stand-in function's JSON arguments.
 *
 * Errors: one thrown before the first frame is rethrown, so the route can still answer with an
 * HTTP error. One thrown later is sent as an `error` event, whose fields are both flat (as the
 * API reference documents) and nested under `error` (as the live API sends them, which is what
 * makes the official SDKs raise it), then `response.failed` carrying the error, which Codex CLI
 * reports.
 */
export async function* renderResponsesStream(
  events: AsyncIterable<ChatEvent>,
  context: ResponsesRenderContext,
  options: ResponsesStreamOptions = {},
): AsyncGenerator<string> {
  let sequenceNumber = 0;
  const frame = (type: string, payload: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...payload, sequence_number: sequenceNumber++ })}\n\n`;

  let model = '';
  let started = false;
  const output: ResponsesOutputItem[] = [];
  let message: OpenMessage | undefined;
  let reasoning: OpenReasoning | undefined;
  const functionCalls = new Map<number, OpenFunctionCall>();
  let finishReason: FinishReason | undefined;
  let usage: Usage | undefined;

  const snapshot = (status: 'in_progress'): object =>
    buildResponsesResponseObject(context, { model, status, output: [], usage: undefined });

  function* start(upstreamModel: string): Generator<string> {
    started = true;
    model = upstreamModel;
    yield frame('response.created', { response: snapshot('in_progress') });
    yield frame('response.in_progress', { response: snapshot('in_progress') });
  }

  function* addItem(item: ResponsesOutputItem): Generator<string, number> {
    const outputIndex = output.push(item) - 1;
    yield frame('response.output_item.added', { output_index: outputIndex, item });
    return outputIndex;
  }

  function* closeMessage(status: 'completed' | 'incomplete'): Generator<string> {
    if (message === undefined) return;
    const { item, outputIndex, part } = message;
    message = undefined;
    const location = { item_id: item.id, output_index: outputIndex, content_index: 0 };
    yield frame('response.output_text.done', { ...location, text: part.text, logprobs: [] });
    item.content = [part];
    yield frame('response.content_part.done', { ...location, part });
    item.status = status;
    yield frame('response.output_item.done', { output_index: outputIndex, item });
  }

  function* closeReasoning(status: 'completed' | 'incomplete'): Generator<string> {
    if (reasoning === undefined) return;
    const { item, outputIndex, summaryText } = reasoning;
    reasoning = undefined;
    if (summaryText !== undefined) {
      const location = { item_id: item.id, output_index: outputIndex, summary_index: 0 };
      yield frame('response.reasoning_summary_text.done', { ...location, text: summaryText });
      const part = { type: 'summary_text', text: summaryText } as const;
      item.summary = [part];
      yield frame('response.reasoning_summary_part.done', { ...location, part });
    }
    item.status = status;
    yield frame('response.output_item.done', { output_index: outputIndex, item });
  }

  function* closeFunctionCalls(status: 'completed' | 'incomplete'): Generator<string> {
    for (const { item, outputIndex, heldArguments } of functionCalls.values()) {
      const location = { item_id: item.id, output_index: outputIndex };
      if (item.type === 'custom_tool_call') {
        item.input = unwrapCustomToolInput(heldArguments);
        if (item.input !== '') yield frame('response.custom_tool_call_input.delta', { ...location, delta: item.input });
        yield frame('response.custom_tool_call_input.done', { ...location, input: item.input });
      } else {
        yield frame('response.function_call_arguments.done', { ...location, name: item.name, arguments: item.arguments });
      }
      item.status = status;
      yield frame('response.output_item.done', { output_index: outputIndex, item });
    }
    functionCalls.clear();
  }

  function* closeAll(status: 'completed' | 'incomplete'): Generator<string> {
    yield* closeReasoning(status);
    yield* closeMessage(status);
    yield* closeFunctionCalls(status);
  }

  function* openReasoning(): Generator<string, OpenReasoning> {
    const item: ResponsesOutputReasoning = { type: 'reasoning', id: newResponsesId('rs'), summary: [] };
    const outputIndex = yield* addItem(item);
    reasoning = { item, outputIndex, summaryText: undefined };
    return reasoning;
  }

  try {
    for await (const event of events) {
      if (!started) yield* start(event.type === 'response-start' ? event.model : '');
      switch (event.type) {
        case 'response-start':
          break;
        case 'text-delta': {
          if (event.text === '') break;
          yield* closeReasoning('completed');
          if (message === undefined) {
            const item: ResponsesOutputMessage = { type: 'message', id: newResponsesId('msg'), status: 'in_progress', role: 'assistant', content: [] };
            const outputIndex = yield* addItem(item);
            const part: ResponsesOutputText = { type: 'output_text', text: '', annotations: [], logprobs: [] };
            message = { item, outputIndex, part };
            yield frame('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part });
          }
          message.part.text += event.text;
          yield frame('response.output_text.delta', {
            item_id: message.item.id,
            output_index: message.outputIndex,
            content_index: 0,
            delta: event.text,
            logprobs: [],
          });
          break;
        }
        case 'reasoning-delta': {
          if (event.text === '' && event.signature === undefined) break;
          yield* closeMessage('completed');
          // A signed block is finished: more reasoning text starts another item.
          if (reasoning !== undefined && (event.text !== '' || event.signature !== undefined) && reasoning.item.encrypted_content !== undefined) yield* closeReasoning('completed');
          const open = reasoning ?? (yield* openReasoning());
          if (event.text !== '') {
            const location = { item_id: open.item.id, output_index: open.outputIndex, summary_index: 0 };
            if (open.summaryText === undefined) {
              open.summaryText = '';
              yield frame('response.reasoning_summary_part.added', { ...location, part: { type: 'summary_text', text: '' } });
            }
            open.summaryText += event.text;
            yield frame('response.reasoning_summary_text.delta', { ...location, delta: event.text });
          }
          if (event.signature !== undefined) open.item.encrypted_content = event.signature;
          break;
        }
        case 'tool-call-start': {
          yield* closeReasoning('completed');
          yield* closeMessage('completed');
          const item: ResponsesOutputFunctionCall | ResponsesOutputCustomToolCall = context.customToolNames?.has(event.name)
            ? { type: 'custom_tool_call', id: newResponsesId('ctc'), call_id: event.id, ...clientToolName(event.name, context.namespacedTools), input: '', status: 'in_progress' }
            : { type: 'function_call', id: newResponsesId('fc'), call_id: event.id, ...clientToolName(event.name, context.namespacedTools), arguments: '', status: 'in_progress' };
          const outputIndex = yield* addItem(item);
          functionCalls.set(event.index, { item, outputIndex, heldArguments: '' });
          break;
        }
        case 'tool-call-delta': {
          const call = functionCalls.get(event.index);
          if (call === undefined || event.argumentsDelta === '') break;
          if (call.item.type === 'custom_tool_call') {
            call.heldArguments += event.argumentsDelta;
            break;
          }
          call.item.arguments += event.argumentsDelta;
          yield frame('response.function_call_arguments.delta', {
            item_id: call.item.id,
            output_index: call.outputIndex,
            delta: event.argumentsDelta,
          });
          break;
        }
        case 'finish':
          finishReason = event.finishReason;
          yield* closeAll(event.finishReason === 'length' || event.finishReason === 'content-filter' ? 'incomplete' : 'completed');
          break;
        case 'usage':
          usage = event.usage;
          break;
        default:
          throw unexpectedCanonicalType(event, 'chat event');
      }
    }
  } catch (error) {
    if (!started) throw error;
    const { error: body } = renderOpenAIError(error).body;
    const code = typeof body.code === 'string' ? body.code : body.code === null ? null : String(body.code);
    yield frame('error', { code, message: body.message, param: body.param, error: body });
    const failed = buildResponsesResponseObject(context, {
      model,
      status: 'failed',
      output,
      usage,
      error: { code: code ?? 'server_error', message: body.message },
    });
    yield frame('response.failed', { response: failed });
    return;
  }

  if (!started) yield* start('');
  yield* closeAll('completed');
  const reason = finishReason ?? 'stop';
  const outcome = responsesOutcomeOf(reason);
  const final = buildResponsesResponseObject(context, {
    model,
    status: outcome.status,
    output,
    usage,
    error: outcome.error,
    incompleteDetails: outcome.incompleteDetails,
  });
  const eventType = outcome.status === 'completed' ? 'response.completed' : outcome.status === 'failed' ? 'response.failed' : 'response.incomplete';
  // Kept before the last frame is handed out: a consumer may stop iterating once it has it.
  options.onCompleted?.({
    id: context.responseId,
    model: final.model,
    created: context.createdAt,
    content: fromResponsesOutputItems(output),
    finishReason: reason,
    ...(usage === undefined ? {} : { usage }),
  });
  yield frame(eventType, { response: final });
}
