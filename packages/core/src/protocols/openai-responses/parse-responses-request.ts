/**
 * @fileoverview OpenAI Responses request body (`POST /v1/responses`) → canonical chat request,
 * with validation errors that name the offending parameter the way OpenAI does
 * (`input[2].content[0].type`).
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type {
  ChatMessage,
  ChatRequest,
  ImagePart,
  ReasoningEffort,
  ReasoningPart,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
} from '@llmproxy/connector-sdk';
import { expectBoolean, expectNumber, expectString, expectTokenCount, invalid, invalidType, unsupported } from '../../canonical/request-field-checks.js';
import { customToolDefinition, wrapCustomToolInput } from './custom-tools.js';
import { NamespaceFlattener, type NamespacedTools } from './namespace-tools.js';
import { decodeRedactedReasoning } from './redacted-reasoning.js';
import { withResponsesRequestHints } from './responses-request-hints.js';

/** A parsed Responses request. */
export interface ParsedResponsesRequest {
  /** The raw `model` field (`openai:gpt-5`, `gpt-5`, or '' when absent). */
  model: string;
  /**
   * The canonical request. Its messages are the instructions (as a system message) followed
   * by this turn's `input`; a `previous_response_id` conversation is not included yet.
   */
  request: ChatRequest;
  /** The system message made from `instructions`, not part of a stored conversation (as with OpenAI). */
  instructionMessages: ChatMessage[];
  /** This turn's `input` as canonical messages. */
  inputMessages: ChatMessage[];
  previousResponseId: string | undefined;
  /** `store` (default true): whether the answer may be continued with `previous_response_id`. */
  store: boolean;
  /** Names of the request's custom (free-form) tools, whose calls are rendered as `custom_tool_call`. */
  customToolNames: ReadonlySet<string>;
  /** The functions of namespace tools, by flattened name (namespace-tools.ts). */
  namespacedTools: NamespacedTools;
  /**
   * Paths of the fields kept only for a Responses upstream outside the protocol extras: the
   * request hints (`store`, `include`, `reasoning.summary`, ...) and hosted tools (`tools[2]`).
   */
  vendorOnlyFields: string[];
  /** Request fields the response object repeats, with the API's defaults filled in. */
  echo: ResponsesEcho;
}

/** What a Responses response object repeats from its request. */
export interface ResponsesEcho {
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, unknown>;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number;
  text: unknown;
  tool_choice: unknown;
  tools: unknown[];
  top_p: number;
  truncation: string;
  user: string | null;
}

const REASONING_EFFORTS: ReadonlySet<string> = new Set<ReasoningEffort>(['minimal', 'low', 'medium', 'high']);
/** The empty parameter schema OpenAI assumes for a function declared without one. */
const NO_PARAMETERS = Object.freeze({ type: 'object', properties: Object.freeze({}) });
/**
 * Fields that change how a Responses upstream stores, caches, bills or presents an answer,
 * but not the answer itself: forwarded to a Responses upstream as hints, ignored by others.
 */
const HINT_FIELDS: ReadonlySet<string> = new Set([
  'store',
  'include',
  'metadata',
  'prompt_cache_key',
  'prompt_cache_retention',
  'safety_identifier',
  'service_tier',
  'truncation',
  'stream_options',
]);

/** Tools OpenAI runs itself: a Responses upstream gets them as sent, other backends never see them. */
const HOSTED_TOOL_TYPES: ReadonlySet<string> = new Set([
  'web_search',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'web_search_2025_08_26',
  'file_search',
  'code_interpreter',
  'computer_use_preview',
  'computer_use',
  'image_generation',
  'local_shell',
  'mcp',
]);

/**
 * Parses and validates a Responses body. Modelled fields become canonical; hint fields (see
 * {@link withResponsesRequestHints}) ride along for a Responses upstream; every other non-null
 * field is kept in `protocolExtras` (`protocol: 'openai-responses'`, always set), which
 * non-Responses connectors refuse by name. Input items and tools that have no canonical form
 * (files, item references, unknown tool types) are refused with `CHAT_REQUEST_UNSUPPORTED`.
 * Hosted tools ride with the hints; namespace tools become plain functions (namespace-tools.ts).
 */
