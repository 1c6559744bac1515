/**
 * @fileoverview Anthropic `message` response body → canonical chat response.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatResponse } from '@llmproxy/connector-sdk';
import { fromAnthropicStopReason } from './anthropic-stop-reason.js';
import { fromAnthropicUsage } from './anthropic-usage.js';

const KNOWN_MESSAGE_FIELDS = new Set(['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'usage']);

/**
 * Reads a `message` object. Text, thinking (with its signature), redacted thinking and tool_use
 * blocks become canonical parts; a tool call's `input` becomes its JSON arguments. The exact
 * `stop_reason`, `stop_sequence` and `usage` (for the cache-write count, which canonical usage
 * lacks) stay in `anthropic-messages` extras so an Anthropic client gets them back, together with
 * any top-level field the canonical model does not describe. A block type llmproxy cannot carry
 * is an error rather than a silent gap in the answer.
 */
export function fromAnthropicMessage(body: unknown, backendName: string): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body['content'])) throw invalidAnthropicResponse(backendName, 'it has no content list');
  const content: ChatResponse['content'] = body['content'].map((block: unknown, index) => {
    if (!isRecord(block)) throw invalidAnthropicResponse(backendName, `content[${index}] is not an object`);
    switch (block['type']) {
      case 'text':
        return { type: 'text', text: stringOr(block['text'], '') };
      case 'thinking': {
        const signature = block['signature'];
        return typeof signature === 'string' && signature !== ''
          ? { type: 'reasoning', text: stringOr(block['thinking'], ''), signature }
          : { type: 'reasoning', text: stringOr(block['thinking'], '') };
      }
      case 'redacted_thinking':
        return { type: 'reasoning', text: '', redactedData: stringOr(block['data'], '') };
      case 'tool_use':
        return { type: 'tool-call', id: stringOr(block['id'], `toolu_${index}`), name: stringOr(block['name'], ''), arguments: JSON.stringify(block['input'] ?? {}) };
      default:
        throw untranslatableBlock(backendName, block['type']);
    }
  });

  const fields: Record<string, unknown> = {};
  for (const key in body) {
    if (KNOWN_MESSAGE_FIELDS.has(key) && key !== 'stop_reason' && key !== 'stop_sequence' && key !== 'usage') continue;
    if (body[key] !== null && body[key] !== undefined) fields[key] = body[key];
  }
  const response: ChatResponse = {
    id: stringOr(body['id'], ''),
    model: stringOr(body['model'], ''),
    created: Math.floor(Date.now() / 1000),
    content,
    finishReason: fromAnthropicStopReason(body['stop_reason']),
    protocolExtras: { protocol: 'anthropic-messages', fields },
  };
  if (typeof body['stop_sequence'] === 'string') response.stopSequence = body['stop_sequence'];
  if (isRecord(body['usage'])) response.usage = fromAnthropicUsage(body['usage']);
  return response;
}

export function invalidAnthropicResponse(backendName: string, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'UPSTREAM_INVALID_RESPONSE',
    message: `The upstream of backend ${backendName} answered with a response that is not a valid Anthropic Messages response: ${reason}`,
    fix: 'Check that the backend base_url points at the Anthropic API (without /v1)',
    httpStatus: 502,
    details: { backend: backendName },
  });
}

/** A content block type (server tools, citations, ...) that the canonical model cannot carry. */
export function untranslatableBlock(backendName: string, type: unknown): LlmProxyError {
  return new LlmProxyError({
    code: 'RESPONSE_NOT_TRANSLATABLE',
    message: `The upstream of backend ${backendName} answered with a content block of type ${JSON.stringify(type)}, which llmproxy cannot carry`,
    fix: 'Leave out the request features that produce such blocks (server tools such as web search or code execution)',
    httpStatus: 502,
    details: { backend: backendName, blockType: type },
  });
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
