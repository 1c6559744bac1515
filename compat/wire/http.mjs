/**
 * @fileoverview The few HTTP helpers every scripted wire protocol shares.
 */

/** @param {import('node:http').ServerResponse} response @param {number} status @param {unknown} body */
export function sendJson(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** @param {import('node:http').ServerResponse} response */
export function startSse(response) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
}
