/**
 * @fileoverview An upstream on 127.0.0.1 that records every request byte for byte (method,
 * path, headers, body) and answers each with the next scripted reply, written as the given
 * byte chunks: any vendor's wire format, including what no fake of a vendor knows yet (new
 * event types, unknown fields). A reply may hold its stream open, for disconnect tests.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  status: number;
  headers: Record<string, string>;
  /** Written one by one, `delayMs` apart. */
  chunks: readonly string[];
  delayMs?: number;
  /** Keep the response open after the last chunk (the proxy's client has to go away). */
  holdOpen?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ScriptedUpstream {
  url: string;
  requests: RecordedRequest[];
  /** Queues replies, answered in order; a request without a queued reply gets a 500. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Resolves when the response of request number `index` (0-based) closed, with whether it was finished. */
  responseClosed(index: number): Promise<{ finished: boolean }>;
  close(): Promise<void>;
}

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const replies: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const closed: Array<Promise<{ finished: boolean }>> = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    const index = requests.length;
    closed[index] = new Promise((resolve) => response.once('close', () => resolve({ finished: response.writableFinished })));
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests[index] = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) };
      const reply = replies.shift() ?? { status: 500, headers: { 'content-type': 'text/plain' }, chunks: ['no scripted reply'] };
      void answer(response, reply);
    });
  });
  async function answer(response: ServerResponse, reply: ScriptedReply): Promise<void> {
    open.add(response);
    response.once('close', () => open.delete(response));
    response.writeHead(reply.status, reply.headers);
    for (const chunk of reply.chunks) {
      if (response.destroyed) return;
      response.write(chunk);
      if (reply.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    }
    if (!reply.holdOpen) response.end();
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...more) => void replies.push(...more),
    responseClosed: async (index) => {
      while (closed[index] === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      return closed[index];
    },
    close: () =>
      new Promise((resolve) => {
        for (const response of open) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
