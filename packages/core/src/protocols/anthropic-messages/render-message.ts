/**
 * @fileoverview Canonical chat response → Anthropic `message` object.
 */
import { randomUUID } from 'node:crypto';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatResponse, ProtocolExtras, ToolCallPart } from '@llmproxy/connector-sdk';
import { redactedThinkingData } from '../../canonical/redacted-thinking-signature.js';
import type { AnthropicMessage, AnthropicResponseBlock, AnthropicStopReason } from './anthropic-messages-wire-types.js';
import { fromAnthropicStopReason, toAnthropicStopReason } from './anthropic-stop-reason.js';
import { toAnthropicUsage } from './anthropic-usage.js';
import { unexpectedCanonicalType } from '../../canonical/invalid-chat-stream.js';

/**
 * Text becomes text blocks, reasoning thinking blocks (with an empty signature when the upstream
 * gave none, as OpenAI-compatible reasoning never has one) or redacted thinking blocks, tool
 * calls tool_use blocks with their arguments parsed into `input`. An answer from an Anthropic
 * upstream gets back its exact stop reason, stop sequence, cache-write count and any other
 * top-level field from its extras.
 */
export function renderMessage(response: ChatResponse): AnthropicMessage {
  const content: AnthropicResponseBlock[] = response.content.map((part): AnthropicResponseBlock => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'reasoning': {
        const redacted = part.redactedData ?? redactedThinkingData(part.signature);
        if (redacted !== undefined) return { type: 'redacted_thinking', data: redacted };
        return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
      }
      case 'tool-call':
        return { type: 'tool_use', id: part.id, name: part.name, input: toolInput(part) };
      default:
        throw unexpectedCanonicalType(part, 'content part');
    }
  });
  const hasToolCalls = content.some((block) => block.type === 'tool_use');
  const anthropic = anthropicExtras(response.protocolExtras);
  const matchedSequence = response.finishReason === 'stop' ? response.stopSequence : undefined;
  const stopReason =
    exactStopReason(anthropic, response.finishReason) ?? (matchedSequence === undefined ? toAnthropicStopReason(response.finishReason, hasToolCalls) : 'stop_sequence');
  const message: AnthropicMessage = {
    id: anthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? exactStopSequence(anthropic) ?? matchedSequence ?? null : null,
    usage: toAnthropicUsage(response.usage, cacheCreationInputTokens(anthropic)),
  };
  // Top-level fields of an Anthropic upstream's message that the canonical model lacks (e.g. `container`).
  for (const [key, value] of Object.entries(anthropic ?? {})) {
    if (!(key in message) && !RESTORED_EXTRAS.has(key)) message[key] = value;
  }
  return message;
}

/** Extras already restored into their own fields. */
const RESTORED_EXTRAS: ReadonlySet<string> = new Set(['stop_reason', 'stop_sequence', 'usage']);

/** Anthropic message ids start with `msg_`; other upstreams' ids get the prefix. */
export function anthropicMessageId(id: string): string {
  if (id === '') return `msg_${randomUUID().replaceAll('-', '')}`;
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/** The fields an Anthropic upstream left in the response's extras, or undefined for another upstream. */
export function anthropicExtras(extras: ProtocolExtras | undefined): Record<string, unknown> | undefined {
  return extras?.protocol === 'anthropic-messages' ? extras.fields : undefined;
}

/** Prompt tokens an Anthropic upstream wrote to its cache, from the usage it reported. */
export function cacheCreationInputTokens(anthropic: Record<string, unknown> | undefined): number {
  const usage = anthropic?.['usage'];
  if (typeof usage !== 'object' || usage === null) return 0;
  const tokens = (usage as { cache_creation_input_tokens?: unknown }).cache_creation_input_tokens;
  return typeof tokens === 'number' ? tokens : 0;
}

/** The upstream's own stop reason, when it is one the canonical finish reason stands for. */
function exactStopSequence(anthropic: Record<string, unknown> | undefined): string | undefined {
  const sequence = anthropic?.['stop_sequence'];
  return typeof sequence === 'string' ? sequence : undefined;
}

function exactStopReason(anthropic: Record<string, unknown> | undefined, finishReason: ChatResponse['finishReason']): AnthropicStopReason | undefined {
  const reason = anthropic?.['stop_reason'];
  if (typeof reason !== 'string' || fromAnthropicStopReason(reason) !== finishReason) return undefined;
  return reason as AnthropicStopReason;
}

function toolInput(part: ToolCallPart): unknown {
  if (part.arguments.trim() === '') return {};
  try {
    return JSON.parse(part.arguments);
  } catch {
    throw new LlmProxyError({
      code: 'UPSTREAM_INVALID_RESPONSE',
      message: `The upstream answered with tool call ${part.id} (${part.name}) whose arguments are not valid JSON, which an Anthropic tool_use block cannot carry`,
      currentValue: part.arguments.slice(0, 200),
      fix: 'Retry the request; if it keeps happening, use a model that produces valid tool arguments',
      httpStatus: 502,
      details: { toolCallId: part.id },
    });
  }
}
