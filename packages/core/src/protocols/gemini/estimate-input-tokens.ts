/**
 * @fileoverview A rough count of the tokens a canonical request puts in front of a model, for
 * clients that ask before sending (Gemini `countTokens`) when the backend cannot count.
 */
import type { ChatRequest } from '@llmproxy/connector-sdk';
import { unexpectedCanonicalType } from '../../canonical/invalid-chat-stream.js';

/** Characters per token in English text and code for current tokenizers, on average. */
const CHARACTERS_PER_TOKEN = 4;
/** What Gemini charges for one image of up to 384 × 384 pixels; larger ones cost more. */
const TOKENS_PER_IMAGE = 258;

/**
 * Text, tool arguments, tool results and tool declarations count one token per four
 * characters; each image counts as one small image. An estimate, never an exact count.
 */
export function estimateInputTokens(request: ChatRequest): number {
  let characters = 0;
  let images = 0;
  for (const message of request.messages) {
    for (const part of message.content) {
      switch (part.type) {
        case 'text':
        case 'reasoning':
          characters += part.text.length;
          break;
        case 'image':
          images += 1;
          break;
        case 'tool-call':
          characters += part.name.length + part.arguments.length;
          break;
        case 'tool-result':
          for (const item of part.content) {
            if (item.type === 'text') characters += item.text.length;
            else images += 1;
          }
          break;
        default:
          throw unexpectedCanonicalType(part, 'content part');
      }
    }
  }
  for (const tool of request.tools ?? []) {
    characters += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters).length;
  }
  return Math.ceil(characters / CHARACTERS_PER_TOKEN) + images * TOKENS_PER_IMAGE;
}
