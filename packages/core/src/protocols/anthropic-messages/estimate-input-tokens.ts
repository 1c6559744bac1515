/**
 * @fileoverview A local estimate of a request's input tokens, for `count_tokens` requests whose
 * backend cannot count them itself.
 *
 * The heuristic: every character of text the model reads (system prompt, messages, reasoning,
 * tool-call names and arguments, tool results, and each tool definition serialised as JSON)
 * counts as 1/3.5 of a token, rounded up over the whole request; each message adds 3 tokens of
 * framing; each image adds 1,600 tokens (Anthropic's cost of an image at the about 1.15
 * megapixels it scales large images to). English prose averages about 4 characters per token,
 * so the estimate leans high, which is the safe side for a client deciding whether a prompt
 * still fits its context window. It is an estimate: real counts depend on the model's tokenizer.
 */
import type { ChatRequest, ContentPart } from '@llmproxy/connector-sdk';
import { unexpectedCanonicalType } from '../../canonical/invalid-chat-stream.js';

const CHARACTERS_PER_TOKEN = 3.5;
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_IMAGE = 1600;

export function estimateInputTokens(request: ChatRequest): number {
  let characters = 0;
  let fixedTokens = 0;
  const countPart = (part: ContentPart): void => {
    switch (part.type) {
      case 'text':
        characters += part.text.length;
        break;
      case 'image':
        fixedTokens += TOKENS_PER_IMAGE;
        break;
      case 'reasoning':
        characters += part.text.length;
        break;
      case 'tool-call':
        characters += part.name.length + part.arguments.length;
        break;
      case 'tool-result':
        for (const item of part.content) countPart(item);
        break;
      default:
        throw unexpectedCanonicalType(part, 'content part');
    }
  };
  for (const message of request.messages) {
    fixedTokens += TOKENS_PER_MESSAGE;
    for (const part of message.content) countPart(part);
  }
  for (const tool of request.tools ?? []) characters += JSON.stringify(tool).length;
  return fixedTokens + Math.ceil(characters / CHARACTERS_PER_TOKEN);
}
