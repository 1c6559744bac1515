/**
 * @fileoverview Canonical chat request → Anthropic Messages request body.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatMessage, ChatRequest, ContentPart, ImageSource, ProviderOptions, ToolChoice, ToolResultPart } from '@llmproxy/connector-sdk';
import { forwardableProtocolExtras } from '../../canonical/forwardable-protocol-extras.js';
import { budgetTokensFromEffort } from '../../canonical/reasoning-budget.js';
import { redactedThinkingData } from '../../canonical/redacted-thinking-signature.js';
import type {
  AnthropicCacheControl,
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicImageSource,
  AnthropicMessageParam,
  AnthropicMessagesRequestBody,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
} from './anthropic-messages-wire-types.js';
import { cacheControlOf, reasoningOptionsOf, serverToolsOf, toolFieldsOf } from './anthropic-provider-options.js';

export interface AnthropicMessagesBodyOptions {
  /** The backend name, for error messages. */
  backendName: string;
  /** `max_tokens` when the request sets no output limit; Anthropic requires one. */
  defaultMaxTokens: number;
}

/** Anthropic's smallest thinking budget. */
const MINIMUM_THINKING_BUDGET = 1024;

/**
 * Builds the upstream body.
 *
 * - System messages, wherever they stand, become the top-level `system` (Anthropic has no
 *   system turns), in order.
 * - Tool messages (OpenAI style) become `tool_result` blocks of a user turn; consecutive turns
 *   of one role are merged into one, with tool results first, as Anthropic requires after a
 *   tool_use turn. Empty text is left out (Anthropic refuses empty text blocks).
 * - Reasoning goes back as `thinking` only with its signature (or as `redacted_thinking`):
 *   Anthropic refuses thinking it did not sign, and reasoning from another vendor has no
 *   Anthropic signature. Anthropic leaves earlier turns' thinking out of the context anyway.
 * - The output limit is the request's, else `defaultMaxTokens` (plus the thinking budget, which
 *   Anthropic counts inside `max_tokens`).
 * - Reasoning: an Anthropic client's own `thinking` and `output_config.effort` go back verbatim.
 *   From any other client, a budget or effort (via the canonical effort ↔ budget table) becomes
 *   `thinking: {type: "enabled", budget_tokens}`; a budget of 0 means no thinking, a request
 *   with neither gets the `medium` budget. A budget that does not fit below the client's own
 *   output limit is halved to fit (never below Anthropic's minimum of 1024).
 * - Extras from an Anthropic client are merged unchanged (canonical fields win); extras from
 *   any other protocol are refused by name. Image `detail` (an OpenAI resolution hint) has no
 *   Anthropic equivalent and is not sent.
 */
export function toAnthropicMessagesBody(request: ChatRequest, options: AnthropicMessagesBodyOptions): AnthropicMessagesRequestBody {
  const extras = forwardableProtocolExtras(request, 'anthropic-messages', options.backendName) ?? {};
  const context: ConversionContext = { backendName: options.backendName };
  const { system, messages } = toAnthropicMessages(request.messages, context);
  const body: AnthropicMessagesRequestBody = { ...extras, model: request.model, messages, max_tokens: options.defaultMaxTokens };
  delete body.stream;
  if (system !== undefined) body.system = system;

  const serverTools = serverToolsOf(request);
  if (request.tools !== undefined || serverTools.length > 0) body.tools = [...(request.tools ?? []).map((tool) => {
    const definition: AnthropicTool = { ...toolFieldsOf(tool), name: tool.name, input_schema: tool.parameters };
    if (tool.description !== undefined) definition.description = tool.description;
    if (tool.strict !== undefined) definition.strict = tool.strict;
    const cacheControl = cacheControlOf(tool);
    if (cacheControl !== undefined) definition.cache_control = cacheControl;
    return definition;
    // Server tools go back exactly as the Anthropic client declared them.
  }), ...(serverTools as unknown as AnthropicTool[])];
  const toolChoice = toAnthropicToolChoice(request.toolChoice, request.parallelToolCalls);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined) body.stop_sequences = request.stop;
  if (request.user !== undefined) body.metadata = { ...(isRecord(extras['metadata']) ? extras['metadata'] : {}), user_id: request.user };
  applyReasoningAndLimit(body, request, options, extras);
  if (request.stream) body.stream = true;
  return body;
}

/** The fields of a Messages body that Anthropic's count_tokens endpoint accepts. */
const COUNT_TOKENS_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config', 'mcp_servers'] as const;