export function parseResponsesRequest(body: unknown): ParsedResponsesRequest {
  if (!isRecord(body)) throw invalid(undefined, 'The request body must be a JSON object');
  const fields: Record<string, unknown> = {};
  const hints: Record<string, unknown> = {};
  const request: ChatRequest = { model: '', messages: [], stream: false };
  let instructions: string | null = null;
  let previousResponseId: string | undefined;
  let store = true;
  const customToolNames = new Set<string>();
  const namespaces = new NamespaceFlattener(plainToolNames(body['tools']));
  const hostedTools: Array<{ index: number; tool: Record<string, unknown> }> = [];
  let rawInput: unknown;
  let rawToolChoice: unknown;
  const echo: ResponsesEcho = {
    instructions: null,
    max_output_tokens: null,
    metadata: {},
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    user: null,
  };

  for (const key in body) {
    const value = body[key];
    // null, and an empty object, mean "unset" throughout this API.
    if (value === null || value === undefined || isEmptyObject(value)) continue;
    switch (key) {
      case 'model':
        request.model = expectString(value, key);
        break;
      case 'input':
        // Read after the tools, whose namespaces the input's calls may name.
        rawInput = value;
        break;
      case 'instructions':
        instructions = expectString(value, key);
        echo.instructions = instructions;
        break;
      case 'previous_response_id':
        previousResponseId = expectString(value, key);
        echo.previous_response_id = previousResponseId;
        break;
      case 'stream':
        request.stream = expectBoolean(value, key);
        break;
      case 'tools':
        request.tools = parseTools(value, customToolNames, namespaces, hostedTools);
        echo.tools = value as unknown[];
        break;
      case 'tool_choice':
        rawToolChoice = value;
        echo.tool_choice = value;
        break;
      case 'parallel_tool_calls':
        request.parallelToolCalls = expectBoolean(value, key);
        echo.parallel_tool_calls = request.parallelToolCalls;
        break;
      case 'max_output_tokens':
        request.maxOutputTokens = expectTokenCount(value, key);
        echo.max_output_tokens = request.maxOutputTokens;
        break;
      case 'temperature':
        request.temperature = expectNumber(value, key);
        echo.temperature = request.temperature;
        break;
      case 'top_p':
        request.topP = expectNumber(value, key);
        echo.top_p = request.topP;
        break;
      case 'user':
        request.user = expectString(value, key);
        echo.user = request.user;
        break;
      case 'reasoning':
        parseReasoning(value, request, fields, hints, echo);
        break;
      case 'text':
        parseText(value, fields, hints);
        echo.text = value;
        break;
      case 'store':
        store = expectBoolean(value, key);
        echo.store = store;
        hints[key] = store;
        break;
      case 'metadata':
        if (!isRecord(value)) throw invalidType(key, value, 'an object');
        echo.metadata = value;
        hints[key] = value;
        break;
      case 'truncation':
        echo.truncation = expectString(value, key);
        hints[key] = value;
        break;
      case 'background':
        if (expectBoolean(value, key)) throw unsupported(key, 'Background responses are not supported by llmproxy; send the request without `background`');
        break;
      case 'conversation':
        throw unsupported(key, 'The Conversations API is not supported by llmproxy; continue a conversation with `previous_response_id`');
      case 'top_logprobs':
        if (expectNumber(value, key) !== 0) fields[key] = value;
        break;
      default:
        if (HINT_FIELDS.has(key)) hints[key] = value;
        else fields[key] = value;
    }
  }

  if (rawInput === undefined) throw invalid('input', "Missing required parameter: 'input'");
  const inputMessages = parseInput(rawInput, namespaces);
  if (rawToolChoice !== undefined) request.toolChoice = parseToolChoice(rawToolChoice, namespaces);
  if (hostedTools.length > 0) hints['tools'] = hostedTools.map((entry) => entry.tool);
  const instructionMessages: ChatMessage[] = instructions === null ? [] : [{ role: 'system', content: [{ type: 'text', text: instructions }] }];
  request.messages = [...instructionMessages, ...inputMessages];
  request.protocolExtras = { protocol: 'openai-responses', fields };
  if (Object.keys(hints).length > 0) withResponsesRequestHints(request, hints);
  const vendorOnlyFields = [
    ...Object.keys(hints).flatMap((key) => (key === 'tools' ? [] : key === 'reasoning' ? ['reasoning.summary'] : key === 'text' ? ['text.verbosity'] : [key])),
    ...hostedTools.map((entry) => `tools[${entry.index}]`),
  ];
  return {
    model: request.model,
    request,
    instructionMessages,
    inputMessages,
    previousResponseId,
    store,
    customToolNames,
    namespacedTools: namespaces.tools,
    vendorOnlyFields,
    echo,
  };
}

