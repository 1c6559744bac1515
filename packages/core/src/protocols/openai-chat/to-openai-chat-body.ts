/**
 * @fileoverview Canonical chat request → OpenAI Chat Completions request body.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  ImageSource,
  TextPart,
  ToolChoice,
  ToolResultPart,
} from '@llmproxy/connector-sdk';
import { forwardableProtocolExtras } from '../../canonical/forwardable-protocol-extras.js';
import { effortFromBudgetTokens } from '../../canonical/reasoning-budget.js';
import type {
  OpenAIChatMessage,
  OpenAIChatRequestBody,
  OpenAIContentPart,
  OpenAIToolCall,
  OpenAIToolChoice,
} from './openai-chat-wire-types.js';

export interface OpenAIChatBodyOptions {
  /** The backend name, for error messages. */
  backendName: string;
  /**
   * The parameter that carries the output token limit: OpenAI's own API wants
   * `max_completion_tokens` (its reasoning models refuse `max_tokens`); many OpenAI-compatible
   * servers only know `max_tokens`.
   */
  maxTokensParameter: 'max_completion_tokens' | 'max_tokens';
}

/**
 * Builds the upstream body. Extras from an OpenAI Chat client are merged unchanged (the
 * canonical fields win on a clash); extras from any other protocol are refused by name.
 * Prior reasoning is sent back as `reasoning_content` only when an OpenAI Chat client sent it
 * that way: Chat Completions has no field for reasoning from other protocols, and OpenAI's own
 * API rejects unknown message fields.
 */
export function toOpenAIChatBody(request: ChatRequest, options: OpenAIChatBodyOptions): OpenAIChatRequestBody {
  const extras = forwardableProtocolExtras(request, 'openai-chat', options.backendName);
  const context: ConversionContext = {
    backendName: options.backendName,
    keepReasoning: request.protocolExtras?.protocol === 'openai-chat',
  };
  const body: OpenAIChatRequestBody = { ...extras, model: request.model, messages: toOpenAIMessages(request.messages, context) };

  if (request.tools !== undefined) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    }));
  }
  if (request.toolChoice !== undefined) body.tool_choice = toOpenAIToolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.maxOutputTokens !== undefined) body[options.maxTokensParameter] = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.reasoning !== undefined) {
    const effort =
      request.reasoning.effort ??
      (request.reasoning.budgetTokens === undefined ? undefined : effortFromBudgetTokens(request.reasoning.budgetTokens));
    if (effort !== undefined) body.reasoning_effort = effort;
  }
  if (request.user !== undefined) body.user = request.user;
  if (request.stream) {
    body.stream = true;
    // Usage arrives only when asked for; the client's other stream options pass through.
    const clientStreamOptions = isRecord(extras?.['stream_options']) ? extras['stream_options'] : {};
    body.stream_options = { ...clientStreamOptions, include_usage: true };
  } else {
    delete body.stream;
    delete body.stream_options;
  }
  return body;
}

interface ConversionContext {
  backendName: string;
  keepReasoning: boolean;
}

function toOpenAIMessages(messages: readonly ChatMessage[], context: ConversionContext): OpenAIChatMessage[] {
  const result: OpenAIChatMessage[] = [];
  messages.forEach((message, messageIndex) => {
    switch (message.role) {
      case 'system':
        result.push(withName({ role: 'system', content: textContent(message, messageIndex, context) }, message));
        break;
      case 'user':
        appendUserMessage(result, message, messageIndex, context);
        break;
      case 'assistant':
        result.push(toAssistantMessage(message, messageIndex, context));
        break;
      case 'tool':
        message.content.forEach((part, partIndex) => {
          if (part.type !== 'tool-result') throw unsupportedPart(messageIndex, partIndex, part, 'tool', context);
          result.push(toToolMessage(part, messageIndex, partIndex, context));
        });
        break;
    }
  });
  return result;
}

/**
 * Tool results inside a user message (as Anthropic clients send them) become tool messages,
 * placed first because Chat Completions wants them right after the assistant's tool calls.
 */
