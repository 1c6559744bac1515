/**
 * @fileoverview The Code Assist API (`{endpoint}/v1internal:{method}`) as the Gemini CLI calls
 * it: JSON POSTs with a bearer token, long-running operations read at
 * `{endpoint}/v1internal/{operation name}`.
 */
import type { UpstreamHttpClient, UpstreamResponse } from '@llmproxy/connector-sdk';

export const CODE_ASSIST_ENDPOINT = 'https://cloudcode-pa.googleapis.com';
export const CODE_ASSIST_API_VERSION = 'v1internal';

/** How the Gemini CLI describes itself to Code Assist. */
export const CLIENT_METADATA = Object.freeze({ ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' });

export class CodeAssistApi {
  constructor(
    private readonly http: UpstreamHttpClient,
    /** Without a trailing slash. */
    readonly endpoint: string,
  ) {}

  methodUrl(method: string): string {
    return `${this.endpoint}/${CODE_ASSIST_API_VERSION}:${method}`;
  }

  post(method: string, accessToken: string, body: unknown, signal: AbortSignal, options: { stream?: boolean } = {}): Promise<UpstreamResponse> {
    return this.http.send({
      method: 'POST',
      url: options.stream === true ? `${this.methodUrl(method)}?alt=sse` : this.methodUrl(method),
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: options.stream === true ? 'text/event-stream' : 'application/json',
      },
      json: body,
      signal,
    });
  }

  getOperation(name: string, accessToken: string, signal: AbortSignal): Promise<UpstreamResponse> {
    const path = name.split('/').map(encodeURIComponent).join('/');
    return this.http.send({
      method: 'GET',
      url: `${this.endpoint}/${CODE_ASSIST_API_VERSION}/${path}`,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal,
    });
  }
}
