import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { bearer, chatBody, openResponse, readUntil } from './support/http-exchange.js';
import { startTestProxy } from './support/start-test-proxy.js';
import { channelConnector, echoConnector } from './support/test-connectors.js';
import { TEST_API_KEY, testSettings } from './support/test-settings.js';

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('graceful shutdown', () => {
  it('lets an in-flight stream finish before close resolves, refusing new connections meanwhile', async () => {
    const channel = channelConnector();
    const closedEcho = { count: 0 };
    const proxy = await startTestProxy({
      settings: testSettings({ server: { drainTimeoutMs: 30_000 } }),
      backends: [
        { name: 'live', definition: channel.definition },
        { name: 'echo', definition: echoConnector([], closedEcho) },
      ],
    });
    const responsePromise = openResponse(proxy.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: bearer(TEST_API_KEY),
      body: chatBody('live:m', { stream: true }),
    });
    const { channel: stream, signal } = await channel.nextStream();
    stream.push({ type: 'response-start', id: 'd1', model: 'm', created: 1_700_000_000 }, { type: 'text-delta', text: 'before-close' });
    const response = await responsePromise;
    const received = { text: '' };
    await readUntil(response, (text) => text.includes('before-close'), received);

    let closeResolved = false;
    const closing = proxy.close().then(() => {
      closeResolved = true;
    });
    expect(await connectionRefused(proxy.port)).toBe(true);
    expect(closeResolved).toBe(false);

    stream.push({ type: 'text-delta', text: 'after-close' }, { type: 'finish', finishReason: 'stop' });
    stream.end();
    await readUntil(response, (text) => text.includes('data: [DONE]'), received);
    expect(received.text).toContain('after-close');
    await closing;
    expect(signal.aborted).toBe(false);
    expect(channel.closed.count).toBe(1);
    expect(closedEcho.count).toBe(1);
  });

  it('closes a keep-alive connection as soon as its in-flight request finished', async () => {
    const channel = channelConnector();
    const proxy = await startTestProxy({
      settings: testSettings({ server: { drainTimeoutMs: 30_000 } }),
      backends: [{ name: 'live', definition: channel.definition }],
    });
    const agent = new Agent({ keepAlive: true });
    try {
      const responsePromise = openResponse(proxy.url, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: bearer(TEST_API_KEY),
        body: chatBody('live:m', { stream: true }),
        agent,
      });
      const { channel: stream } = await channel.nextStream();
      stream.push({ type: 'response-start', id: 'k1', model: 'm', created: 1_700_000_000 });
      const response = await responsePromise;
      const closing = proxy.close();
      stream.push({ type: 'finish', finishReason: 'stop' });
      stream.end();
      await readUntil(response, (text) => text.includes('data: [DONE]'));
      // The agent keeps the socket for reuse; close() must not wait for the keep-alive timeout.
      await closing;
      expect(channel.closed.count).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('aborts what is still running when the drain timeout passes, then resolves', async () => {
    const channel = channelConnector();
    const proxy = await startTestProxy({
      settings: testSettings({ server: { drainTimeoutMs: 200 } }),
      backends: [{ name: 'live', definition: channel.definition }],
    });
    const responsePromise = openResponse(proxy.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: bearer(TEST_API_KEY),
      body: chatBody('live:m', { stream: true }),
    });
    const { channel: stream, signal } = await channel.nextStream();
    stream.push({ type: 'response-start', id: 'd2', model: 'm', created: 1_700_000_000 });
    const response = await responsePromise;
    const ended = new Promise<void>((resolve) => {
      response.once('close', () => resolve());
      response.once('error', () => resolve());
      response.resume();
    });
    await proxy.close();
    expect(signal.aborted).toBe(true);
    await ended;
    expect(channel.closed.count).toBe(1);
    expect(proxy.logger.entries.some((entry) => entry.message.startsWith('Drain timeout reached'))).toBe(true);
  });

  it('closes idle keep-alive connections and resolves at once when nothing is in flight', async () => {
    const proxy = await startTestProxy({ backends: [{ name: 'echo', definition: echoConnector() }] });
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(`${proxy.url}/internal/health`, { agent }, (incoming) => {
        incoming.resume();
        incoming.once('end', () => resolve(incoming.statusCode ?? 0));
      });
      outgoing.once('error', reject);
      outgoing.end();
    });
    expect(status).toBe(200);
    await proxy.close();
    agent.destroy();
    expect(await connectionRefused(proxy.port)).toBe(true);
  });
});
