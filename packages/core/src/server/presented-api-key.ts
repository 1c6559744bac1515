/**
 * @fileoverview Finds the API key a client sent, in the places each client family puts it:
 * OpenAI SDKs use `Authorization: Bearer`, Anthropic SDKs `x-api-key`, Gemini SDKs
 * `x-goog-api-key` or the `key` query parameter.
 */
import type { Request } from 'express';
import type { RouteFamily } from './route-family.js';

/** Where a key was found; safe to log and to show (the key itself never is). */
export type ApiKeySource = 'Authorization header' | 'x-api-key header' | 'x-goog-api-key header' | 'key query parameter';

export interface PresentedApiKey {
  key: string;
  source: ApiKeySource;
}

/** The first key the request carries, or undefined when it carries none. */
export function presentedApiKey(request: Request, family: RouteFamily): PresentedApiKey | undefined {
  const bearer = /^Bearer[ \t]+(\S.*)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  if (bearer) return { key: bearer, source: 'Authorization header' };
  const anthropicKey = singleHeader(request.headers['x-api-key']);
  if (anthropicKey) return { key: anthropicKey, source: 'x-api-key header' };
  const googleKey = singleHeader(request.headers['x-goog-api-key']);
  if (googleKey) return { key: googleKey, source: 'x-goog-api-key header' };
  // Only Gemini clients put keys in URLs; elsewhere a key in the query string is not accepted,
  // so that keys do not spread into URLs that proxies and browsers record.
  if (family === 'gemini') {
    const queryKey = request.query['key'];
    if (typeof queryKey === 'string' && queryKey.trim() !== '') return { key: queryKey.trim(), source: 'key query parameter' };
  }
  return undefined;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
}
