/**
 * @fileoverview A complete chat response → the canonical events that would have streamed it,
 * for a client that asked for a stream from an upstream that answered in one piece.
 */
import type { ChatEvent, ChatResponse } from '@llmproxy/connector-sdk';
import { unexpectedCanonicalType } from './invalid-chat-stream.js';

/** The inverse of collectChatStream: one delta per content part, then finish and usage. */
export async function* replayChatResponse(response: ChatResponse): AsyncGenerator<ChatEvent> {
  yield {
    type: 'response-start',
    id: response.id,
    model: response.model,
    created: response.created,
    ...(response.protocolExtras === undefined ? {} : { protocolExtras: response.protocolExtras }),
  };
  let toolCallIndex = 0;
  for (const part of response.content) {
    switch (part.type) {
      case 'text':
        yield { type: 'text-delta', text: part.text };
        break;
      case 'reasoning':
        yield {
          type: 'reasoning-delta',
          text: part.text,
          ...(part.signature === undefined ? {} : { signature: part.signature }),
        };
        break;
      case 'tool-call': {
        const index = toolCallIndex++;
        yield { type: 'tool-call-start', index, id: part.id, name: part.name };
        if (part.arguments !== '') yield { type: 'tool-call-delta', index, argumentsDelta: part.arguments };
        break;
      }
      default:
        throw unexpectedCanonicalType(part, 'content part');
    }
  }
  yield {
    type: 'finish',
    finishReason: response.finishReason,
    ...(response.stopSequence === undefined ? {} : { stopSequence: response.stopSequence }),
  };
  if (response.usage !== undefined) yield { type: 'usage', usage: response.usage };
}
