/**
 * @fileoverview A relay on 127.0.0.1 between the client and the proxy that passes every request
 * and answer through unchanged (streams included, piece by piece) and keeps the body of each
 * answer with a 4xx status. The proxy's log says that it answered 4xx; this says what it
 * answered, which is what a failed cell's report must show.
 */
import { createServer, request as forward } from 'node:http';

/** A 4xx body is an error message; the start of it says what failed. */
const KEPT_BODY_BYTES = 4096;

/**
 * @typedef {object} RecordedClientError
 * @property {string} method
 * @property {string} path
 * @property {number} status
 * @property {string} body The first bytes of the proxy's answer.
 *
 * @typedef {object} ErrorRecordingRelay
 * @property {number} port
 * @property {RecordedClientError[]} clientErrors
 * @property {() => Promise<void>} close
 */

/**
 * @param {number} targetPort The proxy's port on 127.0.0.1.
 * @returns {Promise<ErrorRecordingRelay>}
 */
export async function startErrorRecordingRelay(targetPort) {
  /** @type {RecordedClientError[]} */
  const clientErrors = [];
  const server = createServer((incoming, outgoing) => {
    const upstream = forward(
      { host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        const status = answer.statusCode ?? 0;
        if (status >= 400 && status < 500) {
          const record = { method: incoming.method ?? '', path: (incoming.url ?? '').split('?')[0], status, body: '' };
          clientErrors.push(record);
          answer.on('data', (chunk) => {
            if (record.body.length < KEPT_BODY_BYTES) record.body = (record.body + chunk.toString('utf8')).slice(0, KEPT_BODY_BYTES);
          });
        }
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ error: { message: `relay: ${error.message}` } }));
    });
    // A client that hangs up mid-stream hangs up on the proxy too.
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the relay has no TCP address');
  return {
    port: address.port,
    clientErrors,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