function parseReasoning(
  value: unknown,
  request: ChatRequest,
  fields: Record<string, unknown>,
  hints: Record<string, unknown>,
  echo: ResponsesEcho,
): void {
  if (!isRecord(value)) throw invalidType('reasoning', value, 'an object');
  const { effort, summary, generate_summary: legacySummary, ...rest } = value;
  const summaryValue = summary ?? legacySummary;
  if (summaryValue !== undefined && summaryValue !== null) {
    const text = expectString(summaryValue, 'reasoning.summary');
    hints['reasoning'] = { summary: text };
    echo.reasoning.summary = text;
  }
  if (effort !== undefined && effort !== null) {
    const level = expectString(effort, 'reasoning.effort');
    echo.reasoning.effort = level;
    // Levels the canonical model does not know (`none`, `xhigh`) still reach a Responses upstream.
    if (REASONING_EFFORTS.has(level)) request.reasoning = { effort: level as ReasoningEffort };
    else rest['effort'] = level;
  }
  if (Object.keys(rest).length > 0) fields['reasoning'] = rest;
}

/** `text.format` of type `text` is the default; `verbosity` is a hint; a structured format is an extra. */
function parseText(value: unknown, fields: Record<string, unknown>, hints: Record<string, unknown>): void {
  if (!isRecord(value)) throw invalidType('text', value, 'an object');
  const { format, verbosity, ...rest } = value;
  if (verbosity !== undefined && verbosity !== null) hints['text'] = { verbosity };
  if (format !== undefined && format !== null) {
    if (!isRecord(format)) throw invalidType('text.format', format, 'an object');
    if (format['type'] !== 'text') rest['format'] = format;
  }
  if (Object.keys(rest).length > 0) fields['text'] = rest;
}

/**
 * `input` → canonical messages. Consecutive assistant-side items (assistant messages,
 * reasoning, function calls) form one assistant message, as they are one model turn; each
 * function call output is a tool message.
 */
function parseInput(value: unknown, namespaces: NamespaceFlattener): ChatMessage[] {
  if (typeof value === 'string') return [{ role: 'user', content: [{ type: 'text', text: value }] }];
  if (!Array.isArray(value)) throw invalidType('input', value, 'a string or an array of input items');
  const messages: ChatMessage[] = [];
  let assistant: ChatMessage | undefined;
  const assistantTurn = (): ChatMessage => {
    if (assistant === undefined) {
      assistant = { role: 'assistant', content: [] };
      messages.push(assistant);
    }
    return assistant;
  };
  value.forEach((item: unknown, index) => {
    const path = `input[${index}]`;
    if (!isRecord(item)) throw invalidType(path, item, 'an object');
    const type = item['type'] ?? 'message';
    switch (type) {
      case 'message': {
        const role = item['role'];
        if (role === 'assistant') {
          assistantTurn().content.push(...parseAssistantContent(item['content'], `${path}.content`));
          return;
        }
        assistant = undefined;
        messages.push(parseMessage(item, path));
        return;
      }
      case 'function_call':
        assistantTurn().content.push({
          type: 'tool-call',
          id: expectString(item['call_id'], `${path}.call_id`),
          name: calledName(item, path, namespaces),
          arguments: expectString(item['arguments'], `${path}.arguments`),
        });
        return;
      case 'custom_tool_call':
        assistantTurn().content.push({
          type: 'tool-call',
          id: expectString(item['call_id'], `${path}.call_id`),
          name: calledName(item, path, namespaces),
          arguments: wrapCustomToolInput(expectString(item['input'], `${path}.input`)),
        });
        return;
      case 'reasoning':
        assistantTurn().content.push(...parseReasoningItem(item, path));
        return;
      case 'function_call_output':
      case 'custom_tool_call_output':
        assistant = undefined;
        messages.push({ role: 'tool', content: [parseFunctionCallOutput(item, path)] });
        return;
      default:
        throw unsupported(
          `${path}.type`,
          `Input items of type ${JSON.stringify(type)} are not supported; only 'message', 'function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output' and 'reasoning'`,
        );
    }
  });
  return messages;
}

