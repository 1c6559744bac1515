/**
 * @fileoverview The OpenAI Responses front-end's declared request fields, for the fidelity
 * policy (canonical/translation-fidelity.ts, docs/translation.md). Content changes what the
 * model is asked; a hint changes how OpenAI stores, caches, bills, truncates or shows an
 * answer, and is dropped for another API, as are the hosted tools only OpenAI runs.
 */
import type { RequestFieldTable } from '../../canonical/translation-fidelity.js';

export const RESPONSES_REQUEST_FIELDS: RequestFieldTable = Object.freeze({
  model: 'content',
  input: 'content',
  instructions: 'content',
  previous_response_id: 'content',
  conversation: 'content',
  background: 'content',
  stream: 'content',
  tools: 'content',
  tool_choice: 'content',
  parallel_tool_calls: 'content',
  max_output_tokens: 'content',
  max_tool_calls: 'content',
  temperature: 'content',
  top_p: 'content',
  top_logprobs: 'content',
  // `effort` is translated; other settings of the reasoning itself are content.
  reasoning: 'content',
  // `text.format` (structured output) is content.
  text: 'content',
  prompt: 'content',
  user: 'hint',
  store: 'hint',
  include: 'hint',
  metadata: 'hint',
  client_metadata: 'hint',
  prompt_cache_key: 'hint',
  prompt_cache_retention: 'hint',
  safety_identifier: 'hint',
  service_tier: 'hint',
  truncation: 'hint',
  stream_options: 'hint',
  // How much of the reasoning is shown, and how long the answer's wording runs.
  'reasoning.summary': 'hint',
  'text.verbosity': 'hint',
  // Hosted tools (web_search, file_search, code_interpreter, ...), which only OpenAI runs.
  'tools[]': 'hint',
});
