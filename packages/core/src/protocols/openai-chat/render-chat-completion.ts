/**
 * @fileoverview Canonical chat response → OpenAI `chat.completion` object.
 */
import type { ChatResponse } from '@llmproxy/connector-sdk';
import type { OpenAIChatCompletion, OpenAIToolCall } from './openai-chat-wire-types.js';
import { toOpenAIFinishReason } from './openai-finish-reason.js';
import { toOpenAIUsage } from './openai-usage.js';

/**
 * Text parts join into `content` (null when the answer is only tool calls), reasoning becomes
 * `reasoning_content` (the field OpenAI-compatible clients read; OpenAI's own SDK ignores it).
 * Extras from an OpenAI upstream come back where they were: top-level fields by name, the
 * message's own fields from the `message` extra.
 */
export function renderChatCompletion(response: ChatResponse): OpenAIChatCompletion {
  let text: string | undefined;
  let reasoning: string | undefined;
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of response.content) {
    if (part.type === 'text') text = (text ?? '') + part.text;
    else if (part.type === 'reasoning') reasoning = (reasoning ?? '') + part.text;
    else toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }
  const message: OpenAIChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: text ?? (toolCalls.length > 0 ? null : ''),
    refusal: null,
  };
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;

  const completion: OpenAIChatCompletion = {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(response.finishReason) }],
  };
  if (response.usage !== undefined) completion.usage = toOpenAIUsage(response.usage);
  const extras = response.protocolExtras;
  if (extras?.protocol === 'openai-chat') {
    for (const [key, value] of Object.entries(extras.fields)) {
      if (key === 'message') {
        if (typeof value === 'object' && value !== null) Object.assign(message, value);
      } else if (!(key in completion)) {
        completion[key] = value;
      }
    }
  }
  return completion;
}
