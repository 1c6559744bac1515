/**
 * @fileoverview The backend columns of the compatibility matrix: the model each cell asks for
 * (which picks the proxy's backend, and for `openai` the upstream API through the default
 * `responses_models`), and the upstream API that model's requests must arrive on.
 */
export const BACKENDS = [
  { id: 'openai-chat', title: 'openai (Chat)', model: 'openai:gpt-4.1', upstreamApi: 'chat' },
  { id: 'openai-responses', title: 'openai (Responses)', model: 'openai:gpt-5-codex', upstreamApi: 'responses' },
  { id: 'anthropic', title: 'anthropic', model: 'anthropic:claude-sonnet-4-5', upstreamApi: 'messages' },
  { id: 'gemini', title: 'gemini', model: 'gemini:gemini-2.5-flash', upstreamApi: 'gemini' },
];
