/**
 * @fileoverview Canonical chat request → Gemini `generateContent` request body. Independent of
 * HTTP and of the URL shape, so the Generative Language API connector and the Code Assist
 * connector (which wraps this body in its own envelope) share it.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice, ToolResultPart } from '@llmproxy/connector-sdk';
import { forwardableProtocolExtras } from '../../canonical/forwardable-protocol-extras.js';
import { budgetTokensFromEffort } from '../../canonical/reasoning-budget.js';
import { geminiTopKOf } from './gemini-provider-options.js';
import type {
  GeminiGenerateContentRequest,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiThinkingConfig,
  GeminiThinkingLevel,
  GeminiTool,
  GeminiToolConfig,
} from './gemini-wire-types.js';
import { toGeminiParts } from './to-gemini-parts.js';

/**
 * The signature Google documents for function calls in a history that Gemini did not produce
 * (another vendor's turns, or a client that cannot keep signatures, such as OpenAI Chat
 * clients): Gemini 3 refuses a step whose first function call has no signature at all.
 */
export const FOREIGN_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

export interface GeminiRequestOptions {
  /** The backend name, for error messages. */
  backendName: string;
  /** Names the upstream API in error messages, e.g. `the Gemini API` or `Gemini Code Assist`. */
  upstreamName?: string;
}

/**
 * Builds the request body. System messages become `systemInstruction` (in order, wherever they
 * stand); user and tool messages become `user` contents and assistant messages `model`
 * contents, consecutive ones of the same role joined, since Gemini wants all answers to one
 * step's function calls in one content. Tool results name their function, found from the tool
 * call they answer. Gemini has no call ids, so none are sent.
 *
 * `reasoning` becomes `thinkingConfig` with `includeThoughts` (so thoughts reach every client
 * that can show them): `budgetTokens` as `thinkingBudget`, an effort as `thinkingLevel` for
 * Gemini 3 models and as the equivalent `thinkingBudget` for earlier ones. Reasoning keeps its
 * signature only when it is base64 (the only kind Gemini accepts); Anthropic's redacted thinking
 * has no Gemini form and is left out.
 *
 * A `providerOptions.gemini.topK` (see gemini-provider-options.ts) becomes `generationConfig.topK`.
 * `parallelToolCalls` (Gemini decides how many calls a step makes), `user` and a message's participant
 * `name` have no Gemini field and are not sent. Extras from a Gemini client
 * (`generationConfig.seed`, `safetySettings`, `tools.googleSearch`, ...) are merged back where
 * they came from; extras from other protocols are refused by name (`REQUEST_NOT_TRANSLATABLE`).
 */