function parseMessage(item: Record<string, unknown>, path: string): ChatMessage {
  const role = item['role'];
  switch (role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: parseInputContent(item['content'], `${path}.content`, false) as TextPart[] };
    case 'user':
      return { role: 'user', content: parseInputContent(item['content'], `${path}.content`, true) };
    default:
      if (typeof role !== 'string') throw invalid(`${path}.role`, `Missing required parameter: '${path}.role'`);
      throw invalid(
        `${path}.role`,
        `Invalid value for '${path}.role': ${JSON.stringify(role)}. Supported values are: 'user', 'assistant', 'system', 'developer'`,
      );
  }
}

function parseInputContent(value: unknown, path: string, imagesAllowed: boolean): Array<TextPart | ImagePart> {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (value === undefined || value === null) throw invalid(path, `Missing required parameter: '${path}'`);
  if (!Array.isArray(value)) throw invalidType(path, value, 'a string or an array of content parts');
  return value.map((part: unknown, index) => {
    const partPath = `${path}[${index}]`;
    const record = partRecord(part, partPath);
    switch (record['type']) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: expectString(record['text'], `${partPath}.text`) };
      case 'input_image':
        if (!imagesAllowed) throw unsupported(`${partPath}.type`, 'Images are only supported in user messages');
        return parseInputImage(record, partPath);
      case 'input_file':
      case 'input_audio':
        throw unsupported(`${partPath}.type`, `Content of type ${JSON.stringify(record['type'])} is not supported; only 'input_text' and 'input_image'`);
      default:
        throw invalid(
          `${partPath}.type`,
          `Invalid value for '${partPath}.type': ${JSON.stringify(record['type'])}. Supported values are: 'input_text', 'input_image'`,
        );
    }
  });
}

function parseAssistantContent(value: unknown, path: string): TextPart[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (value === undefined || value === null) throw invalid(path, `Missing required parameter: '${path}'`);
  if (!Array.isArray(value)) throw invalidType(path, value, 'a string or an array of content parts');
  return value.map((part: unknown, index) => {
    const partPath = `${path}[${index}]`;
    const record = partRecord(part, partPath);
    switch (record['type']) {
      case 'output_text':
      case 'input_text':
        return { type: 'text', text: expectString(record['text'], `${partPath}.text`) };
      case 'refusal':
        return { type: 'text', text: expectString(record['refusal'], `${partPath}.refusal`) };
      default:
        throw invalid(
          `${partPath}.type`,
          `Invalid value for '${partPath}.type': ${JSON.stringify(record['type'])}. Supported values are: 'output_text', 'refusal'`,
        );
    }
  });
}

