/**
 * @fileoverview Canonical answer content ⇄ Responses output items (`message` with
 * `output_text`, `function_call`, `reasoning`).
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { ChatResponse, ReasoningPart } from '@llmproxy/connector-sdk';
import { unwrapCustomToolInput, wrapCustomToolInput } from './custom-tools.js';
import { clientToolName, type NamespacedTools } from './namespace-tools.js';
import { decodeRedactedReasoning, encodeRedactedReasoning } from './redacted-reasoning.js';
import { newResponsesId } from './responses-item-ids.js';
import type { ResponsesOutputItem, ResponsesOutputMessage, ResponsesOutputReasoning } from './responses-wire-types.js';

type AnswerContent = ChatResponse['content'];

/**
 * Consecutive text parts share one message item; each reasoning part and each tool call is an
 * item of its own. A reasoning part's signature (or redacted data) becomes `encrypted_content`,
 * which the client sends back on its next turn. Calls of `customToolNames` become
 * `custom_tool_call` items with their free-form input. A call of a flattened namespace function
 * (see namespace-tools.ts) names the function and its namespace as the client declared them.
 */
export function toResponsesOutputItems(
  content: AnswerContent,
  status: 'completed' | 'incomplete' = 'completed',
  customToolNames: ReadonlySet<string> = new Set(),
  namespacedTools?: NamespacedTools,
): ResponsesOutputItem[] {
  const items: ResponsesOutputItem[] = [];
  let message: ResponsesOutputMessage | undefined;
  for (const part of content) {
    if (part.type === 'text') {
      if (message === undefined) {
        message = { type: 'message', id: newResponsesId('msg'), status, role: 'assistant', content: [] };
        items.push(message);
      }
      message.content.push({ type: 'output_text', text: part.text, annotations: [], logprobs: [] });
      continue;
    }
    message = undefined;
    if (part.type === 'reasoning') items.push(toReasoningItem(part));
    else if (customToolNames.has(part.name)) {
      items.push({ type: 'custom_tool_call', id: newResponsesId('ctc'), call_id: part.id, ...clientToolName(part.name, namespacedTools), input: unwrapCustomToolInput(part.arguments), status });
    } else items.push({ type: 'function_call', id: newResponsesId('fc'), call_id: part.id, ...clientToolName(part.name, namespacedTools), arguments: part.arguments, status });
  }
  return items;
}

function toReasoningItem(part: ReasoningPart): ResponsesOutputReasoning {
  const item: ResponsesOutputReasoning = {
    type: 'reasoning',
    id: newResponsesId('rs'),
    summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }],
  };
  if (part.redactedData !== undefined) item.encrypted_content = encodeRedactedReasoning(part.redactedData);
  else if (part.signature !== undefined) item.encrypted_content = part.signature;
  return item;
}

/**
 * Output items → canonical content. A reasoning item's summary parts (or, from open models,
 * its reasoning text) join with blank lines; a refusal reads as text; a custom tool call is a
 * call of its stand-in function. Items of other types
 * (hosted tool calls) have no canonical form and are reported through `onUnknownItem`.
 */
export function fromResponsesOutputItems(items: readonly unknown[], onUnknownItem?: (type: string) => void): AnswerContent {
  const content: AnswerContent = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    switch (item['type']) {
      case 'message':
        for (const part of Array.isArray(item['content']) ? item['content'] : []) {
          if (!isRecord(part)) continue;
          if (part['type'] === 'output_text' && typeof part['text'] === 'string') content.push({ type: 'text', text: part['text'] });
          else if (part['type'] === 'refusal' && typeof part['refusal'] === 'string') content.push({ type: 'text', text: part['refusal'] });
        }
        break;
      case 'function_call':
        content.push({
          type: 'tool-call',
          id: String(item['call_id'] ?? item['id'] ?? ''),
          name: String(item['name'] ?? ''),
          arguments: typeof item['arguments'] === 'string' ? item['arguments'] : '',
        });
        break;
      case 'custom_tool_call':
        content.push({
          type: 'tool-call',
          id: String(item['call_id'] ?? item['id'] ?? ''),
          name: String(item['name'] ?? ''),
          arguments: wrapCustomToolInput(typeof item['input'] === 'string' ? item['input'] : ''),
        });
        break;
      case 'reasoning':
        content.push(fromReasoningItem(item));
        break;
      default:
        onUnknownItem?.(String(item['type']));
    }
  }
  return content;
}

/** The text of a reasoning item: its summaries, or its reasoning text when it has no summary. */
export function reasoningTextOf(item: Record<string, unknown>): string {
  const texts = (entries: unknown): string[] =>
    Array.isArray(entries) ? entries.filter(isRecord).map((entry) => (typeof entry['text'] === 'string' ? entry['text'] : '')) : [];
  const summary = texts(item['summary']);
  return (summary.length > 0 ? summary : texts(item['content'])).join('\n\n');
}

function fromReasoningItem(item: Record<string, unknown>): ReasoningPart {
  const part: ReasoningPart = { type: 'reasoning', text: reasoningTextOf(item) };
  const encrypted = item['encrypted_content'];
  if (typeof encrypted === 'string' && encrypted !== '') {
    const redacted = decodeRedactedReasoning(encrypted);
    if (redacted !== undefined) part.redactedData = redacted;
    else part.signature = encrypted;
  }
  return part;
}
