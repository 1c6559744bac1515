/**
 * @fileoverview OpenAI Chat Completions response body → canonical chat response.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatResponse, ProtocolExtras } from '@llmproxy/connector-sdk';
import type { OpenAIChatCompletion, OpenAIUsage } from './openai-chat-wire-types.js';
import { fromOpenAIFinishReason } from './openai-finish-reason.js';
import { fromOpenAIUsage } from './openai-usage.js';

const KNOWN_COMPLETION_FIELDS = new Set(['id', 'object', 'created', 'model', 'choices', 'usage']);
const KNOWN_MESSAGE_FIELDS = new Set(['role', 'content', 'tool_calls', 'reasoning_content', 'reasoning']);

/**
 * Reads a `chat.completion` object. Fields the canonical model does not describe are kept as
 * `openai-chat` extras so an OpenAI client gets them back: top-level ones (e.g.
 * `system_fingerprint`) by name, and the message's own (e.g. `refusal`, `annotations`) as an
 * object under the key `message`. Null values carry nothing and are left out.
 */
export function fromOpenAIChatCompletion(body: unknown, backendName: string): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body['choices'])) throw invalidResponse(backendName, 'it has no choices array');
  const completion = body as unknown as OpenAIChatCompletion;
  const choice = completion.choices.find((candidate) => candidate.index === 0) ?? completion.choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) throw invalidResponse(backendName, 'its first choice has no message');
  const message = choice.message;

  const content: ChatResponse['content'] = [];
  const reasoning = stringOrUndefined(message.reasoning_content) ?? stringOrUndefined(message['reasoning']);
  if (reasoning !== undefined && reasoning !== '') content.push({ type: 'reasoning', text: reasoning });
  if (typeof message.content === 'string') {
    if (message.content !== '') content.push({ type: 'text', text: message.content });
  } else if (Array.isArray(message.content)) {
    for (const part of message.content) {
      if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') content.push({ type: 'text', text: part.text });
    }
  }
  for (const call of message.tool_calls ?? []) {
    if (!isRecord(call) || !isRecord(call.function)) continue;
    content.push({
      type: 'tool-call',
      id: String(call.id),
      name: String(call.function.name),
      arguments: typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments ?? {}),
    });
  }

  const response: ChatResponse = {
    id: String(completion.id ?? ''),
    model: String(completion.model ?? ''),
    created: typeof completion.created === 'number' ? completion.created : Math.floor(Date.now() / 1000),
    content,
    finishReason: fromOpenAIFinishReason(choice.finish_reason),
  };
  if (isRecord(completion.usage)) response.usage = fromOpenAIUsage(completion.usage as OpenAIUsage);
  const extras = completionExtras(completion, message);
  if (extras !== undefined) response.protocolExtras = extras;
  return response;
}

function completionExtras(completion: Record<string, unknown>, message: Record<string, unknown>): ProtocolExtras | undefined {
  let fields = unknownFields(completion, KNOWN_COMPLETION_FIELDS);
  const messageFields = unknownFields(message, KNOWN_MESSAGE_FIELDS);
  if (messageFields !== undefined) fields = { ...fields, message: messageFields };
  return fields === undefined ? undefined : { protocol: 'openai-chat', fields };
}

/** The non-null fields of `record` whose names are not in `known`, or undefined when none. */
export function unknownFields(record: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let fields: Record<string, unknown> | undefined;
  for (const key in record) {
    const value = record[key];
    if (known.has(key) || value === null || value === undefined) continue;
    (fields ??= {})[key] = value;
  }
  return fields;
}

export function invalidResponse(backendName: string, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'UPSTREAM_INVALID_RESPONSE',
    message: `The upstream of backend ${backendName} answered with a response that is not a valid Chat Completions response: ${reason}`,
    fix: 'Check that the backend base_url points at an OpenAI-compatible API',
    httpStatus: 502,
    details: { backend: backendName },
  });
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