function parseInputImage(record: Record<string, unknown>, path: string): ImagePart {
  const url = record['image_url'];
  if (url === undefined || url === null) {
    if (record['file_id'] !== undefined && record['file_id'] !== null) {
      throw unsupported(`${path}.file_id`, 'Images by file_id are not supported; send the image as image_url (an https or data URL)');
    }
    throw invalid(`${path}.image_url`, `Missing required parameter: '${path}.image_url'`);
  }
  const text = expectString(url, `${path}.image_url`);
  if (text.startsWith('data:')) {
    const marker = text.indexOf(';base64,');
    if (marker > 5) return { type: 'image', source: { type: 'base64', mediaType: text.slice(5, marker), data: text.slice(marker + 8) } };
  }
  const detail = record['detail'];
  if (detail === undefined || detail === null) return { type: 'image', source: { type: 'url', url: text } };
  if (detail !== 'auto' && detail !== 'low' && detail !== 'high') {
    throw invalid(`${path}.detail`, `Invalid value for '${path}.detail': ${JSON.stringify(detail)}. Supported values are: 'auto', 'low', 'high'`);
  }
  return { type: 'image', source: { type: 'url', url: text, detail } };
}

/**
 * A reasoning item → reasoning parts: its summary (or, from open models, its reasoning text),
 * with `encrypted_content` as the signature the same upstream gets back. Redacted thinking
 * that passed through a Responses client comes back as redacted data.
 */
function parseReasoningItem(item: Record<string, unknown>, path: string): ReasoningPart[] {
  const summary = item['summary'];
  const texts: string[] = [];
  if (summary !== undefined && summary !== null) {
    if (!Array.isArray(summary)) throw invalidType(`${path}.summary`, summary, 'an array');
    summary.forEach((part: unknown, index) => {
      const record = partRecord(part, `${path}.summary[${index}]`);
      texts.push(expectString(record['text'], `${path}.summary[${index}].text`));
    });
  }
  const content = item['content'];
  if (texts.length === 0 && Array.isArray(content)) {
    content.forEach((part: unknown, index) => {
      const record = partRecord(part, `${path}.content[${index}]`);
      texts.push(expectString(record['text'], `${path}.content[${index}].text`));
    });
  }
  const encrypted = item['encrypted_content'];
  const part: ReasoningPart = { type: 'reasoning', text: texts.join('\n\n') };
  if (encrypted !== undefined && encrypted !== null) {
    const opaque = expectString(encrypted, `${path}.encrypted_content`);
    const redacted = decodeRedactedReasoning(opaque);
    if (redacted !== undefined) part.redactedData = redacted;
    else part.signature = opaque;
  }
  // An empty item without state carries nothing a backend could use.
  return part.text === '' && part.signature === undefined && part.redactedData === undefined ? [] : [part];
}

function parseFunctionCallOutput(item: Record<string, unknown>, path: string): ToolResultPart {
  const toolCallId = expectString(item['call_id'], `${path}.call_id`);
  const output = item['output'];
  if (typeof output === 'string') return { type: 'tool-result', toolCallId, content: [{ type: 'text', text: output }] };
  if (output === undefined || output === null) throw invalid(`${path}.output`, `Missing required parameter: '${path}.output'`);
  return { type: 'tool-result', toolCallId, content: parseInputContent(output, `${path}.output`, true) };
}

function parseTools(
  value: unknown,
  customToolNames: Set<string>,
  namespaces: NamespaceFlattener,
  hostedTools: Array<{ index: number; tool: Record<string, unknown> }>,
): ToolDefinition[] {
  if (!Array.isArray(value)) throw invalidType('tools', value, 'an array');
  const definitions: ToolDefinition[] = [];
  value.forEach((tool: unknown, index) => {
    const path = `tools[${index}]`;
    if (!isRecord(tool)) throw invalidType(path, tool, 'an object');
    const type = tool['type'];
    if (type === 'namespace') {
      const namespace = expectString(tool['name'], `${path}.name`);
      const members = tool['tools'];
      if (!Array.isArray(members)) throw invalidType(`${path}.tools`, members, 'an array');
      members.forEach((member: unknown, memberIndex) => {
        const memberPath = `${path}.tools[${memberIndex}]`;
        if (!isRecord(member)) throw invalidType(memberPath, member, 'an object');
        if (member['type'] !== 'function' && member['type'] !== 'custom') {
          throw unsupported(`${memberPath}.type`, `Tools of type ${JSON.stringify(member['type'])} inside a namespace are not supported; only 'function' and 'custom'`);
        }
        const flatName = namespaces.flatten(namespace, expectString(member['name'], `${memberPath}.name`));
        definitions.push(parseTool(member, memberPath, flatName, customToolNames));
      });
      return;
    }
    if (typeof type === 'string' && HOSTED_TOOL_TYPES.has(type)) {
      hostedTools.push({ index, tool });
      return;
    }
    if (type !== 'function' && type !== 'custom') {
      throw unsupported(
        `${path}.type`,
        `Tools of type ${JSON.stringify(type)} are not supported; only 'function', 'custom', 'namespace' and OpenAI's hosted tools`,
      );
    }
    definitions.push(parseTool(tool, path, expectString(tool['name'], `${path}.name`), customToolNames));
  });
  return definitions;
}

