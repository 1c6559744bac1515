/**
 * @fileoverview The OpenAI Chat Completions wire format, as far as llmproxy reads or writes it.
 * Shared by the OpenAI connectors (which send requests and read responses) and the OpenAI Chat
 * front-end (which reads requests and writes responses), so both sides agree on one shape.
 */

export type OpenAIChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIChatMessage {
  role: OpenAIChatRole;
  content?: string | OpenAIContentPart[] | null;
  name?: string;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
  /** Reasoning text as DeepSeek, vLLM and Qwen servers exchange it; not part of OpenAI's own API. */
  reasoning_content?: string;
}

export interface OpenAITool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type OpenAIToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export interface OpenAIChatRequestBody {
  model: string;
  messages: OpenAIChatMessage[];
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  stream?: boolean;
  stream_options?: Record<string, unknown>;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  reasoning_effort?: string;
  user?: string;
  [field: string]: unknown;
}

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; [field: string]: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: number; [field: string]: unknown } | null;
}

export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: OpenAIChatMessage & { refusal?: string | null; [field: string]: unknown };
    finish_reason: OpenAIFinishReason | null;
    logprobs?: unknown;
  }>;
  usage?: OpenAIUsage;
  [field: string]: unknown;
}

export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      reasoning_content?: string | null;
      refusal?: string | null;
      tool_calls?: OpenAIToolCallDelta[];
    };
    finish_reason: OpenAIFinishReason | null;
    logprobs?: unknown;
  }>;
  usage?: OpenAIUsage | null;
  [field: string]: unknown;
}

/** The `error` object of an OpenAI error body (`{"error": {...}}`). */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | number | null;
}
