/**
 * @fileoverview A JSON POST to an OAuth or identity endpoint (OpenAI's token endpoint, AWS SSO
 * OIDC, Kiro's refresh endpoint), through core's upstream client, with the answer read as JSON
 * when it is JSON.
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';
import type { FormResponse } from './post-form.js';

/** How long an identity endpoint may take: it is not tied to any one client request. */
const IDENTITY_ENDPOINT_TIMEOUT_MS = 30_000;

export interface JsonResponse extends FormResponse {
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export async function postJson(
  http: UpstreamHttpClient,
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<JsonResponse> {
  const response = await http.send({
    method: 'POST',
    url,
    headers: { accept: 'application/json', ...options.headers },
    json: body,
    signal: options.signal ?? AbortSignal.timeout(IDENTITY_ENDPOINT_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

/** The answer's JSON object, or an empty one. */
export function jsonObjectOf(response: FormResponse): Record<string, unknown> {
  return isRecord(response.json) ? response.json : {};
}
