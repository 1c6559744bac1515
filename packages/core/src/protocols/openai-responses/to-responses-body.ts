/**
 * @fileoverview Canonical chat request → OpenAI Responses request body, for connectors whose
 * upstream speaks the Responses API.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatMessage, ChatRequest, ImagePart, ImageSource, TextPart, ToolChoice } from '@llmproxy/connector-sdk';
import { forwardableProtocolExtras } from '../../canonical/forwardable-protocol-extras.js';
import { effortFromBudgetTokens } from '../../canonical/reasoning-budget.js';
import { responsesRequestHintsOf } from './responses-request-hints.js';
import type {
  ResponsesFunctionCallOutputItem,
  ResponsesInputImage,
  ResponsesInputItem,
  ResponsesInputText,
  ResponsesRequestBody,
  ResponsesToolChoice,
} from './responses-wire-types.js';

export interface ResponsesBodyOptions {
  /** The backend name, for error messages. */
  backendName: string;
  /**
   * Sent when the client did not say (a Responses client's own `store` and `include` win).
   * Defaults: `store: false`, since llmproxy keeps conversations itself, and `include:
   * ['reasoning.encrypted_content']`, so reasoning state comes back with the answer and can
   * be returned on the next turn without server-side storage.
   */
  defaults?: Readonly<Record<string, unknown>>;
}

const DEFAULT_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({
  store: false,
  include: Object.freeze(['reasoning.encrypted_content']),
});

/**
 * Builds the upstream body. Leading system messages become `instructions`; later ones become
 * `developer` messages in place. Assistant turns become their items in order (reasoning with
 * its signature as `encrypted_content`, text as an output message, tool calls as
 * `function_call`); tool results become `function_call_output`. Reasoning without a signature
 * is left out: the Responses API accepts reasoning only as the opaque state it issued.
 *
 * Extras and hints from a Responses client are merged unchanged (canonical fields win on a
 * clash, `reasoning` and `text` objects merge); extras from any other protocol are refused by
 * name, and so is `stop`, which the Responses API does not have.
 */
export function toResponsesBody(request: ChatRequest, options: ResponsesBodyOptions): ResponsesRequestBody {
  const extras = forwardableProtocolExtras(request, 'openai-responses', options.backendName) ?? {};
  const hints = responsesRequestHintsOf(request) ?? {};
  if (request.stop !== undefined && request.stop.length > 0) {
    throw notTranslatable('stop', 'stop sequences (the Responses API has none)', options.backendName);
  }
  const { instructions, input } = toResponsesInput(request.messages, options.backendName);
  const body: ResponsesRequestBody = {
    ...(options.defaults ?? DEFAULT_FIELDS),
    ...hints,
    ...extras,
    model: request.model,
    input,
  };
  const reasoning = mergedObject(hints['reasoning'], extras['reasoning']);
  const text = mergedObject(hints['text'], extras['text']);
  if (instructions !== undefined) body.instructions = instructions;
  // Hosted tools a Responses client declared ride with the hints, as it sent them.
  const hostedTools = Array.isArray(hints['tools']) ? (hints['tools'] as ResponsesRequestBody['tools'] & unknown[]) : [];
  if (request.tools !== undefined || hostedTools.length > 0) {
    body.tools = [
      ...(request.tools ?? []).map((tool) => ({
        type: 'function' as const,
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      })),
      ...hostedTools,
    ];
  }
  if (request.toolChoice !== undefined) body.tool_choice = toResponsesToolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.maxOutputTokens !== undefined) body.max_output_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.user !== undefined) body.user = request.user;
  const effort =
    request.reasoning?.effort ??
    (request.reasoning?.budgetTokens === undefined ? undefined : effortFromBudgetTokens(request.reasoning.budgetTokens));
  if (effort !== undefined) reasoning['effort'] = effort;
  if (Object.keys(reasoning).length > 0) body.reasoning = reasoning;
  else delete body.reasoning;
  if (Object.keys(text).length > 0) body['text'] = text;
  else delete body['text'];
  if (request.stream) body.stream = true;
  else delete body.stream;
  return body;
}