export function toGeminiRequest(request: ChatRequest, options: GeminiRequestOptions): GeminiGenerateContentRequest {
  const extras = forwardableProtocolExtras(request, 'gemini', options.backendName) ?? {};
  const context: ConversionContext = { ...options, toolNames: new Map() };
  const body: GeminiGenerateContentRequest = { contents: [] };

  const systemParts: GeminiPart[] = [];
  request.messages.forEach((message, messageIndex) => {
    if (message.role === 'system') {
      message.content.forEach((part, partIndex) => {
        if (part.type !== 'text') throw notTranslatable(`messages[${messageIndex}].content[${partIndex}]`, `a ${part.type} part in a system message`, context);
        if (part.text !== '') systemParts.push({ text: part.text });
      });
      return;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts = toContentParts(message, messageIndex, context);
    if (role === 'model') markForeignFunctionCalls(parts);
    if (parts.length === 0) return;
    const previous = body.contents.at(-1);
    if (previous !== undefined && previous.role === role) previous.parts.push(...parts);
    else body.contents.push({ role, parts });
  });
  if (systemParts.length > 0) body.systemInstruction = { parts: systemParts };

  const tools = toGeminiTools(request);
  if (tools !== undefined) body.tools = tools;
  if (request.toolChoice !== undefined) body.toolConfig = toGeminiToolConfig(request.toolChoice);
  const generationConfig = toGenerationConfig(request);
  if (generationConfig !== undefined) body.generationConfig = generationConfig;
  mergeGeminiExtras(body, extras);
  return body;
}

interface ConversionContext extends GeminiRequestOptions {
  /** Tool call id → function name, filled as assistant messages are read. */
  toolNames: Map<string, string>;
}

function toContentParts(message: ChatMessage, messageIndex: number, context: ConversionContext): GeminiPart[] {
  message.content.forEach((part, partIndex) => {
    if (part.type === 'tool-call') {
      if (message.role !== 'assistant') throw unsupportedPart(messageIndex, partIndex, part, message.role, context);
      context.toolNames.set(part.id, part.name);
    } else if (part.type === 'tool-result' && message.role === 'assistant') {
      throw unsupportedPart(messageIndex, partIndex, part, message.role, context);
    } else if (part.type === 'reasoning' && message.role !== 'assistant') {
      throw unsupportedPart(messageIndex, partIndex, part, message.role, context);
    }
  });
  return toGeminiParts(message.content, {
    includeToolCallIds: false,
    signatureOf: (part) => (part.signature !== undefined && isGeminiSignature(part.signature) ? part.signature : undefined),
    toolName(part: ToolResultPart, partIndex) {
      const name = context.toolNames.get(part.toolCallId);
      if (name === undefined) {
        throw notTranslatable(
          `messages[${messageIndex}].content[${partIndex}].toolCallId`,
          `a tool result for ${JSON.stringify(part.toolCallId)}, which answers no earlier tool call, so its function name is unknown`,
          context,
        );
      }
      return name;
    },
    invalidArguments(part, partIndex) {
      throw notTranslatable(
        `messages[${messageIndex}].content[${partIndex}].arguments`,
        `the arguments of tool call ${JSON.stringify(part.id)}, which are not a JSON object`,
        context,
      );
    },
  });
}

/**
 * Whether Gemini could read `signature`: its signatures are base64 bytes, and the API refuses a
 * request whose signature does not decode. Markers other connectors use for their own opaque
 * data (Anthropic's redacted thinking) are not base64 and are left out; a function call that
 * loses its signature this way gets the foreign-history stand-in.
 */
function isGeminiSignature(signature: string): boolean {
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(signature);
}

/** Gives the first function call of a model content the foreign-history signature when it has none. */
function markForeignFunctionCalls(parts: GeminiPart[]): void {
  const firstCall = parts.find((part) => part.functionCall !== undefined);
  if (firstCall !== undefined && firstCall.thoughtSignature === undefined) firstCall.thoughtSignature = FOREIGN_THOUGHT_SIGNATURE;
}

function toGeminiTools(request: ChatRequest): GeminiTool[] | undefined {
  if (request.tools === undefined || request.tools.length === 0) return undefined;
  return [
    {
      functionDeclarations: request.tools.map((tool) => ({
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parametersJsonSchema: tool.parameters,
      })),
    },
  ];
}

function toGeminiToolConfig(choice: ToolChoice): GeminiToolConfig {
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
}

function toGenerationConfig(request: ChatRequest): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  const topK = geminiTopKOf(request);
  if (topK !== undefined) config.topK = topK;
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  const thinking = toThinkingConfig(request);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return Object.keys(config).length === 0 ? undefined : config;
}

function toThinkingConfig(request: ChatRequest): GeminiThinkingConfig | undefined {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return undefined;
  const config: GeminiThinkingConfig = {};
  if (reasoning.budgetTokens !== undefined) config.thinkingBudget = reasoning.budgetTokens;
  else if (reasoning.effort !== undefined && isGemini3(request.model)) config.thinkingLevel = reasoning.effort.toUpperCase() as GeminiThinkingLevel;
  else if (reasoning.effort !== undefined) config.thinkingBudget = budgetTokensFromEffort(reasoning.effort);
  // A budget of 0 turns thinking off; there are no thoughts to include then.
  if (config.thinkingBudget !== 0) config.includeThoughts = true;
  return config;
}

/** Gemini 3 models take a thinking level; earlier ones only a budget. */
function isGemini3(model: string): boolean {
  return /(^|\/)gemini-3/.test(model);
}

/**
 * Puts a Gemini client's extras back: `generationConfig.<field>` and `toolConfig.<field>` into
 * those objects, `tools.<kind>` as a tool of its own, anything else at the top level. Fields
 * the canonical conversion set win.
 */
function mergeGeminiExtras(body: GeminiGenerateContentRequest, extras: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(extras)) {
    if (name.startsWith('tools.')) {
      (body.tools ??= []).push({ [name.slice('tools.'.length)]: value });
      continue;
    }
    const path = name.split('.');
    let target: Record<string, unknown> = body;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    const last = path.at(-1) as string;
    if (target[last] === undefined) target[last] = value;
  }
}

function unsupportedPart(messageIndex: number, partIndex: number, part: ContentPart, role: string, context: ConversionContext): LlmProxyError {
  return notTranslatable(`messages[${messageIndex}].content[${partIndex}]`, `a ${part.type} part in a ${role} message`, context);
}

function notTranslatable(field: string, what: string, context: GeminiRequestOptions): LlmProxyError {
  return new LlmProxyError({
    code: 'REQUEST_NOT_TRANSLATABLE',
    message: `The request field \`${field}\` (${what}) cannot be sent to ${context.upstreamName ?? 'the Gemini API'} (backend ${context.backendName})`,
    fix: 'Remove that content from the request, or use a backend whose API supports it',
    httpStatus: 400,
    details: { fields: [field], to: 'gemini', backend: context.backendName },
  });
}
