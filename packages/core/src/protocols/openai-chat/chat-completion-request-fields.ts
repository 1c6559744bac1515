/**
 * @fileoverview The OpenAI Chat Completions front-end's declared request fields, for the
 * fidelity policy (canonical/translation-fidelity.ts, docs/translation.md). Content changes
 * what the model is asked; a hint changes how OpenAI stores, caches, bills or delivers an
 * answer, and is dropped for another API.
 */
import type { RequestFieldTable } from '../../canonical/translation-fidelity.js';

export const CHAT_COMPLETION_REQUEST_FIELDS: RequestFieldTable = Object.freeze({
  model: 'content',
  messages: 'content',
  stream: 'content',
  tools: 'content',
  tool_choice: 'content',
  parallel_tool_calls: 'content',
  max_tokens: 'content',
  max_completion_tokens: 'content',
  temperature: 'content',
  top_p: 'content',
  stop: 'content',
  reasoning_effort: 'content',
  n: 'content',
  logprobs: 'content',
  top_logprobs: 'content',
  audio: 'content',
  modalities: 'content',
  functions: 'content',
  function_call: 'content',
  response_format: 'content',
  seed: 'content',
  frequency_penalty: 'content',
  presence_penalty: 'content',
  logit_bias: 'content',
  user: 'hint',
  store: 'hint',
  metadata: 'hint',
  service_tier: 'hint',
  prompt_cache_key: 'hint',
  prompt_cache_retention: 'hint',
  safety_identifier: 'hint',
  stream_options: 'hint',
  // How long the answer's wording runs, and a latency optimisation.
  verbosity: 'hint',
  prediction: 'hint',
  // OpenAI's hosted web search.
  web_search_options: 'hint',
});
