/**
 * @fileoverview Anthropic Messages request body → canonical chat request, with validation errors
 * that name the offending field the way Anthropic does (`messages.2.content.0.type: ...`).
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  ImagePart,
  ReasoningEffort,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
} from '@llmproxy/connector-sdk';
import { invalid, unsupported } from '../../canonical/request-field-checks.js';
import type { AnthropicCacheControl } from './anthropic-messages-wire-types.js';
import {
  ANTHROPIC_SERVER_TOOLS_KEY,
  ANTHROPIC_TOOL_FIELDS_KEY,
  withAnthropicOptions,
  type AnthropicReasoningOptions,
} from './anthropic-provider-options.js';

export interface ParsedMessagesRequest {
  /** The raw `model` field (`openai:gpt-4o`, `claude-sonnet-4-5`, ...). */
  model: string;
  /** The canonical request; its `model` is the raw field until the router replaces it. */
  request: ChatRequest;
  /**
   * Paths of the fields kept only for an Anthropic upstream outside the protocol extras:
   * `cache_control` breakpoints, client-tool fields such as `defer_loading`, server tools.
   */
  vendorOnlyFields: string[];
}

export interface ParseMessagesRequestOptions {
  /**
   * Whether `max_tokens` must be present, as it must for `POST /v1/messages`. The token counting
   * endpoint takes the same body without it.
   */
  requireMaxTokens: boolean;
}

/** `output_config.effort` levels that the canonical reasoning effort can express. */
const CANONICAL_EFFORTS: ReadonlySet<string> = new Set<ReasoningEffort>(['low', 'medium', 'high']);

/**
 * Parses and validates a Messages body. Every Anthropic message becomes one canonical message
 * with the same role and one part per block, so tool results stay inside user messages as
 * Anthropic sends them. The system prompt becomes a leading system message. `thinking` and
 * `output_config.effort` become canonical `reasoning` (`enabled` → a budget, `adaptive` → an
 * empty reasoning object that lets the model decide, `disabled` → none). `top_k` and every other
 * field without a canonical equivalent is kept in `protocolExtras` (`anthropic-messages`), which
 * an Anthropic backend forwards and any other backend refuses by name.
 *
 * `cache_control` breakpoints, the verbatim thinking settings, client-tool fields beyond the
 * canonical ones (`defer_loading`) and server tools are kept in `providerOptions.anthropic` for
 * an Anthropic upstream (see anthropic-provider-options.ts); their paths are returned as
 * `vendorOnlyFields`, which the fidelity policy names when another backend drops them. Block
 * types and fields llmproxy cannot carry (documents, search results, server tool blocks and
 * their results, citations) are refused with
 * `CHAT_REQUEST_UNSUPPORTED` rather than dropped; the default-valued fields the Anthropic SDK
 * echoes back from responses (`citations: null`, `caller: {type: "direct"}`) are accepted.
 */
