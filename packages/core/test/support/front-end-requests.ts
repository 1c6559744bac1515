/**
 * @fileoverview One minimal request per client API the proxy serves, and a shape check of each
 * API's error body, for the tests that drive the CLI with plain HTTP.
 */
export type FrontEnd = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export const FRONT_ENDS: readonly FrontEnd[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A valid request for `model` (`backend:model`) on `frontEnd`, authenticated with `clientKey`. */
export function chatRequest(frontEnd: FrontEnd, model: string, stream: boolean, clientKey: string): PreparedRequest {
  const json = { 'content-type': 'application/json' };
  switch (frontEnd) {
    case 'openai-chat':
      return {
        path: '/v1/chat/completions',
        headers: { ...json, authorization: `Bearer ${clientKey}` },
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
      };
    case 'openai-responses':
      return { path: '/v1/responses', headers: { ...json, authorization: `Bearer ${clientKey}` }, body: JSON.stringify({ model, stream, input: 'hi' }) };
    case 'anthropic':
      return {
        path: '/v1/messages',
        headers: { ...json, 'x-api-key': clientKey, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model, stream, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
      };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        headers: { ...json, 'x-goog-api-key': clientKey },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      };
  }
}

/** The family whose error format a path gets. */
export function errorFamilyOf(path: string): 'openai' | 'anthropic' | 'gemini' {
  const bare = path.split('?', 1)[0] ?? '';
  // Mirrors the server's route-family.ts.
  if (bare === '/v1/messages' || bare.startsWith('/v1/messages/') || bare === '/anthropic' || bare.startsWith('/anthropic/')) return 'anthropic';
  if (bare === '/v1beta' || bare.startsWith('/v1beta/')) return 'gemini';
  return 'openai';
}

/** Undefined when `body` is an error body of `family`'s API; otherwise what is wrong with it. */
export function errorShapeProblem(family: 'openai' | 'anthropic' | 'gemini', body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'not a JSON object';
  const record = body as Record<string, unknown>;
  const error = record['error'];
  if (typeof error !== 'object' || error === null) return 'no error object';
  const inner = error as Record<string, unknown>;
  if (typeof inner['message'] !== 'string') return 'error.message is not a string';
  switch (family) {
    case 'openai':
      return typeof inner['type'] === 'string' && 'param' in inner && 'code' in inner ? undefined : 'not {error:{message,type,param,code}}';
    case 'anthropic':
      return record['type'] === 'error' && typeof inner['type'] === 'string' ? undefined : 'not {type:"error",error:{type,message}}';
    case 'gemini':
      return typeof inner['code'] === 'number' && typeof inner['status'] === 'string' ? undefined : 'not {error:{code,message,status}}';
  }
}
