/**
 * @fileoverview Starts one of the benchmark's servers on 127.0.0.1 at a free port, with the same
 * accept queue as llmproxy's (a backlog of 4096): thousands of streams opening at once must not
 * overflow it, and no control may be the one that resets connections.
 */

/**
 * @param {import('node:http').Server} server
 * @returns {Promise<{ server: import('node:http').Server, url: string }>}
 */
export async function listenOnLoopback(server) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve);
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { server, url: `http://127.0.0.1:${address.port}` };
}