export function parseMessagesRequest(
  body: unknown,
  options: ParseMessagesRequestOptions = { requireMaxTokens: true },
): ParsedMessagesRequest {
  if (!isRecord(body)) throw invalid(undefined, 'The request body must be a JSON object');
  const fields: Record<string, unknown> = {};
  const request: ChatRequest = { model: '', messages: [], stream: false };
  let system: ChatMessage | undefined;
  let sawMessages = false;
  let sawModel = false;
  let thinking: Record<string, unknown> | undefined;
  let outputEffort: string | undefined;

  for (const key in body) {
    const value = body[key];
    // null, and an empty object, mean "unset".
    if (value === undefined || value === null || (isRecord(value) && Object.keys(value).length === 0)) continue;
    switch (key) {
      case 'model':
        sawModel = true;
        request.model = expectString(value, 'model');
        break;
      case 'messages':
        sawMessages = true;
        request.messages = parseMessages(value);
        break;
      case 'system':
        system = parseSystem(value);
        break;
      case 'max_tokens':
        request.maxOutputTokens = expectTokenCount(value, key);
        break;
      case 'stream':
        request.stream = expectBoolean(value, key);
        break;
      case 'temperature':
        request.temperature = expectNumber(value, key);
        break;
      case 'top_p':
        request.topP = expectNumber(value, key);
        break;
      case 'stop_sequences':
        if (!Array.isArray(value)) throw invalidType(key, value, 'a list of strings');
        request.stop = value.map((item: unknown, index) => expectString(item, `${key}.${index}`));
        break;
      case 'tools': {
        const { tools, serverTools } = parseTools(value);
        if (tools.length > 0 || serverTools.length === 0) request.tools = tools;
        if (serverTools.length > 0) withAnthropicOptions(request, { [ANTHROPIC_SERVER_TOOLS_KEY]: serverTools });
        break;
      }
      case 'tool_choice': {
        const choice = parseToolChoice(value);
        if (choice.toolChoice !== undefined) request.toolChoice = choice.toolChoice;
        if (choice.parallelToolCalls !== undefined) request.parallelToolCalls = choice.parallelToolCalls;
        break;
      }
      case 'thinking':
        if (!isRecord(value)) throw invalidType(key, value, 'an object');
        thinking = value;
        break;
      case 'output_config': {
        if (!isRecord(value)) throw invalidType(key, value, 'an object');
        const { effort, ...rest } = value;
        if (effort !== undefined && effort !== null) outputEffort = expectString(effort, 'output_config.effort');
        if (Object.keys(rest).length > 0) fields[key] = rest;
        break;
      }
      case 'metadata': {
        if (!isRecord(value)) throw invalidType(key, value, 'an object');
        const { user_id: userId, ...rest } = value;
        if (userId !== undefined && userId !== null) request.user = expectString(userId, 'metadata.user_id');
        if (Object.keys(rest).length > 0) fields[key] = rest;
        break;
      }
      default:
        fields[key] = value;
    }
  }

  if (!sawModel) throw invalid('model', 'model: Field required');
  if (!sawMessages) throw invalid('messages', 'messages: Field required');
  if (options.requireMaxTokens && request.maxOutputTokens === undefined) throw invalid('max_tokens', 'max_tokens: Field required');
  if (system !== undefined) request.messages.unshift(system);
  const { reasoning, options: reasoningOptions } = parseReasoning(thinking, outputEffort, fields);
  if (reasoning !== undefined) request.reasoning = reasoning;
  if (reasoningOptions !== undefined) withAnthropicOptions(request, { ...reasoningOptions });
  request.protocolExtras = { protocol: 'anthropic-messages', fields };
  return { model: request.model, request, vendorOnlyFields: anthropicOnlyFields(body) };
}

/**
 * Where the (already validated) body has fields only an Anthropic upstream receives, in the
 * header's path notation: cache breakpoints on system, message and tool-result blocks and on
 * tools, client-tool fields beyond the canonical ones, and whole server tools.
 */
function anthropicOnlyFields(body: Record<string, unknown>): string[] {
  const paths: string[] = [];
  const cacheControlIn = (blocks: unknown, path: string): void => {
    if (!Array.isArray(blocks)) return;
    blocks.forEach((block: unknown, index) => {
      if (!isRecord(block)) return;
      if (block['cache_control'] !== undefined && block['cache_control'] !== null) paths.push(`${path}[${index}].cache_control`);
      if (block['type'] === 'tool_result') cacheControlIn(block['content'], `${path}[${index}].content`);
    });
  };
  cacheControlIn(body['system'], 'system');
  if (Array.isArray(body['messages'])) {
    body['messages'].forEach((message: unknown, index) => {
      if (isRecord(message)) cacheControlIn(message['content'], `messages[${index}].content`);
    });
  }
  if (Array.isArray(body['tools'])) {
    body['tools'].forEach((tool: unknown, index) => {
      if (!isRecord(tool)) return;
      const type = tool['type'];
      if (type !== undefined && type !== null && type !== 'custom') {
        paths.push(`tools[${index}]`);
        return;
      }
      for (const [key, field] of Object.entries(tool)) {
        if (field === null || field === undefined) continue;
        if (key === 'cache_control' || !CLIENT_TOOL_FIELDS.has(key)) paths.push(`tools[${index}].${key}`);
      }
    });
  }
  return paths;
}

function parseSystem(value: unknown, path = 'system'): ChatMessage {
  if (typeof value === 'string') return { role: 'system', content: [{ type: 'text', text: value }] };
  if (!Array.isArray(value)) throw invalidType(path, value, 'a string or a list of text blocks');
  return {
    role: 'system',
    content: value.map((block: unknown, index) => {
      const blockPath = `${path}.${index}`;
      const type = blockType(block, blockPath);
      if (type !== 'text') throw invalid(`${blockPath}.type`, `${blockPath}.type: Input should be 'text'`);
      return parseTextBlock(block as Record<string, unknown>, blockPath);
    }),
  };
}

function parseMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) throw invalidType('messages', value, 'a list');
  return value.map((message: unknown, index) => parseMessage(message, `messages.${index}`));
}