function appendUserMessage(
  result: OpenAIChatMessage[],
  message: ChatMessage,
  messageIndex: number,
  context: ConversionContext,
): void {
  const parts: OpenAIContentPart[] = [];
  let onlyText = true;
  message.content.forEach((part, partIndex) => {
    switch (part.type) {
      case 'tool-result':
        result.push(toToolMessage(part, messageIndex, partIndex, context));
        break;
      case 'text':
        parts.push({ type: 'text', text: part.text });
        break;
      case 'image':
        onlyText = false;
        parts.push({ type: 'image_url', image_url: toImageUrl(part.source) });
        break;
      default:
        throw unsupportedPart(messageIndex, partIndex, part, 'user', context);
    }
  });
  if (parts.length === 0 && message.content.length > 0) return;
  const content = parts.length === 0 ? '' : onlyText && parts.length === 1 ? (parts[0] as { text: string }).text : parts;
  result.push(withName({ role: 'user', content }, message));
}

function toAssistantMessage(message: ChatMessage, messageIndex: number, context: ConversionContext): OpenAIChatMessage {
  const texts: string[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  let reasoning: string | undefined;
  message.content.forEach((part, partIndex) => {
    switch (part.type) {
      case 'text':
        texts.push(part.text);
        break;
      case 'tool-call':
        toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
        break;
      case 'reasoning':
        if (context.keepReasoning) reasoning = (reasoning ?? '') + part.text;
        break;
      default:
        throw unsupportedPart(messageIndex, partIndex, part, 'assistant', context);
    }
  });
  const assistant: OpenAIChatMessage = {
    role: 'assistant',
    content: texts.length === 0 ? (toolCalls.length > 0 ? null : '') : texts.length === 1 ? texts[0] : texts.map((text) => ({ type: 'text', text })),
  };
  if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
  if (reasoning !== undefined) assistant.reasoning_content = reasoning;
  return withName(assistant, message);
}

function toToolMessage(
  part: ToolResultPart,
  messageIndex: number,
  partIndex: number,
  context: ConversionContext,
): OpenAIChatMessage {
  const texts = part.content.map((item, itemIndex) => {
    if (item.type !== 'text') {
      throw notTranslatable(
        `messages[${messageIndex}].content[${partIndex}].content[${itemIndex}]`,
        'an image inside a tool result (Chat Completions tool messages carry text only)',
        context,
      );
    }
    return item.text;
  });
  // A tool result's error flag has no Chat Completions field; its text already says what failed.
  return {
    role: 'tool',
    tool_call_id: part.toolCallId,
    content: texts.length <= 1 ? (texts[0] ?? '') : texts.map((text) => ({ type: 'text', text })),
  };
}

function textContent(message: ChatMessage, messageIndex: number, context: ConversionContext): string | OpenAIContentPart[] {
  const texts = message.content.map((part, partIndex) => {
    if (part.type !== 'text') throw unsupportedPart(messageIndex, partIndex, part, message.role, context);
    return (part as TextPart).text;
  });
  if (texts.length === 0) return '';
  return texts.length === 1 ? (texts[0] as string) : texts.map((text) => ({ type: 'text', text }));
}

function toImageUrl(source: ImageSource): { url: string; detail?: 'auto' | 'low' | 'high' } {
  if (source.type === 'base64') return { url: `data:${source.mediaType};base64,${source.data}` };
  return source.detail === undefined ? { url: source.url } : { url: source.url, detail: source.detail };
}

function toOpenAIToolChoice(choice: ToolChoice): OpenAIToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function withName(target: OpenAIChatMessage, message: ChatMessage): OpenAIChatMessage {
  if (message.name !== undefined) target.name = message.name;
  return target;
}

function unsupportedPart(
  messageIndex: number,
  partIndex: number,
  part: ContentPart,
  role: string,
  context: ConversionContext,
): LlmProxyError {
  return notTranslatable(`messages[${messageIndex}].content[${partIndex}]`, `a ${part.type} part in a ${role} message`, context);
}

function notTranslatable(field: string, what: string, context: ConversionContext): LlmProxyError {
  return new LlmProxyError({
    code: 'REQUEST_NOT_TRANSLATABLE',
    message: `The request field \`${field}\` (${what}) cannot be sent to OpenAI Chat Completions (backend ${context.backendName})`,
    fix: 'Remove that content from the request, or use a backend whose API supports it',
    httpStatus: 400,
    details: { fields: [field], to: 'openai-chat', backend: context.backendName },
  });
}