function toResponsesInput(messages: readonly ChatMessage[], backendName: string): { instructions: string | undefined; input: ResponsesInputItem[] } {
  const leadingSystem: string[] = [];
  let index = 0;
  for (; index < messages.length; index += 1) {
    const message = messages[index] as ChatMessage;
    if (message.role !== 'system') break;
    leadingSystem.push(systemText(message, index, backendName));
  }
  const input: ResponsesInputItem[] = [];
  for (; index < messages.length; index += 1) {
    const message = messages[index] as ChatMessage;
    switch (message.role) {
      case 'system':
        input.push({ type: 'message', role: 'developer', content: systemText(message, index, backendName) });
        break;
      case 'user':
        appendUserMessage(input, message, index, backendName);
        break;
      case 'assistant':
        appendAssistantMessage(input, message, index, backendName);
        break;
      case 'tool':
        message.content.forEach((part, partIndex) => {
          if (part.type !== 'tool-result') throw unsupportedPart(index, partIndex, part.type, 'tool', backendName);
          input.push(toFunctionCallOutput(part.toolCallId, part.content));
        });
        break;
    }
  }
  return { instructions: leadingSystem.length === 0 ? undefined : leadingSystem.join('\n\n'), input };
}

/** Tool results inside a user message (as Anthropic clients send them) come first, right after the calls they answer. */
function appendUserMessage(input: ResponsesInputItem[], message: ChatMessage, messageIndex: number, backendName: string): void {
  const content: Array<ResponsesInputText | ResponsesInputImage> = [];
  message.content.forEach((part, partIndex) => {
    switch (part.type) {
      case 'tool-result':
        input.push(toFunctionCallOutput(part.toolCallId, part.content));
        break;
      case 'text':
        content.push({ type: 'input_text', text: part.text });
        break;
      case 'image':
        content.push(toInputImage(part.source));
        break;
      default:
        throw unsupportedPart(messageIndex, partIndex, part.type, 'user', backendName);
    }
  });
  if (content.length > 0 || message.content.length === 0) input.push({ type: 'message', role: 'user', content });
}

function appendAssistantMessage(input: ResponsesInputItem[], message: ChatMessage, messageIndex: number, backendName: string): void {
  let texts: TextPart[] = [];
  const flushText = (): void => {
    if (texts.length === 0) return;
    input.push({ type: 'message', role: 'assistant', content: texts.map((text) => ({ type: 'output_text', text: text.text, annotations: [] })) });
    texts = [];
  };
  message.content.forEach((part, partIndex) => {
    switch (part.type) {
      case 'text':
        texts.push(part);
        break;
      case 'reasoning':
        flushText();
        if (part.signature !== undefined) {
          input.push({
            type: 'reasoning',
            summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }],
            encrypted_content: part.signature,
          });
        }
        break;
      case 'tool-call':
        flushText();
        input.push({ type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments });
        break;
      default:
        throw unsupportedPart(messageIndex, partIndex, part.type, 'assistant', backendName);
    }
  });
  flushText();
}

function toFunctionCallOutput(callId: string, content: Array<TextPart | ImagePart>): ResponsesFunctionCallOutputItem {
  if (content.every((part) => part.type === 'text')) {
    return { type: 'function_call_output', call_id: callId, output: content.map((part) => (part as TextPart).text).join('') };
  }
  return {
    type: 'function_call_output',
    call_id: callId,
    output: content.map((part) => (part.type === 'text' ? { type: 'input_text', text: part.text } : toInputImage(part.source))),
  };
}

function toInputImage(source: ImageSource): ResponsesInputImage {
  if (source.type === 'base64') return { type: 'input_image', image_url: `data:${source.mediaType};base64,${source.data}`, detail: 'auto' };
  return { type: 'input_image', image_url: source.url, detail: source.detail ?? 'auto' };
}

function systemText(message: ChatMessage, messageIndex: number, backendName: string): string {
  return message.content
    .map((part, partIndex) => {
      if (part.type !== 'text') throw unsupportedPart(messageIndex, partIndex, part.type, 'system', backendName);
      return part.text;
    })
    .join('\n\n');
}

function toResponsesToolChoice(choice: ToolChoice): ResponsesToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

function mergedObject(...values: unknown[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const value of values) if (isRecord(value)) Object.assign(merged, value);
  return merged;
}

function unsupportedPart(messageIndex: number, partIndex: number, type: string, role: string, backendName: string): LlmProxyError {
  return notTranslatable(`messages[${messageIndex}].content[${partIndex}]`, `a ${type} part in a ${role} message`, backendName);
}

function notTranslatable(field: string, what: string, backendName: string): LlmProxyError {
  return new LlmProxyError({
    code: 'REQUEST_NOT_TRANSLATABLE',
    message: `The request field \`${field}\` (${what}) cannot be sent to the OpenAI Responses API (backend ${backendName})`,
    fix: 'Remove that content from the request, or use a backend whose API supports it',
    httpStatus: 400,
    details: { fields: [field], to: 'openai-responses', backend: backendName },
  });
}
