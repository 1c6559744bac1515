/**
 * @fileoverview Sends a JSON body on the chat hot path. It writes what Express's `res.json`
 * writes for these routes (the status already set, `application/json; charset=utf-8`, the
 * length), without `res.send`'s generic work — a MIME lookup, parsing and re-serialising the
 * content type for its charset, freshness checks — which the profile showed on every response.
 */
import type { Response } from 'express';

export function sendJson(response: Response, body: unknown): void {
  const text = JSON.stringify(body);
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(text);
}
