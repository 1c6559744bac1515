/**
 * Raw HTTP requests for server tests through node:http, which (unlike fetch) lets a test set
 * any Host or Origin header and read a response incrementally. No keep-alive agent, so each
 * exchange uses its own connection and nothing lingers after a test.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface ExchangeOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** A keep-alive agent, when a test needs the connection to outlive the exchange. */
  agent?: Agent;
}

export interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): any;
}

/** Opens a request and resolves with the response head; the body is left to the caller. */
export function openResponse(baseUrl: string, options: ExchangeOptions): Promise<IncomingMessage> {
  const url = new URL(options.path, baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, resolve);
    request.on('error', reject);
    request.end(options.body);
  });
}

export async function exchange(baseUrl: string, options: ExchangeOptions): Promise<Exchange> {
  const response = await openResponse(baseUrl, options);
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return { status: response.statusCode ?? 0, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** Reads from a response until `predicate` holds for everything read so far. */
export function readUntil(response: IncomingMessage, predicate: (text: string) => boolean, soFar = { text: '' }): Promise<string> {
  return new Promise((resolve, reject) => {
    if (predicate(soFar.text)) {
      resolve(soFar.text);
      return;
    }
    const onData = (chunk: Buffer): void => {
      soFar.text += chunk.toString('utf8');
      if (predicate(soFar.text)) {
        cleanup();
        resolve(soFar.text);
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`response ended before the expected data arrived; got: ${soFar.text.slice(-500)}`));
    };
    const cleanup = (): void => {
      response.off('data', onData);
      response.off('end', onEnd);
      response.off('error', onEnd);
      response.pause();
    };
    response.on('data', onData);
    response.on('end', onEnd);
    response.on('error', onEnd);
    response.resume();
  });
}

export function chatBody(model: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model, messages: [{ role: 'user', content: 'hello there' }], ...extra });
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
}
