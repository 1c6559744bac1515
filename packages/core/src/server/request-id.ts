/**
 * @fileoverview The `x-request-id` of a request: the client's own when it sent a well-formed one
 * (so a client can find its request in the proxy's logs by the id it already logs), a fresh UUID
 * otherwise. The client's value is bounded and limited to a safe character set, because it is
 * echoed in a response header and written to every log line of the request.
 */
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Long enough for UUIDs, ULIDs and vendor ids with a prefix; short enough to log on every line. */
export const MAX_REQUEST_ID_LENGTH = 128;
const WELL_FORMED_REQUEST_ID = new RegExp(`^[A-Za-z0-9._:+=/-]{1,${MAX_REQUEST_ID_LENGTH}}$`);

export function requestIdOf(request: Request): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && WELL_FORMED_REQUEST_ID.test(sent) ? sent : randomUUID();
}