function parseMessage(value: unknown, path: string): ChatMessage {
  if (!isRecord(value)) throw invalidType(path, value, 'an object');
  const role = value['role'];
  if (role === undefined || role === null) throw invalid(`${path}.role`, `${path}.role: Field required`);
  if (role !== 'user' && role !== 'assistant' && role !== 'system') {
    throw invalid(`${path}.role`, `${path}.role: Input should be 'user', 'assistant' or 'system'`);
  }
  const content = value['content'];
  if (content === undefined || content === null) throw invalid(`${path}.content`, `${path}.content: Field required`);
  // Claude Code sends system turns inside messages; each backend's builder puts system text
  // where its API takes it (a system message, systemInstruction, or the top-level system).
  if (role === 'system') return parseSystem(content, `${path}.content`);
  if (typeof content === 'string') return { role, content: [{ type: 'text', text: content }] };
  if (!Array.isArray(content)) throw invalidType(`${path}.content`, content, 'a string or a list of content blocks');
  return {
    role,
    content: content.map((block: unknown, index) => parseContentBlock(block, `${path}.content.${index}`, role)),
  };
}

function parseContentBlock(block: unknown, path: string, role: 'user' | 'assistant'): ContentPart {
  const type = blockType(block, path);
  const record = block as Record<string, unknown>;
  const userOnly = (): void => {
    if (role !== 'user') throw invalid(`${path}.type`, `${path}: ${type} blocks are only allowed in user messages`);
  };
  const assistantOnly = (): void => {
    if (role !== 'assistant') throw invalid(`${path}.type`, `${path}: ${type} blocks are only allowed in assistant messages`);
  };
  switch (type) {
    case 'text':
      return parseTextBlock(record, path);
    case 'image':
      userOnly();
      return parseImageBlock(record, path);
    case 'tool_result':
      userOnly();
      return parseToolResultBlock(record, path);
    case 'tool_use': {
      assistantOnly();
      checkFields(record, path, ['type', 'id', 'name', 'input', 'cache_control', 'caller', 'toolset_name']);
      checkDirectCaller(record['caller'], `${path}.caller`);
      const input = record['input'];
      if (!isRecord(input)) throw invalidType(`${path}.input`, input, 'an object');
      return withCacheControl(
        { type: 'tool-call', id: expectString(record['id'], `${path}.id`), name: expectString(record['name'], `${path}.name`), arguments: JSON.stringify(input) },
        record,
        path,
      );
    }
    case 'thinking': {
      assistantOnly();
      checkFields(record, path, ['type', 'thinking', 'signature']);
      const part: ContentPart = { type: 'reasoning', text: expectString(record['thinking'], `${path}.thinking`) };
      const signature = record['signature'];
      if (signature !== undefined && signature !== null) part.signature = expectString(signature, `${path}.signature`);
      return part;
    }
    case 'redacted_thinking':
      assistantOnly();
      checkFields(record, path, ['type', 'data']);
      return { type: 'reasoning', text: '', redactedData: expectString(record['data'], `${path}.data`) };
    case 'document':
    case 'search_result':
    case 'container_upload':
      throw unsupported(`${path}.type`, `${path}: content blocks of type '${type}' are not supported by llmproxy`);
    default:
      if (type.endsWith('_tool_result') || type === 'server_tool_use' || type.startsWith('mcp_')) {
        throw unsupported(`${path}.type`, `${path}: server tool blocks ('${type}') are not supported by llmproxy`);
      }
      throw invalid(`${path}.type`, `${path}.type: Input tag '${type}' does not match any of the expected content block types`);
  }
}

function parseTextBlock(record: Record<string, unknown>, path: string): TextPart {
  checkFields(record, path, ['type', 'text', 'cache_control', 'citations']);
  const citations = record['citations'];
  if (Array.isArray(citations) && citations.length > 0) {
    throw unsupported(`${path}.citations`, `${path}.citations: citations are not supported by llmproxy`);
  }
  return withCacheControl({ type: 'text', text: expectString(record['text'], `${path}.text`) }, record, path);
}

function parseImageBlock(record: Record<string, unknown>, path: string): ImagePart {
  checkFields(record, path, ['type', 'source', 'cache_control']);
  const source = record['source'];
  if (!isRecord(source)) throw invalid(`${path}.source`, `${path}.source: Field required`);
  const sourceType = source['type'];
  if (sourceType === 'base64') {
    return withCacheControl(
      {
        type: 'image',
        source: {
          type: 'base64',
          mediaType: expectString(source['media_type'], `${path}.source.media_type`),
          data: expectString(source['data'], `${path}.source.data`),
        },
      },
      record,
      path,
    );
  }
  if (sourceType === 'url') {
    return withCacheControl({ type: 'image', source: { type: 'url', url: expectString(source['url'], `${path}.source.url`) } }, record, path);
  }
  if (sourceType === 'file') {
    throw unsupported(`${path}.source.type`, `${path}.source: images from the Files API are not supported by llmproxy; send base64 or a URL`);
  }
  throw invalid(`${path}.source.type`, `${path}.source.type: Input should be 'base64' or 'url'`);
}

