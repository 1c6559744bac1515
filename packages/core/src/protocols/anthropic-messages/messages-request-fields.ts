/**
 * @fileoverview The Anthropic Messages front-end's declared request fields, for the fidelity
 * policy (canonical/translation-fidelity.ts, docs/translation.md). Content changes what the
 * model is asked and is translated or refused by name; a hint changes how Anthropic caches,
 * bills, edits context or loads tools, never what is asked, and is dropped for another API.
 */
import type { RequestFieldTable } from '../../canonical/translation-fidelity.js';

export const MESSAGES_REQUEST_FIELDS: RequestFieldTable = Object.freeze({
  model: 'content',
  messages: 'content',
  system: 'content',
  max_tokens: 'content',
  stream: 'content',
  temperature: 'content',
  top_p: 'content',
  top_k: 'content',
  stop_sequences: 'content',
  tools: 'content',
  tool_choice: 'content',
  thinking: 'content',
  // `effort` is translated; `format` (structured output) is content no other API gets verbatim.
  output_config: 'content',
  // Request bookkeeping; `metadata.user_id` is translated as the canonical user.
  metadata: 'hint',
  service_tier: 'hint',
  // Prompt-cache breakpoints: other vendors cache prompts on their own.
  cache_control: 'hint',
  'system[].cache_control': 'hint',
  'messages[].content[].cache_control': 'hint',
  'messages[].content[].content[].cache_control': 'hint',
  'tools[].cache_control': 'hint',
  // Context editing: the proxy already sends other backends no earlier reasoning.
  context_management: 'hint',
  // Tool loading (tool search): every tool's schema is sent to other backends instead.
  'tools[].defer_loading': 'hint',
  // Tools Anthropic runs itself (web search, code execution, MCP connector, its containers).
  'tools[]': 'hint',
  mcp_servers: 'hint',
  container: 'hint',
});