/** The body for `POST /v1/messages/count_tokens`: a Messages body without its generation settings. */
export function toAnthropicCountTokensBody(request: ChatRequest, options: AnthropicMessagesBodyOptions): Record<string, unknown> {
  const full = toAnthropicMessagesBody({ ...request, stream: false }, options);
  const body: Record<string, unknown> = {};
  for (const field of COUNT_TOKENS_FIELDS) if (full[field] !== undefined) body[field] = full[field];
  return body;
}

interface ConversionContext {
  backendName: string;
}

function applyReasoningAndLimit(
  body: AnthropicMessagesRequestBody,
  request: ChatRequest,
  options: AnthropicMessagesBodyOptions,
  extras: Record<string, unknown>,
): void {
  const clientLimit = request.maxOutputTokens;
  body.max_tokens = clientLimit ?? options.defaultMaxTokens;
  const reasoning = request.reasoning;
  if (reasoning === undefined) return;

  const hint = reasoningOptionsOf(request);
  if (hint !== undefined) {
    if (hint.thinking !== undefined) body.thinking = hint.thinking as AnthropicMessagesRequestBody['thinking'] & object;
    if (hint.effort !== undefined) body.output_config = { ...(isRecord(extras['output_config']) ? extras['output_config'] : {}), effort: hint.effort };
    return;
  }

  let budget = reasoning.budgetTokens ?? budgetTokensFromEffort(reasoning.effort ?? 'medium');
  if (budget <= 0) return;
  budget = Math.max(budget, MINIMUM_THINKING_BUDGET);
  if (clientLimit === undefined) {
    body.max_tokens = options.defaultMaxTokens + budget;
  } else if (budget >= clientLimit) {
    if (clientLimit <= MINIMUM_THINKING_BUDGET) {
      throw new LlmProxyError({
        code: 'REQUEST_NOT_TRANSLATABLE',
        message:
          `The request asks for reasoning with an output limit of ${clientLimit} tokens, which Anthropic cannot honour: ` +
          `its thinking budget must be at least ${MINIMUM_THINKING_BUDGET} tokens and below max_tokens (backend ${options.backendName})`,
        fix: `Raise the output token limit above ${MINIMUM_THINKING_BUDGET}, or leave out the reasoning setting`,
        httpStatus: 400,
        details: { fields: ['reasoning', 'max_tokens'], to: 'anthropic-messages', backend: options.backendName },
      });
    }
    budget = Math.max(MINIMUM_THINKING_BUDGET, Math.floor(clientLimit / 2));
  }
  body.thinking = { type: 'enabled', budget_tokens: budget };
}

function toAnthropicMessages(
  messages: readonly ChatMessage[],
  context: ConversionContext,
): { system: string | AnthropicTextBlock[] | undefined; messages: AnthropicMessageParam[] } {
  const systemBlocks: AnthropicTextBlock[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; content: AnthropicContentBlock[] }> = [];

  messages.forEach((message, messageIndex) => {
    if (message.name !== undefined) {
      throw notTranslatable(`messages[${messageIndex}].name`, 'a participant name, which Anthropic messages do not have', context);
    }
    let role: 'user' | 'assistant';
    let content: AnthropicContentBlock[];
    switch (message.role) {
      case 'system':
        message.content.forEach((part, partIndex) => {
          if (part.type !== 'text') throw unsupportedPart(messageIndex, partIndex, part, 'system', context);
          if (part.text !== '') systemBlocks.push(textBlock(part.text, part));
        });
        return;
      case 'user':
      case 'tool':
        role = 'user';
        content = message.content.flatMap((part, partIndex) => userBlocks(part, messageIndex, partIndex, message.role === 'tool' ? 'tool' : 'user', context));
        break;
      case 'assistant':
        role = 'assistant';
        content = message.content.flatMap((part, partIndex) => assistantBlocks(part, messageIndex, partIndex, context));
        break;
    }
    if (content.length === 0) return;
    const previous = turns.at(-1);
    if (previous !== undefined && previous.role === role) previous.content.push(...content);
    else turns.push({ role, content });
  });

  for (const turn of turns) {
    if (turn.role === 'user') {
      // Tool results must lead the turn that answers a tool_use turn.
      turn.content = [...turn.content.filter((block) => block.type === 'tool_result'), ...turn.content.filter((block) => block.type !== 'tool_result')];
    }
  }
  const plainSystem = systemBlocks.length === 1 && systemBlocks[0]!.cache_control === undefined;
  return {
    system: systemBlocks.length === 0 ? undefined : plainSystem ? systemBlocks[0]!.text : systemBlocks,
    messages: turns,
  };
}

