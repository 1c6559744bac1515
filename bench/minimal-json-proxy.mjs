/**
 * @fileoverview The floors under llmproxy's same-API numbers: the least a proxy that reads its
 * traffic as JSON does, and nothing else. It reads the whole request body and parses it (as a
 * proxy must, to find the model), sends the bytes it read to one upstream over a keep-alive agent
 * with the client's headers, and either pipes a stream back (`text/event-stream`, as the bare
 * passthrough does) or reads the whole answer, parses it (as a proxy must, to read the usage) and
 * sends it on. No authentication, routing, limits, logging or usage records.
 *
 * Two frameworks, to show what each costs beside the bare passthrough of the same run:
 * - `node`: node:http alone;
 * - `express`: one Express app with `express.json()` and one route, its requests and responses
 *   made with Express's prototypes as llmproxy's are (`server/express-message-classes.ts`), so the
 *   floor carries Express's own cost and not the prototype swap llmproxy avoids.
 *
 * Run alone: `node bench/minimal-json-proxy.mjs --upstream http://127.0.0.1:<port> --framework node|express`;
 * prints `minimal JSON proxy (<framework>) listening on http://127.0.0.1:<port>`.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { expressMessageClasses } from '../packages/core/dist/server/express-message-classes.js';
import { listenOnLoopback } from './listen-on-loopback.mjs';

/** @typedef {'node' | 'express'} Framework */

/**
 * @param {{ upstreamUrl: string, framework: Framework }} options
 * @returns {Promise<{ server: http.Server, url: string }>}
 */
export async function startMinimalJsonProxy(options) {
  const forward = forwarderTo(new URL(options.upstreamUrl));
  const server = options.framework === 'express' ? expressServer(forward) : nodeServer(forward);
  server.keepAliveTimeout = 60_000;
  return listenOnLoopback(server);
}

/**
 * @typedef {(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void} Forward
 *   sends the request's body (already read and parsed) upstream and answers the client
 */

/** @param {URL} upstream @returns {Forward} */
function forwarderTo(upstream) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, noDelay: true });
  return (request, body, response) => {
    const upstreamRequest = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host, 'content-length': String(body.length) },
        agent,
      },
      (upstreamResponse) => {
        const status = upstreamResponse.statusCode ?? 502;
        if (upstreamResponse.headers['content-type']?.includes('text/event-stream') === true) {
          response.writeHead(status, upstreamResponse.headers);
          upstreamResponse.pipe(response);
          return;
        }
        const chunks = [];
        upstreamResponse.on('data', (chunk) => chunks.push(chunk));
        upstreamResponse.on('end', () => {
          const answer = Buffer.concat(chunks);
          // Read as a proxy reads an answer for its usage; a body that is not JSON is a bad gateway.
          if (parsedJson(answer) === undefined) return fail(response);
          response.writeHead(status, { 'content-type': upstreamResponse.headers['content-type'] ?? 'application/json', 'content-length': answer.length });
          response.end(answer);
        });
      },
    );
    upstreamRequest.on('error', () => fail(response));
    upstreamRequest.end(body);
  };
}

/** @param {Forward} forward */
function nodeServer(forward) {
  return http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (parsedJson(body) === undefined) return fail(response, 400);
      forward(request, body, response);
    });
  });
}

/** Where the Express floor keeps the bytes express.json() parsed, to send them as they came (as llmproxy's same-API relay does). */
const RAW_BODY = Symbol('raw body');

/** @param {Forward} forward */
function expressServer(forward) {
  const app = express();
  const messageClasses = expressMessageClasses(app);
  app.post(
    '/*path',
    express.json({
      verify: (request, _response, bytes) => {
        request[RAW_BODY] = bytes;
      },
    }),
    (request, response) => forward(request, request[RAW_BODY] ?? Buffer.alloc(0), response),
  );
  return http.createServer(messageClasses, app);
}

/** @param {Buffer} bytes */
function parsedJson(bytes) {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** @param {http.ServerResponse} response @param {number} [status] */
function fail(response, status = 502) {
  if (!response.headersSent) response.writeHead(status);
  response.end();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { upstream: { type: 'string' }, framework: { type: 'string', default: 'node' } } });
  if (values.upstream === undefined || (values.framework !== 'node' && values.framework !== 'express')) {
    process.stderr.write('Usage: node bench/minimal-json-proxy.mjs --upstream http://127.0.0.1:<port> --framework node|express\n');
    process.exit(2);
  }
  const framework = /** @type {Framework} */ (values.framework);
  const { server, url } = await startMinimalJsonProxy({ upstreamUrl: values.upstream, framework });
  process.stdout.write(`minimal JSON proxy (${framework}) listening on ${url}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
