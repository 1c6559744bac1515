/**
 * @fileoverview The parts of the OpenAI Responses API wire format that llmproxy reads and
 * writes (`POST /v1/responses`, its response object and its stream events). Field names are
 * the wire's own.
 */

export type ResponsesRole = 'user' | 'assistant' | 'system' | 'developer';

export interface ResponsesInputText {
  type: 'input_text';
  text: string;
}

export interface ResponsesInputImage {
  type: 'input_image';
  /** An https URL or a `data:<media type>;base64,...` URL. */
  image_url?: string | null;
  file_id?: string | null;
  detail?: 'auto' | 'low' | 'high';
}

export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs?: unknown[];
}

export interface ResponsesRefusal {
  type: 'refusal';
  refusal: string;
}

export interface ResponsesSummaryText {
  type: 'summary_text';
  text: string;
}

export interface ResponsesReasoningText {
  type: 'reasoning_text';
  text: string;
}

/** A message in `input` (the SDK's EasyInputMessage and ResponseInputMessageItem). */
export interface ResponsesMessageInputItem {
  type?: 'message';
  id?: string;
  role: ResponsesRole;
  content: string | Array<ResponsesInputText | ResponsesInputImage | ResponsesOutputText | ResponsesRefusal>;
  status?: string;
}

export interface ResponsesFunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  /** JSON text. */
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export interface ResponsesFunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  call_id: string;
  output: string | Array<ResponsesInputText | ResponsesInputImage>;
  status?: string;
}

export interface ResponsesReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: ResponsesSummaryText[];
  content?: ResponsesReasoningText[];
  /** Opaque reasoning state the client sends back on the next turn (with `store: false`). */
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export type ResponsesInputItem =
  | ResponsesMessageInputItem
  | ResponsesFunctionCallItem
  | ResponsesFunctionCallOutputItem
  | ResponsesReasoningItem;

/** A free-form tool: called with plain text (`input`), optionally constrained by a grammar. */
export interface ResponsesCustomTool {
  type: 'custom';
  name: string;
  description?: string;
  format?: { type: 'text' } | { type: 'grammar'; syntax: 'lark' | 'regex'; definition: string };
}

/** A function tool: name and parameters at the top level, unlike Chat Completions. */
export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters: Record<string, unknown> | null;
  strict?: boolean | null;
}

export type ResponsesToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

export interface ResponsesReasoningConfig {
  effort?: string | null;
  summary?: string | null;
}

/** The request body of `POST /responses`. Fields not listed here are passed through as they are. */
export interface ResponsesRequestBody {
  model: string;
  input: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: Array<ResponsesFunctionTool | Record<string, unknown>>;
  tool_choice?: ResponsesToolChoice | Record<string, unknown>;
  parallel_tool_calls?: boolean;
  max_output_tokens?: number;
  temperature?: number;
  top_p?: number;
  reasoning?: ResponsesReasoningConfig;
  stream?: boolean;
  store?: boolean;
  include?: string[];
  user?: string;
  [field: string]: unknown;
}

export interface ResponsesOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: Array<ResponsesOutputText | ResponsesRefusal>;
}

export interface ResponsesOutputFunctionCall {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  /** The namespace tool the function belongs to, when the client declared it in one. */
  namespace?: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

export interface ResponsesOutputReasoning {
  type: 'reasoning';
  id: string;
  summary: ResponsesSummaryText[];
  content?: ResponsesReasoningText[];
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export interface ResponsesOutputCustomToolCall {
  type: 'custom_tool_call';
  id: string;
  call_id: string;
  name: string;
  /** The namespace tool the custom tool belongs to, when the client declared it in one. */
  namespace?: string;
  input: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export type ResponsesOutputItem =
  | ResponsesOutputMessage
  | ResponsesOutputFunctionCall
  | ResponsesOutputCustomToolCall
  | ResponsesOutputReasoning;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponsesStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';

/** The `response` object, returned whole by a non-streamed request and inside lifecycle events. */
export interface ResponsesResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponsesStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponsesOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: unknown;
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: string;
  usage: ResponsesUsage | null;
  user: string | null;
  metadata: Record<string, unknown>;
  [field: string]: unknown;
}
