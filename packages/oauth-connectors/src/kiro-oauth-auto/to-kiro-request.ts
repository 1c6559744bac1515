/**
 * @fileoverview Canonical chat request → the body of Kiro's `generateAssistantResponse`:
 *
 * ```json
 * { "conversationState": {
 *     "chatTriggerType": "MANUAL", "conversationId": "...",
 *     "history": [ {"userInputMessage": {...}}, {"assistantResponseMessage": {...}}, ... ],
 *     "currentMessage": { "userInputMessage": {
 *       "content": "...", "modelId": "...", "origin": "AI_EDITOR", "images": [...],
 *       "userInputMessageContext": { "toolResults": [...], "tools": [...] } } } },
 *   "profileArn": "..." }
 * ```
 *
 * Kiro has no system prompt: system messages open the first user message. Turns alternate
 * (consecutive messages of one role are merged) and the conversation must end with the user's
 * turn. Tool calls of assistant turns go back as `toolUses` (input as an object), tool results as
 * `toolResults` of the next user turn, tool definitions as `tools` of the current message.
 * Kiro's API has no sampling, length or stop settings, so those are not sent; a forced tool
 * choice, images by URL and fields of another client protocol cannot be translated and are
 * refused by name.
 */
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatMessage, ChatRequest, ImagePart, TextPart, ToolDefinition } from '@llmproxy/connector-sdk';

export interface KiroRequestOptions {
  backendName: string;
  /** Stable for every turn of one conversation. */
  conversationId: string;
  /** Only social-login (Google/GitHub) accounts send one; Builder ID accounts must not. */
  profileArn?: string | undefined;
}

interface UserTurn {
  role: 'user';
  text: string[];
  images: Array<Record<string, unknown>>;
  toolResults: Array<Record<string, unknown>>;
}

interface AssistantTurn {
  role: 'assistant';
  text: string[];
  toolUses: Array<Record<string, unknown>>;
}

type Turn = UserTurn | AssistantTurn;

/** Kiro refuses an empty message text. */
const TOOL_RESULTS_ONLY_TEXT = 'Tool results are attached.';
const NO_TEXT = '(no text)';

export function toKiroRequest(request: ChatRequest, options: KiroRequestOptions): Record<string, unknown> {
  const { backendName } = options;
  refuseForeignExtras(request, backendName);
  if (request.toolChoice !== undefined && request.toolChoice !== 'auto' && request.toolChoice !== 'none') {
    throw notTranslatable('tool_choice', 'a required or named tool choice (Kiro always lets the model choose)', backendName);
  }
  const system = request.messages
    .filter((message) => message.role === 'system')
    .map((message) => textOf(message, backendName))
    .filter((text) => text !== '');
  const turns = toTurns(request.messages.filter((message) => message.role !== 'system'), backendName);
  const current = turns.pop();
  if (current === undefined || current.role !== 'user') {
    throw notTranslatable('messages', 'a conversation that does not end with a user message or tool results (Kiro answers only the user)', backendName);
  }
  const first = turns[0] ?? current;
  if (system.length > 0 && first.role === 'user') first.text.unshift(system.join('\n\n'));

  const model = request.model;
  const tools = request.toolChoice === 'none' ? [] : (request.tools ?? []).map(toKiroTool);
  const currentMessage = userInputMessage(current, model, tools);
  return {
    conversationState: {
      chatTriggerType: 'MANUAL',
      conversationId: options.conversationId,
      ...(turns.length === 0 ? {} : { history: turns.map((turn) => (turn.role === 'user' ? { userInputMessage: userInputMessage(turn, model, []) } : { assistantResponseMessage: assistantResponseMessage(turn) })) }),
      currentMessage: { userInputMessage: currentMessage },
    },
    ...(options.profileArn === undefined ? {} : { profileArn: options.profileArn }),
  };
}

