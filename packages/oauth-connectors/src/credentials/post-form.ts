/**
 * @fileoverview A form-encoded POST (`application/x-www-form-urlencoded`), as OAuth token
 * endpoints require, through core's upstream client.
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';

/** How long a token endpoint may take: it is not tied to any one client request. */
const TOKEN_ENDPOINT_TIMEOUT_MS = 30_000;

export interface FormResponse {
  status: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The raw body, for messages when it is not JSON. */
  text: string;
}

export async function postForm(
  http: UpstreamHttpClient,
  url: string,
  fields: Readonly<Record<string, string>>,
  signal: AbortSignal = AbortSignal.timeout(TOKEN_ENDPOINT_TIMEOUT_MS),
): Promise<FormResponse> {
  const response = await http.send({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
    signal,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** The OAuth error code and description of an error answer (`{"error": ..., "error_description": ...}`). */
export function oauthErrorOf(response: FormResponse): { error: string; description: string } {
  const body = isRecord(response.json) ? response.json : {};
  const error = typeof body['error'] === 'string' ? body['error'] : `HTTP ${response.status}`;
  const description =
    typeof body['error_description'] === 'string'
      ? body['error_description']
      : typeof body['error'] === 'object' && body['error'] !== null && typeof (body['error'] as Record<string, unknown>)['message'] === 'string'
        ? ((body['error'] as Record<string, unknown>)['message'] as string)
        : response.json === undefined
          ? response.text.replace(/\s+/g, ' ').trim().slice(0, 200)
          : '';
  return { error, description };
}