function userBlocks(
  part: ContentPart,
  messageIndex: number,
  partIndex: number,
  role: 'user' | 'tool',
  context: ConversionContext,
): AnthropicContentBlock[] {
  switch (part.type) {
    case 'text':
      return part.text === '' ? [] : [textBlock(part.text, part)];
    case 'image':
      return [withCacheControl({ type: 'image', source: toImageSource(part.source) }, part)];
    case 'tool-result':
      return [toolResultBlock(part, messageIndex, partIndex, context)];
    default:
      throw unsupportedPart(messageIndex, partIndex, part, role, context);
  }
}

function assistantBlocks(part: ContentPart, messageIndex: number, partIndex: number, context: ConversionContext): AnthropicContentBlock[] {
  switch (part.type) {
    case 'text':
      return part.text === '' ? [] : [textBlock(part.text, part)];
    case 'reasoning': {
      const redacted = part.redactedData ?? redactedThinkingData(part.signature);
      if (redacted !== undefined) return [{ type: 'redacted_thinking', data: redacted }];
      if (part.signature === undefined || part.signature === '') return [];
      return [{ type: 'thinking', thinking: part.text, signature: part.signature }];
    }
    case 'tool-call':
      return [withCacheControl({ type: 'tool_use', id: part.id, name: part.name, input: toolInput(part.arguments, messageIndex, partIndex, context) }, part)];
    default:
      throw unsupportedPart(messageIndex, partIndex, part, 'assistant', context);
  }
}

function toolResultBlock(part: ToolResultPart, messageIndex: number, partIndex: number, context: ConversionContext): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: part.toolCallId };
  const items = part.content.flatMap((item, itemIndex): Array<AnthropicTextBlock | AnthropicImageBlock> => {
    if (item.type === 'text') return item.text === '' ? [] : [textBlock(item.text, item)];
    if (item.type === 'image') return [withCacheControl<AnthropicImageBlock>({ type: 'image', source: toImageSource(item.source) }, item)];
    throw unsupportedPart(messageIndex, partIndex, item, `tool result (content[${itemIndex}])`, context);
  });
  const only = items[0];
  if (items.length === 1 && only?.type === 'text' && only.cache_control === undefined) block.content = only.text;
  else if (items.length > 0) block.content = items;
  if (part.isError === true) block.is_error = true;
  return withCacheControl(block, part);
}

function toolInput(argumentsText: string, messageIndex: number, partIndex: number, context: ConversionContext): Record<string, unknown> {
  if (argumentsText.trim() === '') return {};
  let input: unknown;
  try {
    input = JSON.parse(argumentsText);
  } catch {
    input = undefined;
  }
  if (!isRecord(input)) {
    throw notTranslatable(
      `messages[${messageIndex}].content[${partIndex}].arguments`,
      'tool-call arguments that are not a JSON object, which Anthropic tool_use.input must be',
      context,
    );
  }
  return input;
}

function toAnthropicToolChoice(choice: ToolChoice | undefined, parallelToolCalls: boolean | undefined): AnthropicToolChoice | undefined {
  const disableParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallelToolCalls === false ? { type: 'auto', ...disableParallel } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...disableParallel };
  if (choice === 'required') return { type: 'any', ...disableParallel };
  return { type: 'tool', name: choice.name, ...disableParallel };
}

function toImageSource(source: ImageSource): AnthropicImageSource {
  return source.type === 'base64' ? { type: 'base64', media_type: source.mediaType, data: source.data } : { type: 'url', url: source.url };
}

function textBlock(text: string, part: { providerOptions?: ProviderOptions }): AnthropicTextBlock {
  return withCacheControl({ type: 'text', text }, part);
}

function withCacheControl<T extends AnthropicContentBlock>(block: T, part: { providerOptions?: ProviderOptions }): T {
  const cacheControl = cacheControlOf(part);
  if (cacheControl !== undefined) (block as { cache_control?: AnthropicCacheControl }).cache_control = cacheControl;
  return block;
}

function unsupportedPart(messageIndex: number, partIndex: number, part: ContentPart, role: string, context: ConversionContext): LlmProxyError {
  return notTranslatable(`messages[${messageIndex}].content[${partIndex}]`, `a ${part.type} part in a ${role} message`, context);
}

function notTranslatable(field: string, what: string, context: ConversionContext): LlmProxyError {
  return new LlmProxyError({
    code: 'REQUEST_NOT_TRANSLATABLE',
    message: `The request field \`${field}\` (${what}) cannot be sent to Anthropic Messages (backend ${context.backendName})`,
    fix: 'Remove that content from the request, or use a backend whose API supports it',
    httpStatus: 400,
    details: { fields: [field], to: 'anthropic-messages', backend: context.backendName },
  });
}
