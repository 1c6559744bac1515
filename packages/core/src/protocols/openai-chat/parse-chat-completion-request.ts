/**
 * @fileoverview OpenAI Chat Completions request body → canonical chat request, with validation
 * errors that name the offending parameter the way OpenAI does (`messages[2].content[0].type`).
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  ImagePart,
  ReasoningEffort,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from '@llmproxy/connector-sdk';
import { expectBoolean, expectNumber, expectString, expectTokenCount, invalid, invalidType, unsupported } from '../../canonical/request-field-checks.js';

/** A parsed request: what the router needs, the canonical request, and what the renderer needs. */
export interface ParsedChatCompletionRequest {
  /** The raw `model` field (`openai:gpt-4o`, `gpt-4o`, or '' when absent). */
  model: string;
  /** The canonical request; its `model` is the raw field until the router replaces it. */
  request: ChatRequest;
  /**
   * `stream_options.include_usage`: whether the client wants the final usage chunk. Pass it to
   * renderChatCompletionStream; upstreams are always asked for usage regardless.
   */
  includeUsage: boolean;
}

const REASONING_EFFORTS: ReadonlySet<string> = new Set<ReasoningEffort>(['minimal', 'low', 'medium', 'high']);
const ROLES = "'system', 'developer', 'user', 'assistant', 'tool'";
/** The empty parameter schema that OpenAI assumes for a function declared without one. */
const NO_PARAMETERS = Object.freeze({ type: 'object', properties: Object.freeze({}) });

/**
 * Parses and validates a Chat Completions body. Modelled fields become canonical; every other
 * non-null field is kept unchanged in `protocolExtras` (`protocol: 'openai-chat'`, always set so
 * connectors know the request's origin). `developer` messages become system messages, which is
 * how OpenAI itself treats them for models without a developer role. Features whose answers
 * llmproxy cannot carry (several choices, log probabilities, audio, legacy function calling)
 * are refused with `CHAT_REQUEST_UNSUPPORTED` rather than dropped.
 */
export function parseChatCompletionRequest(body: unknown): ParsedChatCompletionRequest {
  if (!isRecord(body)) throw invalid(undefined, 'The request body must be a JSON object');
  const fields: Record<string, unknown> = {};
  const request: ChatRequest = { model: '', messages: [], stream: false };
  let includeUsage = false;
  let maxTokens: number | undefined;
  let maxCompletionTokens: number | undefined;
  let sawMessages = false;

  for (const key in body) {
    const value = body[key];
    // null, and an empty object, mean "unset" throughout this API.
    if (value === null || value === undefined || (isRecord(value) && Object.keys(value).length === 0)) continue;
    switch (key) {
      case 'model':
        request.model = expectString(value, 'model');
        break;
      case 'messages':
        sawMessages = true;
        request.messages = parseMessages(value);
        break;
      case 'stream':
        request.stream = expectBoolean(value, 'stream');
        break;
      case 'stream_options': {
        if (!isRecord(value)) throw invalidType('stream_options', value, 'an object');
        const { include_usage: usageFlag, ...rest } = value;
        if (usageFlag !== undefined && usageFlag !== null) includeUsage = expectBoolean(usageFlag, 'stream_options.include_usage');
        if (Object.keys(rest).length > 0) fields['stream_options'] = rest;
        break;
      }
      case 'tools':
        request.tools = parseTools(value);
        break;
      case 'tool_choice':
        request.toolChoice = parseToolChoice(value);
        break;
      case 'parallel_tool_calls':
        request.parallelToolCalls = expectBoolean(value, key);
        break;
      case 'max_tokens':
        maxTokens = expectTokenCount(value, key);
        break;
      case 'max_completion_tokens':
        maxCompletionTokens = expectTokenCount(value, key);
        break;
      case 'temperature':
        request.temperature = expectNumber(value, key);
        break;
      case 'top_p':
        request.topP = expectNumber(value, key);
        break;
      case 'stop':
        request.stop = parseStop(value);
        break;
      case 'reasoning_effort': {
        const effort = expectString(value, key);
        // Levels the canonical model does not know (e.g. `none`) still reach an OpenAI upstream.
        if (REASONING_EFFORTS.has(effort)) request.reasoning = { effort: effort as ReasoningEffort };
        else fields[key] = effort;
        break;
      }
      case 'user':
        request.user = expectString(value, key);
        break;
      case 'n':
        if (expectNumber(value, key) !== 1) throw unsupported(key, 'Only n = 1 is supported: llmproxy returns one choice per request');
        break;
      case 'logprobs':
        if (expectBoolean(value, key)) throw unsupported(key, 'logprobs is not supported by llmproxy');
        break;
      case 'top_logprobs':
        throw unsupported(key, 'top_logprobs is not supported by llmproxy');
      case 'audio':
        throw unsupported(key, 'Audio output is not supported by llmproxy');
      case 'modalities':
        if (!Array.isArray(value)) throw invalidType(key, value, 'an array');
        if (value.includes('audio')) throw unsupported(key, 'Audio output is not supported by llmproxy');
        // ['text'] is the default and carries nothing.
        break;
      case 'functions':
      case 'function_call':
        throw unsupported(key, `The deprecated \`${key}\` parameter is not supported; declare functions with \`tools\` and \`tool_choice\``);
      default:
        fields[key] = value;
    }
  }

  if (!sawMessages) throw invalid('messages', "Missing required parameter: 'messages'");
  const limit = maxCompletionTokens ?? maxTokens;
  if (limit !== undefined) request.maxOutputTokens = limit;
  request.protocolExtras = { protocol: 'openai-chat', fields };
  return { model: request.model, request, includeUsage };
}

function parseMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) throw invalidType('messages', value, 'an array');
  if (value.length === 0) throw invalid('messages', "Invalid 'messages': empty array. Expected an array with at least one message");
  return value.map((message: unknown, index) => parseMessage(message, `messages[${index}]`));
}

function parseMessage(value: unknown, path: string): ChatMessage {
  if (!isRecord(value)) throw invalidType(path, value, 'an object');
  const role = value['role'];
  if (typeof role !== 'string') throw invalid(`${path}.role`, `Missing required parameter: '${path}.role'`);
  let message: ChatMessage;
  switch (role) {
    case 'system':
    case 'developer':
      message = { role: 'system', content: parseTextContent(value['content'], `${path}.content`) };
      break;
    case 'user':
      message = { role: 'user', content: parseUserContent(value['content'], `${path}.content`) };
      break;
    case 'assistant':
      message = { role: 'assistant', content: parseAssistantContent(value, path) };
      break;
    case 'tool': {
      const toolCallId = value['tool_call_id'];
      if (typeof toolCallId !== 'string') throw invalid(`${path}.tool_call_id`, `Missing required parameter: '${path}.tool_call_id'`);
      const content = parseTextContent(value['content'], `${path}.content`);
      message = { role: 'tool', content: [{ type: 'tool-result', toolCallId, content }] };
      break;
    }
    case 'function':
      throw unsupported(`${path}.role`, "The deprecated 'function' role is not supported; answer tool calls with 'tool' messages");
    default:
      throw invalid(`${path}.role`, `Invalid value for '${path}.role': ${JSON.stringify(role)}. Supported values are: ${ROLES}`);
  }
  const name = value['name'];
  if (name !== undefined && name !== null && role !== 'tool') message.name = expectString(name, `${path}.name`);
  return message;
}

/** Content that may only be text: a string or an array of text parts. */
function parseTextContent(value: unknown, path: string): TextPart[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (value === undefined || value === null) throw invalid(path, `Missing required parameter: '${path}'`);
  if (!Array.isArray(value)) throw invalidType(path, value, 'a string or an array of content parts');
  return value.map((part: unknown, index) => {
    const partPath = `${path}[${index}]`;
    const type = partType(part, partPath);
    if (type !== 'text') throw invalid(`${partPath}.type`, `Invalid value for '${partPath}.type': ${JSON.stringify(type)}. Supported values are: 'text'`);
    return parseTextPart(part as Record<string, unknown>, partPath);
  });
}

function parseUserContent(value: unknown, path: string): Array<TextPart | ImagePart> {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (value === undefined || value === null) throw invalid(path, `Missing required parameter: '${path}'`);
  if (!Array.isArray(value)) throw invalidType(path, value, 'a string or an array of content parts');
  return value.map((part: unknown, index) => {
    const partPath = `${path}[${index}]`;
    const type = partType(part, partPath);
    const record = part as Record<string, unknown>;
    switch (type) {
      case 'text':
        return parseTextPart(record, partPath);
      case 'image_url':
        return parseImagePart(record['image_url'], `${partPath}.image_url`);
      case 'input_audio':
      case 'file':
        throw unsupported(`${partPath}.type`, `Content parts of type '${type}' are not supported by llmproxy`);
      default:
        throw invalid(
          `${partPath}.type`,
          `Invalid value for '${partPath}.type': ${JSON.stringify(type)}. Supported values are: 'text', 'image_url'`,
        );
    }
  });
}

