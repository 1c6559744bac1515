/**
 * @fileoverview Gemini `generateContent` request → canonical chat request, with errors that
 * name the offending field the way the request spells it (`contents[2].parts[0].functionCall`).
 * The API accepts snake_case field names too (`system_instruction`), and so does this parser.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatMessage, ChatRequest, ContentPart, ReasoningEffort, ToolChoice, ToolDefinition } from '@llmproxy/connector-sdk';
import { expectNumber, expectString, invalid, invalidType, unsupported } from '../../canonical/request-field-checks.js';
import { fromGeminiParts, type GeminiPartsReader } from './from-gemini-parts.js';
import { setGeminiTopK } from './gemini-provider-options.js';

/** Whether the client called `generateContent` or `streamGenerateContent`, and how it wants the stream framed. */
export interface GeminiCallOptions {
  stream: boolean;
  /** `?alt=sse`: server-sent events. Without it Gemini streams one JSON array. */
  sse: boolean;
}

export interface ParsedGeminiRequest {
  /** The canonical request; its `model` is the model from the URL until the router replaces it. */
  request: ChatRequest;
}

/** The empty parameter schema assumed for a function declared without one. */
const NO_PARAMETERS = Object.freeze({ type: 'object', properties: Object.freeze({}) });
const THINKING_LEVELS: Readonly<Record<string, ReasoningEffort>> = { minimal: 'minimal', low: 'low', medium: 'medium', high: 'high' };
/** Request fields that describe the call rather than the conversation. */
const IGNORED_FIELDS = new Set(['model']);

/**
 * Parses a request body for model `model` (from the URL). Modelled fields become canonical;
 * every other field is kept as a `gemini` extra under its path (`generationConfig.seed`,
 * `safetySettings`, `tools.googleSearch`), which a Gemini backend puts back and any other
 * backend refuses by name.
 *
 * Gemini function calls have no ids of their own. A call without an `id` gets one made from
 * its position (`call_<content>_<part>`), so the same history always gives the same ids (which
 * keeps upstream prompt caches warm); a `functionResponse` answers the call with its `id` when
 * it has one, and otherwise the earliest unanswered call of the same name, which is how Gemini
 * itself pairs them (by name and order).
 *
 * `thinkingConfig.thinkingBudget` becomes `reasoning.budgetTokens` (-1, "dynamic", asks for
 * reasoning without a budget), `thinkingLevel` the reasoning effort, and `includeThoughts`
 * asks for reasoning. `topK` goes to `providerOptions.gemini` (see gemini-provider-options.ts).
 * `toolConfig.functionCallingConfig` `ANY` with several `allowedFunctionNames` keeps only
 * those tools and requires a call; `VALIDATED` is treated as `AUTO`.
 */
export function parseGeminiRequest(body: unknown, model: string, call: GeminiCallOptions): ParsedGeminiRequest {
  if (!isRecord(body)) throw invalid(undefined, 'The request body must be a JSON object');
  const fields: Record<string, unknown> = {};
  const request: ChatRequest = { model, messages: [], stream: call.stream };
  let sawContents = false;
  let functionCalling: { mode: string | undefined; allowed: string[] | undefined } | undefined;

  for (const [rawKey, value] of Object.entries(body)) {
    if (isUnset(value)) continue;
    const key = camelCase(rawKey);
    switch (key) {
      case 'contents':
        sawContents = true;
        request.messages.push(...parseContents(value));
        break;
      case 'systemInstruction':
        request.messages.unshift(parseSystemInstruction(value));
        break;
      case 'tools':
        parseTools(value, request, fields);
        break;
      case 'toolConfig':
        functionCalling = parseToolConfig(value, fields);
        break;
      case 'generationConfig':
        parseGenerationConfig(value, request, fields);
        break;
      default:
        if (!IGNORED_FIELDS.has(key)) fields[key] = value;
    }
  }
  if (!sawContents) throw invalid('contents', "Missing required field: 'contents'");
  if (functionCalling !== undefined) applyFunctionCalling(functionCalling, request);
  request.protocolExtras = { protocol: 'gemini', fields };
  return { request };
}

