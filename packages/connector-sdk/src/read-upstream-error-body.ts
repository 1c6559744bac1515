/**
 * @fileoverview Reading an upstream's error answer: its text, its JSON when it is JSON, a
 * fallback message when the body says nothing useful, and the response headers worth passing
 * on to the client. What the JSON means is the protocol's business; reading it is everyone's.
 */
import type { UpstreamResponse } from './upstream-http-client.js';

/** Upstream error bodies are short; a longer one is an HTML error page and only its start is useful. */
export const UPSTREAM_ERROR_EXCERPT_CHARACTERS = 300;

/** An upstream error answer, read once. */
export interface UpstreamErrorAnswer {
  status: number;
  /** The body as text ('' when it could not be read). */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /**
   * A message for when the JSON carries none: the status and an excerpt of the body
   * (`The upstream answered HTTP 502: <html>…`).
   */
  fallbackMessage: string;
  /** The headers named in `passOnHeaders` that the upstream sent, lower-cased. */
  headers: Record<string, string>;
}

export interface ReadUpstreamErrorBodyOptions {
  /** Response headers a client may act on, e.g. `retry-after` and the vendor's request id. */
  passOnHeaders?: readonly string[];
}

/** Reads an error answer's body. Never throws: an unreadable body still leaves the status. */
export async function readUpstreamErrorBody(
  response: UpstreamResponse,
  options: ReadUpstreamErrorBodyOptions = {},
): Promise<UpstreamErrorAnswer> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status alone still makes a useful error.
  }
  return {
    status: response.status,
    text,
    json: parseJsonOrUndefined(text),
    fallbackMessage: describeUnparsedBody(response.status, text),
    headers: pickHeaders(response.headers, options.passOnHeaders ?? []),
  };
}

/** `The upstream answered HTTP <status>: <excerpt>`, or `… with an empty body`. */
export function describeUnparsedBody(status: number, text: string): string {
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, UPSTREAM_ERROR_EXCERPT_CHARACTERS);
  return excerpt === ''
    ? `The upstream answered HTTP ${status} with an empty body`
    : `The upstream answered HTTP ${status}: ${excerpt}`;
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function pickHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  names: readonly string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name.toLowerCase()];
    if (typeof value === 'string') picked[name.toLowerCase()] = value;
  }
  return picked;
}