function parseToolResultBlock(record: Record<string, unknown>, path: string): ToolResultPart {
  checkFields(record, path, ['type', 'tool_use_id', 'content', 'is_error', 'cache_control']);
  const part: ToolResultPart = {
    type: 'tool-result',
    toolCallId: expectString(record['tool_use_id'], `${path}.tool_use_id`),
    content: [],
  };
  const content = record['content'];
  if (typeof content === 'string') {
    part.content = [{ type: 'text', text: content }];
  } else if (Array.isArray(content)) {
    part.content = content.map((item: unknown, index) => {
      const itemPath = `${path}.content.${index}`;
      const type = blockType(item, itemPath);
      if (type === 'text') return parseTextBlock(item as Record<string, unknown>, itemPath);
      if (type === 'image') return parseImageBlock(item as Record<string, unknown>, itemPath);
      throw unsupported(`${itemPath}.type`, `${itemPath}: tool results of type '${type}' are not supported by llmproxy; use text or image`);
    });
  } else if (content !== undefined && content !== null) {
    throw invalidType(`${path}.content`, content, 'a string or a list of content blocks');
  }
  const isError = record['is_error'];
  if (isError !== undefined && isError !== null) part.isError = expectBoolean(isError, `${path}.is_error`);
  return withCacheControl(part, record, path);
}

/** Client-tool fields the canonical definition carries; any other field rides along for an Anthropic upstream. */
const CLIENT_TOOL_FIELDS: ReadonlySet<string> = new Set(['type', 'name', 'description', 'input_schema', 'cache_control', 'strict']);

/**
 * Client tools become canonical definitions; fields they carry beyond those (`defer_loading`,
 * next release's) are kept for an Anthropic upstream only. Server tools (`web_search_20250305`,
 * code execution, ...) run at Anthropic: they are kept verbatim for an Anthropic upstream and
 * never reach another backend.
 */
function parseTools(value: unknown): { tools: ToolDefinition[]; serverTools: Array<Record<string, unknown>> } {
  if (!Array.isArray(value)) throw invalidType('tools', value, 'a list');
  const tools: ToolDefinition[] = [];
  const serverTools: Array<Record<string, unknown>> = [];
  value.forEach((tool: unknown, index) => {
    const path = `tools.${index}`;
    if (!isRecord(tool)) throw invalidType(path, tool, 'an object');
    const type = tool['type'];
    if (type !== undefined && type !== null && type !== 'custom') {
      if (typeof type !== 'string') throw invalidType(`${path}.type`, type, 'a string');
      serverTools.push(tool);
      return;
    }
    const schema = tool['input_schema'];
    if (schema === undefined || schema === null) throw invalid(`${path}.input_schema`, `${path}.input_schema: Field required`);
    if (!isRecord(schema)) throw invalidType(`${path}.input_schema`, schema, 'a JSON Schema object');
    const definition: ToolDefinition = { name: expectString(tool['name'], `${path}.name`), parameters: schema };
    const description = tool['description'];
    if (description !== undefined && description !== null) definition.description = expectString(description, `${path}.description`);
    const strict = tool['strict'];
    if (strict !== undefined && strict !== null) definition.strict = expectBoolean(strict, `${path}.strict`);
    const otherFields = Object.fromEntries(Object.entries(tool).filter(([key, field]) => !CLIENT_TOOL_FIELDS.has(key) && field !== null && field !== undefined));
    if (Object.keys(otherFields).length > 0) withAnthropicOptions(definition, { [ANTHROPIC_TOOL_FIELDS_KEY]: otherFields });
    tools.push(withCacheControl(definition, tool, path));
  });
  return { tools, serverTools };
}

