/**
 * @fileoverview Answers what Node's HTTP parser refuses before Express sees a request (broken
 * framing, oversized headers, a request not received in time) with a small JSON error in the
 * calling API's format, where Node would send an empty 400, 431 or 408. The format follows the
 * request line when one was read, as for every other response; without one it is OpenAI's, the
 * proxy's format for paths outside the Anthropic and Gemini APIs.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { AppLogger } from '../logging/app-logger.js';
import { renderErrorResponse } from './render-error-response.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { routeFamilyOf } from './route-family.js';

interface ClientErrorLike {
  code?: unknown;
  /** The bytes the parser was reading when it failed (Node sets it on parse errors). */
  rawPacket?: unknown;
}

/** A socket as the HTTP server keeps it: the response in progress, if any. */
interface ServerSocket extends Duplex {
  _httpMessage?: (ServerResponse & { req?: IncomingMessage }) | null;
}

/** The server's `clientError` listener. */
export function answerClientError(options: { logger: AppLogger; requestTimeoutMs: number }): (error: Error, socket: Duplex) => void {
  const { logger, requestTimeoutMs } = options;
  return (thrown, duplex) => {
    const socket = duplex as ServerSocket;
    const { code, rawPacket } = thrown as ClientErrorLike;
    const inProgress = socket._httpMessage ?? undefined;
    // A reset connection has nobody to answer, and a started response cannot take a second status line.
    if (code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent === true) {
      socket.destroy();
      return;
    }
    const error = clientErrorOf(code, requestTimeoutMs);
    const path = inProgress?.req?.url ?? requestPathOf(rawPacket);
    const rendered = renderErrorResponse(error, routeFamilyOf((path ?? '/').split('?', 1)[0]!));
    const body = JSON.stringify(rendered.body);
    // A fresh id: the request's own headers were not read, so the client's id is not known.
    const requestId = randomUUID();
    logger.info('Refused a request Node could not read', { requestId, code: error.code, status: rendered.status, nodeCode: typeof code === 'string' ? code : undefined });
    const head = [
      `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status] ?? 'Error'}`,
      'content-type: application/json; charset=utf-8',
      `${REQUEST_ID_HEADER}: ${requestId}`,
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
    ];
    // end() then destroy(): the answer is flushed, and a client that never closes its side cannot keep the socket.
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
  };
}

function clientErrorOf(code: unknown, requestTimeoutMs: number): LlmProxyError {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new LlmProxyError({
      code: 'REQUEST_HEADERS_TOO_LARGE',
      message: 'The request headers are larger than the server accepts',
      fix: "Send smaller headers (Node's limit is 16 KB in total unless --max-http-header-size raises it)",
      httpStatus: 431,
    });
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new LlmProxyError({
      code: 'REQUEST_RECEIVE_TIMEOUT',
      message: `The request was not received completely within ${requestTimeoutMs} ms`,
      currentValue: `server.request_timeout_ms ${requestTimeoutMs}`,
      fix: 'Send the whole request without pausing, or raise server.request_timeout_ms (LLM_PROXY_REQUEST_TIMEOUT_MS) for slow links',
      httpStatus: 408,
    });
  }
  return new LlmProxyError({
    code: 'HTTP_REQUEST_MALFORMED',
    message: 'The request is not valid HTTP/1.1 (request line, headers or body framing)',
    currentValue: typeof code === 'string' ? code : undefined,
    fix: 'Check the request line, the headers and the Content-Length or chunked framing the client sends',
    httpStatus: 400,
  });
}

/** The path of the request line at the start of `rawPacket`, when there is one. */
function requestPathOf(rawPacket: unknown): string | undefined {
  if (!Buffer.isBuffer(rawPacket)) return undefined;
  const match = /^[A-Z]+ (\/\S*) HTTP\//.exec(rawPacket.subarray(0, 2048).toString('latin1'));
  return match?.[1];
}