function parseContents(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) throw invalidType('contents', value, 'an array of contents');
  if (value.length === 0) throw invalid('contents', "'contents' must not be empty");
  const calls: Array<{ id: string; name: string; answered: boolean }> = [];
  const messages: ChatMessage[] = [];
  value.forEach((content: unknown, contentIndex) => {
    const path = `contents[${contentIndex}]`;
    if (!isRecord(content)) throw invalidType(path, content, 'an object');
    const role = content['role'] ?? 'user';
    if (role !== 'user' && role !== 'model' && role !== 'function') {
      throw invalid(`${path}.role`, `Invalid value for '${path}.role': ${JSON.stringify(role)}. Supported values are: 'user', 'model'`);
    }
    const reader: GeminiPartsReader = {
      toolCallId(functionCall, partIndex) {
        const id = functionCall.id ?? `call_${contentIndex}_${partIndex}`;
        calls.push({ id, name: functionCall.name, answered: false });
        return id;
      },
      toolResultId(response, partIndex) {
        const answered =
          (response.id === undefined ? undefined : calls.find((entry) => !entry.answered && entry.id === response.id)) ??
          calls.find((entry) => !entry.answered && entry.name === response.name);
        if (answered === undefined) return response.id ?? `call_${contentIndex}_${partIndex}`;
        answered.answered = true;
        return answered.id;
      },
      fail: (partIndex, field, problem, unsupported) => partError(`${path}.parts`, partIndex, field, problem, unsupported),
    };
    const parts = fromGeminiParts(content['parts'] ?? [], reader);
    if (role === 'model') {
      messages.push({ role: 'assistant', content: parts });
      return;
    }
    for (const [partIndex, part] of parts.entries()) {
      if (part.type === 'reasoning' || part.type === 'tool-call') {
        throw invalid(`${path}.parts`, `'${path}.parts' has a ${part.type === 'reasoning' ? 'thought' : 'functionCall'} part (canonical part ${partIndex}); only 'model' contents may`);
      }
    }
    const onlyResults = parts.length > 0 && parts.every((part) => part.type === 'tool-result');
    messages.push({ role: onlyResults ? 'tool' : 'user', content: parts });
  });
  return messages;
}

function parseSystemInstruction(value: unknown): ChatMessage {
  // The SDKs turn a string into a content; accept the string as well.
  if (typeof value === 'string') return { role: 'system', content: [{ type: 'text', text: value }] };
  if (!isRecord(value)) throw invalidType('systemInstruction', value, 'a content object');
  const parts = value['parts'];
  if (!Array.isArray(parts)) throw invalidType('systemInstruction.parts', parts, 'an array of parts');
  const content: ContentPart[] = parts.map((part: unknown, index) => {
    const text = isRecord(part) ? part['text'] : undefined;
    if (typeof text !== 'string') throw unsupported(`systemInstruction.parts[${index}]`, 'Only text parts are supported in systemInstruction');
    return { type: 'text', text };
  });
  return { role: 'system', content };
}

function parseTools(value: unknown, request: ChatRequest, fields: Record<string, unknown>): void {
  if (!Array.isArray(value)) throw invalidType('tools', value, 'an array of tools');
  const definitions: ToolDefinition[] = [];
  value.forEach((tool: unknown, toolIndex) => {
    const path = `tools[${toolIndex}]`;
    if (!isRecord(tool)) throw invalidType(path, tool, 'an object');
    for (const [rawKind, declaration] of Object.entries(tool)) {
      // `{googleSearch: {}}` turns a built-in tool on: an empty object is not "unset" here.
      if (declaration === null || declaration === undefined) continue;
      const kind = camelCase(rawKind);
      if (kind !== 'functionDeclarations') {
        // Built-in tools (googleSearch, codeExecution, urlContext, ...) only a Gemini backend has.
        fields[`tools.${kind}`] = declaration;
        continue;
      }
      if (!Array.isArray(declaration)) throw invalidType(`${path}.functionDeclarations`, declaration, 'an array');
      declaration.forEach((entry: unknown, index) => definitions.push(parseFunctionDeclaration(entry, `${path}.functionDeclarations[${index}]`)));
    }
  });
  if (definitions.length > 0) request.tools = definitions;
}