function parseAssistantContent(message: Record<string, unknown>, path: string): ContentPart[] {
  const content: ContentPart[] = [];
  for (const key of ['audio', 'function_call'] as const) {
    if (message[key] !== undefined && message[key] !== null) {
      throw unsupported(`${path}.${key}`, `Assistant messages with \`${key}\` are not supported by llmproxy`);
    }
  }
  const reasoning = message['reasoning_content'];
  if (reasoning !== undefined && reasoning !== null && reasoning !== '') {
    content.push({ type: 'reasoning', text: expectString(reasoning, `${path}.reasoning_content`) });
  }
  const value = message['content'];
  if (typeof value === 'string') {
    if (value !== '') content.push({ type: 'text', text: value });
  } else if (Array.isArray(value)) {
    value.forEach((part: unknown, index) => {
      const partPath = `${path}.content[${index}]`;
      const type = partType(part, partPath);
      const record = part as Record<string, unknown>;
      // A past refusal is simply what the assistant said.
      if (type === 'text') content.push(parseTextPart(record, partPath));
      else if (type === 'refusal') content.push({ type: 'text', text: expectString(record['refusal'], `${partPath}.refusal`) });
      else throw invalid(`${partPath}.type`, `Invalid value for '${partPath}.type': ${JSON.stringify(type)}. Supported values are: 'text', 'refusal'`);
    });
  } else if (value !== undefined && value !== null) {
    throw invalidType(`${path}.content`, value, 'a string, an array of content parts or null');
  }
  const refusal = message['refusal'];
  if (typeof refusal === 'string' && refusal !== '') content.push({ type: 'text', text: refusal });
  const toolCalls = message['tool_calls'];
  if (toolCalls !== undefined && toolCalls !== null) {
    if (!Array.isArray(toolCalls)) throw invalidType(`${path}.tool_calls`, toolCalls, 'an array');
    toolCalls.forEach((call: unknown, index) => {
      const callPath = `${path}.tool_calls[${index}]`;
      if (!isRecord(call)) throw invalidType(callPath, call, 'an object');
      if (call['type'] !== undefined && call['type'] !== 'function') {
        throw unsupported(`${callPath}.type`, `Tool calls of type ${JSON.stringify(call['type'])} are not supported; only 'function'`);
      }
      const fn = call['function'];
      if (!isRecord(fn)) throw invalid(`${callPath}.function`, `Missing required parameter: '${callPath}.function'`);
      content.push({
        type: 'tool-call',
        id: expectString(call['id'], `${callPath}.id`),
        name: expectString(fn['name'], `${callPath}.function.name`),
        arguments: expectString(fn['arguments'], `${callPath}.function.arguments`),
      });
    });
  }
  return content;
}

function parseTextPart(part: Record<string, unknown>, path: string): TextPart {
  return { type: 'text', text: expectString(part['text'], `${path}.text`) };
}

function parseImagePart(value: unknown, path: string): ImagePart {
  // Some clients send the URL string directly instead of `{ url }`.
  const record = typeof value === 'string' ? { url: value } : value;
  if (!isRecord(record)) throw invalid(path, `Missing required parameter: '${path}'`);
  const url = expectString(record['url'], `${path}.url`);
  const detail = record['detail'];
  if (url.startsWith('data:')) {
    const marker = url.indexOf(';base64,');
    if (marker > 5) return { type: 'image', source: { type: 'base64', mediaType: url.slice(5, marker), data: url.slice(marker + 8) } };
  }
  if (detail === undefined || detail === null) return { type: 'image', source: { type: 'url', url } };
  if (detail !== 'auto' && detail !== 'low' && detail !== 'high') {
    throw invalid(`${path}.detail`, `Invalid value for '${path}.detail': ${JSON.stringify(detail)}. Supported values are: 'auto', 'low', 'high'`);
  }
  return { type: 'image', source: { type: 'url', url, detail } };
}

function parseTools(value: unknown): ToolDefinition[] {
  if (!Array.isArray(value)) throw invalidType('tools', value, 'an array');
  return value.map((tool: unknown, index) => {
    const path = `tools[${index}]`;
    if (!isRecord(tool)) throw invalidType(path, tool, 'an object');
    if (tool['type'] !== 'function') {
      throw unsupported(`${path}.type`, `Tools of type ${JSON.stringify(tool['type'])} are not supported; only 'function'`);
    }
    const fn = tool['function'];
    if (!isRecord(fn)) throw invalid(`${path}.function`, `Missing required parameter: '${path}.function'`);
    const definition: ToolDefinition = {
      name: expectString(fn['name'], `${path}.function.name`),
      parameters: NO_PARAMETERS,
    };
    const description = fn['description'];
    if (description !== undefined && description !== null) definition.description = expectString(description, `${path}.function.description`);
    const parameters = fn['parameters'];
    if (parameters !== undefined && parameters !== null) {
      if (!isRecord(parameters)) throw invalidType(`${path}.function.parameters`, parameters, 'a JSON Schema object');
      definition.parameters = parameters;
    }
    const strict = fn['strict'];
    if (strict !== undefined && strict !== null) definition.strict = expectBoolean(strict, `${path}.function.strict`);
    return definition;
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (typeof value === 'string') {
    throw invalid('tool_choice', `Invalid value for 'tool_choice': ${JSON.stringify(value)}. Supported values are: 'auto', 'none', 'required'`);
  }
  if (!isRecord(value)) throw invalidType('tool_choice', value, 'a string or an object');
  if (value['type'] !== 'function') {
    throw unsupported('tool_choice.type', `tool_choice of type ${JSON.stringify(value['type'])} is not supported; only 'function'`);
  }
  const fn = value['function'];
  if (!isRecord(fn)) throw invalid('tool_choice.function', "Missing required parameter: 'tool_choice.function'");
  return { name: expectString(fn['name'], 'tool_choice.function.name') };
}

function parseStop(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw invalidType('stop', value, 'a string or an array of strings');
  return value.map((item: unknown, index) => expectString(item, `stop[${index}]`));
}

function partType(part: unknown, path: string): string {
  if (!isRecord(part)) throw invalidType(path, part, 'an object');
  const type = part['type'];
  if (typeof type !== 'string') throw invalid(`${path}.type`, `Missing required parameter: '${path}.type'`);
  return type;
}
