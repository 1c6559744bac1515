/**
 * @fileoverview The canonical chat model. Every front-end converts its wire format to and from
 * these types, and every connector converts them to and from its upstream's wire format, so N
 * front-ends and M backends need N + M converters rather than N × M.
 */

/** Wire protocols a client or an upstream may speak. */
export type WireProtocol = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/**
 * Vendor-specific hints keyed by vendor (`anthropic`, `gemini`, `openai`, ...), e.g.
 * `{ anthropic: { cache_control: { type: 'ephemeral' } } }`. A hint changes how a vendor
 * processes a request (caching, exact thinking settings), never what the answer says, so a
 * connector applies its own vendor's hints and ignores the others.
 */
export type ProviderOptions = Record<string, Record<string, unknown>>;

export interface TextPart {
  type: 'text';
  text: string;
  providerOptions?: ProviderOptions;
}

export type ImageSource =
  | { type: 'url'; url: string; detail?: 'auto' | 'low' | 'high' }
  | { type: 'base64'; mediaType: string; data: string };

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  providerOptions?: ProviderOptions;
}

/** Model reasoning ("thinking"). Signatures must survive a round trip back to the same vendor. */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Anthropic `thinking.signature` or Gemini `thoughtSignature`. */
  signature?: string;
  /** Anthropic `redacted_thinking.data`: opaque, returned verbatim. */
  redactedData?: string;
  providerOptions?: ProviderOptions;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the model produced them. */
  arguments: string;
  providerOptions?: ProviderOptions;
}

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  providerOptions?: ProviderOptions;
}

export type ContentPart = TextPart | ImagePart | ReasoningPart | ToolCallPart | ToolResultPart;

export interface ChatMessage {
  role: ChatRole;
  content: ContentPart[];
  /** Optional participant name (OpenAI `name`). */
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  providerOptions?: ProviderOptions;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/**
 * Fields of a client request or an upstream response that the canonical model does not
 * describe, kept with the protocol they came from. A connector that speaks the same protocol
 * forwards them unchanged; any other connector must reject what it cannot translate, naming
 * the field, rather than drop it silently.
 */
export interface ProtocolExtras {
  protocol: WireProtocol;
  fields: Record<string, unknown>;
}

export interface ChatRequest {
  /** The model name within the backend (the `backend:` prefix already removed). */
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  /** Whether the client asked for a stream. */
  stream: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  reasoning?: { effort?: ReasoningEffort; budgetTokens?: number };
  /** An end-user identifier supplied by the client. */
  user?: string;
  /** Request-level vendor hints (e.g. Anthropic's exact `thinking` object). */
  providerOptions?: ProviderOptions;
  protocolExtras?: ProtocolExtras;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens?: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

export interface ChatResponse {
  id: string;
  /** The model that answered, as the upstream names it. */
  model: string;
  /** Unix seconds. */
  created: number;
  content: Array<TextPart | ReasoningPart | ToolCallPart>;
  finishReason: FinishReason;
  /** The stop sequence that ended the answer, when the upstream says (finishReason `stop`). */
  stopSequence?: string;
  usage?: Usage;
  protocolExtras?: ProtocolExtras;
}

/**
 * Events of a streamed answer, in order: one `response-start`, then deltas, then `finish`,
 * optionally `usage`. Tool-call deltas name the call by `index` (its position among the
 * answer's tool calls); a call's `tool-call-start` precedes its deltas. Errors are thrown from
 * the iterator, not sent as events.
 */
export type ChatEvent =
  | { type: 'response-start'; id: string; model: string; created: number; protocolExtras?: ProtocolExtras }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string; signature?: string; redactedData?: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'finish'; finishReason: FinishReason; stopSequence?: string }
  | { type: 'usage'; usage: Usage };

export type ChatResult =
  | { type: 'response'; response: ChatResponse }
  | { type: 'stream'; events: AsyncIterable<ChatEvent> };

export interface ModelInfo {
  /** The model name within the backend. */
  id: string;
  /** Who owns the model, when the upstream says. */
  ownedBy?: string;
  created?: number;
}
