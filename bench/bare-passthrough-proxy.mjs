/**
 * @fileoverview The baseline: the least a Node reverse proxy can do. A node:http server that
 * forwards each request to one upstream over a keep-alive agent, piping the request body up and
 * the response (status, headers, body) back, with nothing else.
 *
 * Run alone: `node bench/bare-passthrough-proxy.mjs --upstream http://127.0.0.1:<port> [--max-sockets 256]`;
 * prints `bare passthrough listening on http://127.0.0.1:<port>`. --max-sockets caps the
 * connections to the upstream; the open-streams test raises it above its stream count.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { listenOnLoopback } from './listen-on-loopback.mjs';

/**
 * @param {{ upstreamUrl: string, maxSockets?: number }} options
 * @returns {Promise<{ server: http.Server, url: string }>}
 */
export async function startBarePassthroughProxy(options) {
  const upstream = new URL(options.upstreamUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256, noDelay: true });
  const server = http.createServer((request, response) => {
    const upstreamRequest = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
        agent,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstreamRequest.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(upstreamRequest);
  });
  server.keepAliveTimeout = 60_000;
  return listenOnLoopback(server);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { upstream: { type: 'string' }, 'max-sockets': { type: 'string', default: '256' } } });
  if (values.upstream === undefined) {
    process.stderr.write('Usage: node bench/bare-passthrough-proxy.mjs --upstream http://127.0.0.1:<port>\n');
    process.exit(2);
  }
  const { server, url } = await startBarePassthroughProxy({ upstreamUrl: values.upstream, maxSockets: Number(values['max-sockets']) });
  process.stdout.write(`bare passthrough listening on ${url}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
