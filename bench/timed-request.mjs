/**
 * @fileoverview One request with its timings, over a caller-supplied keep-alive agent, so the
 * connection setup is paid once and every sample measures the request itself.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * @typedef {object} TimedResponse
 * @property {number} status
 * @property {http.IncomingHttpHeaders} headers
 * @property {string} body
 * @property {number} firstByteMs request start → first body byte (NaN for an empty body)
 * @property {number} totalMs request start → last body byte
 */

/**
 * @param {{ agent: http.Agent, url: string, path: string, headers: Record<string, string>, body: string }} options
 * @returns {Promise<TimedResponse>}
 */
export function timedRequest(options) {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const request = http.request(
      new URL(options.path, options.url),
      {
        method: 'POST',
        agent: options.agent,
        headers: { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
      },
      (response) => {
        let firstByteMs = Number.NaN;
        const chunks = [];
        response.on('data', (chunk) => {
          if (chunks.length === 0) firstByteMs = performance.now() - startedAt;
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            firstByteMs,
            totalMs: performance.now() - startedAt,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    // Headers and body in one write, as real clients do.
    request.end(options.body);
  });
}

/** An agent with one kept-alive connection, for sequential measurements. */
export function createSequentialAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 1, noDelay: true });
}