function parseFunctionDeclaration(value: unknown, path: string): ToolDefinition {
  if (!isRecord(value)) throw invalidType(path, value, 'an object');
  const definition: ToolDefinition = { name: '', parameters: NO_PARAMETERS };
  for (const [rawKey, field] of Object.entries(value)) {
    if (field === null || field === undefined) continue;
    const key = camelCase(rawKey);
    switch (key) {
      case 'name':
        definition.name = expectString(field, `${path}.name`);
        break;
      case 'description':
        definition.description = expectString(field, `${path}.description`);
        break;
      case 'parameters':
        if (!isRecord(field)) throw invalidType(`${path}.parameters`, field, 'a schema object');
        definition.parameters = toJsonSchema(field);
        break;
      case 'parametersJsonSchema':
        if (!isRecord(field)) throw invalidType(`${path}.parametersJsonSchema`, field, 'a JSON Schema object');
        definition.parameters = field;
        break;
      default:
        throw unsupported(`${path}.${key}`, `The function declaration field '${key}' is not supported by llmproxy`);
    }
  }
  if (definition.name === '') throw invalid(`${path}.name`, `Missing required field: '${path}.name'`);
  return definition;
}

/**
 * A Gemini `Schema` (OpenAPI 3.0 subset, types in upper case) as JSON Schema: the same object
 * with its types in lower case, in nested schemas too. Property names are never touched.
 */
export function toJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') result[key] = typeof value === 'string' ? value.toLowerCase() : Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item.toLowerCase() : item)) : value;
    else if ((key === 'properties' || key === '$defs' || key === 'definitions') && isRecord(value)) {
      result[key] = Object.fromEntries(Object.entries(value).map(([name, nested]) => [name, isRecord(nested) ? toJsonSchema(nested) : nested]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isRecord(value)) result[key] = toJsonSchema(value);
    else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf' || key === 'prefixItems') && Array.isArray(value)) {
      result[key] = value.map((nested: unknown) => (isRecord(nested) ? toJsonSchema(nested) : nested));
    } else result[key] = value;
  }
  return result;
}

function parseToolConfig(value: unknown, fields: Record<string, unknown>): { mode: string | undefined; allowed: string[] | undefined } | undefined {
  if (!isRecord(value)) throw invalidType('toolConfig', value, 'an object');
  let result: { mode: string | undefined; allowed: string[] | undefined } | undefined;
  for (const [rawKey, field] of Object.entries(value)) {
    if (isUnset(field)) continue;
    const key = camelCase(rawKey);
    if (key !== 'functionCallingConfig') {
      fields[`toolConfig.${key}`] = field;
      continue;
    }
    if (!isRecord(field)) throw invalidType('toolConfig.functionCallingConfig', field, 'an object');
    const mode = field['mode'];
    const allowed = field['allowedFunctionNames'] ?? field['allowed_function_names'];
    if (mode !== undefined && typeof mode !== 'string') throw invalidType('toolConfig.functionCallingConfig.mode', mode, 'a string');
    if (allowed !== undefined && (!Array.isArray(allowed) || !allowed.every((name) => typeof name === 'string'))) {
      throw invalidType('toolConfig.functionCallingConfig.allowedFunctionNames', allowed, 'an array of strings');
    }
    result = { mode: mode?.toUpperCase(), allowed: allowed as string[] | undefined };
  }
  return result;
}

function applyFunctionCalling(config: { mode: string | undefined; allowed: string[] | undefined }, request: ChatRequest): void {
  const param = 'toolConfig.functionCallingConfig.mode';
  const allowed = config.allowed !== undefined && config.allowed.length > 0 ? config.allowed : undefined;
  let choice: ToolChoice | undefined;
  switch (config.mode) {
    case undefined:
    case 'MODE_UNSPECIFIED':
    case 'AUTO':
    case 'VALIDATED':
      choice = config.mode === undefined && allowed === undefined ? undefined : 'auto';
      break;
    case 'NONE':
      choice = 'none';
      break;
    case 'ANY':
      choice = allowed?.length === 1 ? { name: allowed[0] as string } : 'required';
      break;
    default:
      throw invalid(param, `Invalid value for '${param}': ${JSON.stringify(config.mode)}. Supported values are: 'AUTO', 'ANY', 'NONE', 'VALIDATED'`);
  }
  if (allowed !== undefined) {
    const known = new Set((request.tools ?? []).map((tool) => tool.name));
    const unknown = allowed.find((name) => !known.has(name));
    if (unknown !== undefined) {
      throw invalid('toolConfig.functionCallingConfig.allowedFunctionNames', `'allowedFunctionNames' names ${JSON.stringify(unknown)}, which no function declaration declares`);
    }
    const permitted = new Set(allowed);
    if (request.tools !== undefined) request.tools = request.tools.filter((tool) => permitted.has(tool.name));
  }
  if (choice !== undefined) request.toolChoice = choice;
}