/** A `function` or `custom` tool, declared under `name` (its own, or its flattened namespace name). */
function parseTool(tool: Record<string, unknown>, path: string, name: string, customToolNames: Set<string>): ToolDefinition {
  if (tool['type'] === 'custom') {
    customToolNames.add(name);
    const description = tool['description'];
    const format = tool['format'];
    if (format !== undefined && format !== null && !isRecord(format)) throw invalidType(`${path}.format`, format, 'an object');
    return customToolDefinition(
      name,
      description === undefined || description === null ? undefined : expectString(description, `${path}.description`),
      isRecord(format) ? format : undefined,
    );
  }
  const definition: ToolDefinition = { name, parameters: NO_PARAMETERS };
  const description = tool['description'];
  if (description !== undefined && description !== null) definition.description = expectString(description, `${path}.description`);
  const parameters = tool['parameters'];
  if (parameters !== undefined && parameters !== null) {
    if (!isRecord(parameters)) throw invalidType(`${path}.parameters`, parameters, 'a JSON Schema object');
    definition.parameters = parameters;
  }
  const strict = tool['strict'];
  if (strict !== undefined && strict !== null) definition.strict = expectBoolean(strict, `${path}.strict`);
  return definition;
}

/** The names of the request's top-level function and custom tools, which flattened names must not take. */
function plainToolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool: unknown) => (isRecord(tool) && (tool['type'] === 'function' || tool['type'] === 'custom') && typeof tool['name'] === 'string' ? [tool['name']] : []));
}

/** The function a call item (or a tool choice) names: its flattened name when it names a namespace. */
function calledName(item: Record<string, unknown>, path: string, namespaces: NamespaceFlattener): string {
  const name = expectString(item['name'], `${path}.name`);
  const namespace = item['namespace'];
  if (namespace === undefined || namespace === null) return name;
  const namespaceName = expectString(namespace, `${path}.namespace`);
  // A namespace this request no longer declares still gets a stable flattened name.
  return namespaces.lookup(namespaceName, name) ?? namespaces.flatten(namespaceName, name);
}

function isEmptyObject(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 0;
}

function parseToolChoice(value: unknown, namespaces: NamespaceFlattener): ToolChoice {
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (typeof value === 'string') {
    throw invalid('tool_choice', `Invalid value for 'tool_choice': ${JSON.stringify(value)}. Supported values are: 'auto', 'none', 'required'`);
  }
  if (!isRecord(value)) throw invalidType('tool_choice', value, 'a string or an object');
  if (value['type'] !== 'function' && value['type'] !== 'custom') {
    throw unsupported('tool_choice.type', `tool_choice of type ${JSON.stringify(value['type'])} is not supported; only 'function' and 'custom'`);
  }
  return { name: calledName(value, 'tool_choice', namespaces) };
}

function partRecord(part: unknown, path: string): Record<string, unknown> {
  if (!isRecord(part)) throw invalidType(path, part, 'an object');
  if (typeof part['type'] !== 'string') throw invalid(`${path}.type`, `Missing required parameter: '${path}.type'`);
  return part;
}
