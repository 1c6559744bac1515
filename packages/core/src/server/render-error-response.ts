/**
 * @fileoverview Renders an error in the calling client's API format, chosen by route family,
 * so a Claude client gets Anthropic JSON and an OpenAI SDK gets OpenAI JSON for the same
 * failure. New front-ends plug in by adding their family here.
 */
import { UpstreamError } from '@llmproxy/connector-sdk';
import type { LlmProxyError } from '@llmproxy/connector-sdk';
import type { Response } from 'express';
import { renderAnthropicError } from '../protocols/anthropic-messages/render-anthropic-error.js';
import { renderGeminiError } from '../protocols/gemini/render-gemini-error.js';
import { renderOpenAIError } from '../protocols/openai-chat/render-openai-error.js';
import { findRequestContext } from './request-context.js';
import type { RouteFamily } from './route-family.js';

/** An error response ready to send. */
export interface RenderedErrorResponse {
  status: number;
  body: object;
  headers: Record<string, string>;
}

/** Each family's protocol renderer, the same one its stream renderer uses in-stream. */
const RENDERERS: Record<RouteFamily, (error: unknown) => { status: number; body: object }> = {
  openai: renderOpenAIError,
  anthropic: renderAnthropicError,
  gemini: renderGeminiError,
};

/** Renders `error` as the given route family's error JSON. */
export function renderErrorResponse(error: LlmProxyError, family: RouteFamily): RenderedErrorResponse {
  const rendered = RENDERERS[family](error);
  return { status: rendered.status, body: rendered.body, headers: headersFor(error) };
}

/** Sends `error` on `response` unless a response was already started. */
export function sendErrorResponse(response: Response, error: LlmProxyError, family: RouteFamily): void {
  if (response.headersSent) return;
  const rendered = renderErrorResponse(error, family);
  const context = findRequestContext(response);
  if (context !== undefined && rendered.status >= 400 && rendered.status < 500 && !UpstreamError.is(error)) {
    context.refusal = { code: error.code, fields: offendingFields(error) };
  }
  response.status(rendered.status).set(rendered.headers).json(rendered.body);
}

/** The fields an error names (`details.param`, or `details.fields`), by name only. */
function offendingFields(error: LlmProxyError): string[] {
  const { param, fields } = error.details;
  if (typeof param === 'string') return [param];
  return Array.isArray(fields) ? fields.filter((field): field is string => typeof field === 'string') : [];
}

function headersFor(error: LlmProxyError): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfter = UpstreamError.is(error) ? error.upstreamHeaders['retry-after'] : undefined;
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  const retryAfterSeconds = error.details['retryAfterSeconds'];
  if (typeof retryAfterSeconds === 'number') headers['retry-after'] = String(retryAfterSeconds);
  return headers;
}
