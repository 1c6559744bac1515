/**
 * @fileoverview The separate metrics port (`metrics.port`): a bare node:http server answering
 * `GET /metrics` and nothing else, without authentication. It binds `metrics.host`, loopback by
 * default, so only the machine (a Prometheus agent beside the proxy) can read it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { AppLogger } from '../logging/app-logger.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';

export interface RunningMetricsServer {
  /** `http://<host>:<port>/metrics`. */
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  metrics: Pick<PrometheusMetrics, 'contentType' | 'render'>;
  host: string;
  port: number;
  logger: AppLogger;
}): Promise<RunningMetricsServer> {
  const { metrics, host, port, logger } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: this port serves GET /metrics only\n');
      return;
    }
    metrics.render().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error('Rendering the metrics failed', { error: error instanceof Error ? error.message : String(error) });
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be rendered\n');
      },
    );
  });
  // Scrapes are short; an idle scraper connection must not hold shutdown open.
  server.keepAliveTimeout = 5_000;
  await listen(server, host, port);
  const boundPort = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}/metrics`;
  logger.info('Metrics listening', { url });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new LlmProxyError({
          code: 'METRICS_LISTEN_FAILED',
          message:
            error.code === 'EADDRINUSE'
              ? `Could not serve metrics on ${host}:${port}: the port is already in use`
              : `Could not serve metrics on ${host}:${port}: ${error.message}`,
          currentValue: `metrics.host ${host}, metrics.port ${port}`,
          fix: 'Choose another port with --metrics-port (LLM_PROXY_METRICS_PORT), or an address of this machine with --metrics-host',
          cause: error,
        }),
      ),
    );
    server.listen(port, host, () => resolve());
  });
}