function parseGenerationConfig(value: unknown, request: ChatRequest, fields: Record<string, unknown>): void {
  if (!isRecord(value)) throw invalidType('generationConfig', value, 'an object');
  for (const [rawKey, field] of Object.entries(value)) {
    if (isUnset(field)) continue;
    const key = camelCase(rawKey);
    const path = `generationConfig.${key}`;
    switch (key) {
      case 'temperature':
        request.temperature = expectNumber(field, path);
        break;
      case 'topP':
        request.topP = expectNumber(field, path);
        break;
      case 'topK':
        setGeminiTopK(request, expectNumber(field, path));
        break;
      case 'maxOutputTokens': {
        const count = expectNumber(field, path);
        if (!Number.isInteger(count) || count < 1) throw invalid(path, `Invalid value for '${path}': ${count}. Expected an integer of at least 1`);
        request.maxOutputTokens = count;
        break;
      }
      case 'stopSequences':
        if (!Array.isArray(field)) throw invalidType(path, field, 'an array of strings');
        request.stop = field.map((item: unknown, index) => expectString(item, `${path}[${index}]`));
        break;
      case 'candidateCount':
        if (expectNumber(field, path) !== 1) throw unsupported(path, 'Only candidateCount = 1 is supported: llmproxy returns one candidate per request');
        break;
      case 'thinkingConfig':
        parseThinkingConfig(field, request, fields);
        break;
      default:
        fields[path] = field;
    }
  }
}

function parseThinkingConfig(value: unknown, request: ChatRequest, fields: Record<string, unknown>): void {
  if (!isRecord(value)) throw invalidType('generationConfig.thinkingConfig', value, 'an object');
  let reasoning: NonNullable<ChatRequest['reasoning']> | undefined;
  for (const [rawKey, field] of Object.entries(value)) {
    if (isUnset(field)) continue;
    const key = camelCase(rawKey);
    const path = `generationConfig.thinkingConfig.${key}`;
    switch (key) {
      case 'thinkingBudget': {
        const budget = expectNumber(field, path);
        if (!Number.isInteger(budget) || budget < -1) throw invalid(path, `Invalid value for '${path}': ${budget}. Expected -1 (dynamic), 0 (off) or a token count`);
        reasoning ??= {};
        if (budget >= 0) reasoning.budgetTokens = budget;
        break;
      }
      case 'thinkingLevel': {
        const level = expectString(field, path).toLowerCase();
        const effort = THINKING_LEVELS[level];
        if (effort === undefined) throw invalid(path, `Invalid value for '${path}': ${JSON.stringify(field)}. Supported values are: 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH'`);
        reasoning = { ...reasoning, effort };
        break;
      }
      case 'includeThoughts':
        if (typeof field !== 'boolean') throw invalidType(path, field, 'a boolean');
        if (field) reasoning ??= {};
        break;
      default:
        fields[path] = field;
    }
  }
  if (reasoning !== undefined) request.reasoning = reasoning;
}

/**
 * Values that mean "not set" in Gemini's own schema: null, an empty object, and the
 * `*_UNSPECIFIED` member every Gemini enum has. They are treated as absent, never refused.
 */
function isUnset(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return /^[A-Z][A-Z0-9_]*_UNSPECIFIED$/.test(value);
  return isRecord(value) && Object.keys(value).length === 0;
}

/** `system_instruction` → `systemInstruction`: the API accepts both spellings. */
function camelCase(key: string): string {
  return key.includes('_') ? key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase()) : key;
}

function partError(path: string, partIndex: number, field: string, problem: string, isUnsupported: boolean): LlmProxyError {
  const param = partIndex < 0 ? path.replace(/\.parts$/, `.${field}`) : `${path}[${partIndex}]${field === '' ? '' : `.${field}`}`;
  return isUnsupported
    ? unsupported(param, `Parts with '${field}' are not supported by llmproxy`)
    : invalid(param, `Invalid value for '${param}': it ${problem}`);
}
