/**
 * @fileoverview Which client API a request path belongs to, so that every response to it
 * (errors included, even a 401 or a 404) comes back in the error format that client parses.
 */

/** The client API families the proxy answers in. */
export type RouteFamily = 'openai' | 'anthropic' | 'gemini';

/** Classifies a request path: Anthropic Messages, Gemini, or OpenAI for everything else. */
export function routeFamilyOf(path: string): RouteFamily {
  if (path === '/v1/messages' || path.startsWith('/v1/messages/') || path === '/anthropic' || path.startsWith('/anthropic/')) {
    return 'anthropic';
  }
  if (path === '/v1beta' || path.startsWith('/v1beta/')) return 'gemini';
  return 'openai';
}
