/**
 * @fileoverview HTTP plumbing the fake upstreams share: reading a request body, answering JSON,
 * and pacing stream frames so tests can see a frame arrive before the next is sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(response: ServerResponse, status: number, body: object, contentType = 'application/json'): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(JSON.stringify(body));
}

/**
 * Waits before frame `index` (none before the first): one number for every gap, or one entry per
 * gap (missing entries wait 0).
 */
export async function waitBeforeFrame(index: number, delays: number | readonly number[] | undefined): Promise<void> {
  if (index === 0 || delays === undefined) return;
  const milliseconds = typeof delays === 'number' ? delays : (delays[index - 1] ?? 0);
  if (milliseconds > 0) await new Promise((resolve) => setTimeout(resolve, milliseconds));
}