function toTurns(messages: readonly ChatMessage[], backendName: string): Turn[] {
  const turns: Turn[] = [];
  const turnFor = (role: 'user' | 'assistant'): Turn => {
    const last = turns.at(-1);
    if (last?.role === role) return last;
    const created: Turn = role === 'user' ? { role, text: [], images: [], toolResults: [] } : { role, text: [], toolUses: [] };
    turns.push(created);
    return created;
  };
  messages.forEach((message, messageIndex) => {
    const turn = turnFor(message.role === 'assistant' ? 'assistant' : 'user');
    message.content.forEach((part, partIndex) => {
      const field = `messages[${messageIndex}].content[${partIndex}]`;
      switch (part.type) {
        case 'text':
          if (part.text !== '') turn.text.push(part.text);
          break;
        case 'image':
          if (turn.role !== 'user') throw notTranslatable(field, 'an image in an assistant message', backendName);
          turn.images.push(toKiroImage(part, field, backendName));
          break;
        case 'tool-call':
          if (turn.role !== 'assistant') throw notTranslatable(field, 'a tool call outside an assistant message', backendName);
          turn.toolUses.push({ toolUseId: part.id, name: part.name, input: parseArguments(part.arguments) });
          break;
        case 'tool-result':
          if (turn.role !== 'user') throw notTranslatable(field, 'a tool result in an assistant message', backendName);
          turn.toolResults.push({
            toolUseId: part.toolCallId,
            content: [{ text: part.content.map((item, itemIndex) => toolResultText(item, `${field}.content[${itemIndex}]`, backendName)).join('') }],
            status: part.isError === true ? 'error' : 'success',
          });
          break;
        case 'reasoning':
          // Earlier reasoning is the model's own state, which Kiro does not take back.
          break;
      }
    });
  });
  return turns;
}

function userInputMessage(turn: UserTurn, modelId: string, tools: Array<Record<string, unknown>>): Record<string, unknown> {
  const content = turn.text.join('\n\n') || (turn.toolResults.length > 0 ? TOOL_RESULTS_ONLY_TEXT : NO_TEXT);
  const context: Record<string, unknown> = {};
  if (turn.toolResults.length > 0) context['toolResults'] = turn.toolResults;
  if (tools.length > 0) context['tools'] = tools;
  return {
    content,
    modelId,
    origin: 'AI_EDITOR',
    ...(turn.images.length === 0 ? {} : { images: turn.images }),
    ...(Object.keys(context).length === 0 ? {} : { userInputMessageContext: context }),
  };
}

function assistantResponseMessage(turn: AssistantTurn): Record<string, unknown> {
  return { content: turn.text.join('\n\n'), ...(turn.toolUses.length === 0 ? {} : { toolUses: turn.toolUses }) };
}

function toKiroTool(tool: ToolDefinition): Record<string, unknown> {
  return {
    toolSpecification: {
      name: tool.name,
      // Kiro refuses a tool without a description.
      description: tool.description === undefined || tool.description.trim() === '' ? tool.name : tool.description,
      inputSchema: { json: tool.parameters },
    },
  };
}

function toKiroImage(part: ImagePart, field: string, backendName: string): Record<string, unknown> {
  if (part.source.type !== 'base64') throw notTranslatable(field, 'an image given by URL (Kiro takes image bytes only)', backendName);
  return { format: part.source.mediaType.replace(/^image\//, ''), source: { bytes: part.source.data } };
}

function toolResultText(item: TextPart | ImagePart, field: string, backendName: string): string {
  if (item.type === 'text') return item.text;
  throw notTranslatable(field, 'an image inside a tool result', backendName);
}

function textOf(message: ChatMessage, backendName: string): string {
  return message.content
    .map((part, partIndex) => {
      if (part.type !== 'text') throw notTranslatable(`system message content[${partIndex}]`, `a ${part.type} part in a system message`, backendName);
      return part.text;
    })
    .join('\n\n');
}

/** Tool arguments as the object Kiro expects; arguments that are not a JSON object travel as `{}`-wrapped text. */
function parseArguments(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text === '' ? '{}' : text);
    return isRecord(parsed) ? parsed : { value: parsed };
  } catch {
    return { arguments: text };
  }
}

function refuseForeignExtras(request: ChatRequest, backendName: string): void {
  const fields = Object.keys(request.protocolExtras?.fields ?? {});
  if (fields.length === 0) return;
  throw new LlmProxyError({
    code: 'REQUEST_NOT_TRANSLATABLE',
    message: `The request fields ${fields.map((field) => `\`${field}\``).join(', ')} (${request.protocolExtras?.protocol} only) cannot be sent to Kiro (backend ${backendName})`,
    fix: 'Remove those fields from the request, or use a backend whose API supports them',
    httpStatus: 400,
    details: { fields, to: 'kiro', backend: backendName },
  });
}

function notTranslatable(field: string, what: string, backendName: string): LlmProxyError {
  return new LlmProxyError({
    code: 'REQUEST_NOT_TRANSLATABLE',
    message: `The request field \`${field}\` (${what}) cannot be sent to Kiro (backend ${backendName})`,
    fix: 'Remove that content from the request, or use a backend whose API supports it',
    httpStatus: 400,
    details: { fields: [field], to: 'kiro', backend: backendName },
  });
}
