/**
 * @fileoverview The request body's bytes as they arrived (after decompression), kept beside
 * the parsed JSON so a same-API request can be relayed byte for byte instead of re-serialised.
 */
import type { Request } from 'express';

/** On the request itself rather than in a WeakMap, for the reason request-context.ts gives. */
const RAW_BODY = Symbol('llmproxy.rawBody');

interface RequestWithRawBody {
  [RAW_BODY]?: Buffer;
}

/** Called by the JSON body parser's verify hook with the bytes it is about to parse. */
export function keepRawBody(request: Request, body: Buffer): void {
  (request as RequestWithRawBody)[RAW_BODY] = body;
}

/** The bytes the JSON body was parsed from, or undefined when the request had no JSON body. */
export function rawBodyOf(request: Request): Buffer | undefined {
  return (request as RequestWithRawBody)[RAW_BODY];
}