function parseToolChoice(value: unknown): { toolChoice?: ToolChoice; parallelToolCalls?: boolean } {
  if (!isRecord(value)) throw invalidType('tool_choice', value, 'an object');
  const type = value['type'];
  const disableParallel = value['disable_parallel_tool_use'];
  const parallelToolCalls =
    disableParallel === undefined || disableParallel === null
      ? undefined
      : !expectBoolean(disableParallel, 'tool_choice.disable_parallel_tool_use');
  const withParallel = (toolChoice: ToolChoice): { toolChoice: ToolChoice; parallelToolCalls?: boolean } =>
    parallelToolCalls === undefined ? { toolChoice } : { toolChoice, parallelToolCalls };
  switch (type) {
    case 'auto':
      return withParallel('auto');
    case 'any':
      return withParallel('required');
    case 'none':
      return { toolChoice: 'none' };
    case 'tool':
      return withParallel({ name: expectString(value['name'], 'tool_choice.name') });
    default:
      throw invalid('tool_choice.type', "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  }
}

/**
 * `thinking` and `output_config.effort` → canonical reasoning, remembering the originals for an
 * Anthropic upstream. Thinking settings without a canonical equivalent (such as `display`) stay
 * with the original and reach only an Anthropic upstream, since they change what is shown rather
 * than what is answered.
 */
function parseReasoning(
  thinking: Record<string, unknown> | undefined,
  effort: string | undefined,
  fields: Record<string, unknown>,
): { reasoning?: NonNullable<ChatRequest['reasoning']>; options?: AnthropicReasoningOptions } {
  let reasoning: NonNullable<ChatRequest['reasoning']> | undefined;
  if (thinking !== undefined) {
    switch (thinking['type']) {
      case 'enabled': {
        const budget = thinking['budget_tokens'];
        if (budget === undefined || budget === null) throw invalid('thinking.budget_tokens', 'thinking.enabled.budget_tokens: Field required');
        reasoning = { budgetTokens: expectTokenCount(budget, 'thinking.budget_tokens') };
        break;
      }
      case 'adaptive':
        reasoning = {};
        break;
      case 'disabled':
        break;
      default:
        // A thinking mode newer than llmproxy: an Anthropic backend still gets it verbatim.
        fields['thinking'] = thinking;
        thinking = undefined;
    }
  }
  if (effort !== undefined) {
    if (CANONICAL_EFFORTS.has(effort)) {
      reasoning = { ...reasoning, effort: effort as ReasoningEffort };
    } else {
      // `xhigh`, `max`: more than the canonical scale expresses.
      const config = isRecord(fields['output_config']) ? fields['output_config'] : {};
      fields['output_config'] = { ...config, effort };
      effort = undefined;
    }
  }
  if (reasoning === undefined) return {};
  const options: AnthropicReasoningOptions = {};
  if (thinking !== undefined) options.thinking = thinking;
  if (effort !== undefined) options.effort = effort;
  return { reasoning, options };
}

/** Accepts the listed fields; a non-null field outside the list is refused by name. */
function checkFields(record: Record<string, unknown>, path: string, known: readonly string[]): void {
  for (const key in record) {
    if (known.includes(key) || record[key] === null || record[key] === undefined) continue;
    throw unsupported(`${path}.${key}`, `${path}.${key}: this field is not supported by llmproxy`);
  }
}

/** `caller: {type: "direct"}` is the default the SDK echoes from a response; other callers are server tools. */
function checkDirectCaller(value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  if (isRecord(value) && value['type'] === 'direct') return;
  throw unsupported(path, `${path}: tool calls made by server tools are not supported by llmproxy`);
}

function withCacheControl<T extends ContentPart | ToolDefinition>(target: T, record: Record<string, unknown>, path: string): T {
  const cacheControl = record['cache_control'];
  if (cacheControl === undefined || cacheControl === null) return target;
  if (!isRecord(cacheControl)) throw invalidType(`${path}.cache_control`, cacheControl, 'an object');
  return withAnthropicOptions(target, { cache_control: cacheControl as AnthropicCacheControl });
}

function blockType(block: unknown, path: string): string {
  if (!isRecord(block)) throw invalidType(path, block, 'an object');
  const type = block['type'];
  if (typeof type !== 'string') throw invalid(`${path}.type`, `${path}.type: Field required`);
  return type;
}

function expectString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalidType(param, value, 'a valid string');
  return value;
}

function expectBoolean(value: unknown, param: string): boolean {
  if (typeof value !== 'boolean') throw invalidType(param, value, 'a valid boolean');
  return value;
}

function expectNumber(value: unknown, param: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(param, value, 'a valid number');
  return value;
}

function expectTokenCount(value: unknown, param: string): number {
  const count = expectNumber(value, param);
  if (!Number.isInteger(count) || count < 1) throw invalid(param, `${param}: Input should be an integer greater than or equal to 1`);
  return count;
}

function invalidType(param: string, value: unknown, expected: string): LlmProxyError {
  const actual = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
  return invalid(param, `${param}: Input should be ${expected}, not ${actual}`);
}
