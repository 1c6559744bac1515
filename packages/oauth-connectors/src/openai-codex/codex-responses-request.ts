/**
 * @fileoverview A request to the ChatGPT backend's Codex Responses endpoint
 * (`{base_url}/codex/responses`), shaped as the Codex CLI sends it:
 *
 * - headers: the bearer token, `chatgpt-account-id`, `originator: codex_cli_rs`, a Codex CLI
 *   `User-Agent` and `version`, `session_id`, and `accept: text/event-stream`;
 * - body: the Responses body from core's codec with `stream: true` (the endpoint only streams),
 *   `store: false` (it keeps nothing), `instructions` (required; the client's system prompt, or
 *   the configured default), and `prompt_cache_key` equal to `session_id`, stable for every turn
 *   of one conversation so the upstream prompt cache is reused.
 *
 * The endpoint refuses the sampling and length fields of the public API (`max_output_tokens`,
 * `temperature`, `top_p`), so they are not sent.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import type { ChatRequest, OpenAIResponsesWireCodec } from '@llmproxy/connector-sdk';
import { conversationKey } from '../account-pool/conversation-key.js';

export const CODEX_BASE_URL = 'https://chatgpt.com/backend-api';
export const CODEX_ORIGINATOR = 'codex_cli_rs';
/** The Codex CLI version the requests present (`version` header and User-Agent); configurable. */
export const DEFAULT_CODEX_CLIENT_VERSION = '0.63.0';
export const DEFAULT_CODEX_INSTRUCTIONS = 'You are a helpful assistant.';

/** Fields of the public Responses API the ChatGPT Codex endpoint refuses. */
const UNSUPPORTED_FIELDS = ['max_output_tokens', 'temperature', 'top_p'] as const;

export function codexResponsesUrl(baseUrl: string): string {
  return `${baseUrl}/codex/responses`;
}

export interface CodexRequestBodyOptions {
  backendName: string;
  instructions: string;
}

/** The body, and the session id (= `prompt_cache_key`) it was built with. */
export function codexRequestBody(
  codec: OpenAIResponsesWireCodec,
  request: ChatRequest,
  options: CodexRequestBodyOptions,
): { body: Record<string, unknown>; sessionId: string } {
  const body = codec.toBody(request, {
    backendName: options.backendName,
    defaults: { store: false, include: ['reasoning.encrypted_content'] },
  });
  for (const field of UNSUPPORTED_FIELDS) delete body[field];
  body['stream'] = true;
  body['store'] = false;
  if (typeof body['instructions'] !== 'string' || body['instructions'] === '') body['instructions'] = options.instructions;
  // A Responses client (the Codex CLI itself) may bring its own key; otherwise one per conversation.
  const sessionId = typeof body['prompt_cache_key'] === 'string' && body['prompt_cache_key'] !== '' ? body['prompt_cache_key'] : conversationSessionId(request);
  body['prompt_cache_key'] = sessionId;
  return { body, sessionId };
}

/** A UUID-shaped id derived from the conversation's opening, the same for every turn. */
export function conversationSessionId(request: ChatRequest): string {
  const hex = createHash('sha256').update(`codex-session:${conversationKey(request)}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface CodexHeaderOptions {
  accessToken: string;
  accountId: string;
  sessionId: string;
  clientVersion: string;
}

export function codexHeaders(options: CodexHeaderOptions): Record<string, string> {
  return {
    authorization: `Bearer ${options.accessToken}`,
    'chatgpt-account-id': options.accountId,
    originator: CODEX_ORIGINATOR,
    'user-agent': `${CODEX_ORIGINATOR}/${options.clientVersion} (${os.type()} ${os.release()}; ${os.arch()}) llmproxy`,
    version: options.clientVersion,
    session_id: options.sessionId,
    'openai-beta': 'responses=experimental',
    accept: 'text/event-stream',
  };
}
