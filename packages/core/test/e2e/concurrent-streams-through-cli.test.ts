/**
 * @fileoverview Many slow streams opened at once through the real `llm-proxy` CLI (the same-API
 * relay, OpenAI client → openai): every stream arrives whole, each of its numbered events once
 * and in order, then its end; streams that stall behind a connection limit, are reset, mix up,
 * drop or repeat events fail here. Clients that connect while the proxy's event loop is stalled
 * wait for it in the kernel's accept queue instead of having their handshakes dropped and their
 * connections reset. (That a stream keeps nothing it relayed is checked where it can be measured
 * exactly: shutdown-cut.test.ts.)
 */
import { Agent, createServer, request, type Server, type ServerResponse } from 'node:http';
import fs from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

/** More than Node's default accept backlog (511), all connecting at once. */
const STREAMS = 600;
const EVENTS = 100;
const INTERVAL_MS = 50;
const SEQUENCE = /"content":"#(\d+)"/g;

interface OpenStream {
  response: ServerResponse;
  sent: number;
}

/** An OpenAI upstream whose every stream sends EVENTS numbered events, one per interval, all from one timer. */
async function startSlowUpstream(): Promise<{ url: string; server: Server; opened: () => number }> {
  const open = new Set<OpenStream>();
  let opened = 0;
  const timer = setInterval(() => {
    for (const stream of open) {
      const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: `#${stream.sent}` }, finish_reason: null }] };
      stream.response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      stream.sent += 1;
      if (stream.sent < EVENTS) continue;
      open.delete(stream);
      stream.response.end('data: [DONE]\n\n');
    }
  }, INTERVAL_MS);
  const server = createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const stream = { response, sent: 0 };
      opened += 1;
      open.add(stream);
      response.on('close', () => open.delete(stream));
    });
  });
  server.on('close', () => clearInterval(timer));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, opened: () => opened };
}

let upstream: Awaited<ReturnType<typeof startSlowUpstream>>;
let proxy: RunningCli;

beforeAll(async () => {
  assertCliBuilt();
  upstream = await startSlowUpstream();
  const cwd = createWorkingDirectory({
    'llm-proxy.yaml': ['backends:', '  openai:', `    base_url: ${upstream.url}/v1`, '    api_key: sk-upstream-key-for-stream-tests', ''].join('\n'),
  });
  proxy = await startLlmProxy(['--port', '0', '--disable-auth', '--disable-usage', '--disable-notifications'], { cwd });
}, 30_000);

afterAll(async () => {
  const stopped = await proxy?.stop('SIGTERM');
  await new Promise((resolve) => upstream?.server.close(resolve));
  cleanUpCliRuns();
  expect(stopped?.exitCode).toBe(0);
}, 30_000);

/** One stream's numbered events as they arrived, and whether it ended with [DONE]. */
function openStream(agent: Agent): Promise<{ status: number; sequence: number[]; done: boolean }> {
  const body = JSON.stringify({ model: 'openai:gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'count' }] });
  return new Promise((resolve, reject) => {
    const outgoing = request(`${proxy.url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => {
        resolve({
          status: incoming.statusCode ?? 0,
          sequence: [...text.matchAll(SEQUENCE)].map((match) => Number(match[1])),
          done: text.trimEnd().endsWith('data: [DONE]'),
        });
      });
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('concurrent streams through the CLI', () => {
  it('relays every one of many streams opened at once whole and in order', async () => {
    const agent = new Agent({ keepAlive: false, maxSockets: STREAMS });
    try {
      // The first stream loads what the proxy loads lazily; the others then connect all at once.
      const first = openStream(agent);
      while (upstream.opened() < 1) await sleep(10);
      const streams = [first, ...Array.from({ length: STREAMS - 1 }, () => openStream(agent))];
      const results = await Promise.all(streams);
      const expected = Array.from({ length: EVENTS }, (_, index) => index);
      const whole = results.filter((result) => result.status === 200 && result.done && result.sequence.join() === expected.join());
      expect(whole).toHaveLength(STREAMS);
    } finally {
      agent.destroy();
    }
  }, 60_000);
});

/** The kernel's cap on any listen backlog. */
const SOMAXCONN = Number(fs.readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
/** Node's own default backlog, which a burst of clients overflows while the loop is stalled. */
const NODE_DEFAULT_BACKLOG = 511;
const STALLED_CLIENTS = 1_000;

describe('clients connecting while the proxy is stalled', () => {
  // Where the system caps every backlog at Node's default or below, there is nothing to check.
  const itWhereTheSystemAllows = SOMAXCONN > STALLED_CLIENTS ? it : it.skip;

  itWhereTheSystemAllows('wait in the accept queue, beyond what Node holds by default, until the proxy takes them', async () => {
    const sockets: Socket[] = [];
    // A stopped process accepts nothing, as a loop busy with a garbage collection or a shared CPU would not for a while.
    process.kill(proxy.pid, 'SIGSTOP');
    try {
      let connected = 0;
      for (let index = 0; index < STALLED_CLIENTS; index += 1) {
        const socket = connect(proxy.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.once('connect', () => (connected += 1));
        sockets.push(socket);
      }
      const settleBy = Date.now() + 5_000;
      while (connected < STALLED_CLIENTS && Date.now() < settleBy) await sleep(20);
      // The kernel completes a handshake only while the queue has room: the rest would be dropped and retried, or reset.
      expect(connected).toBeGreaterThan(NODE_DEFAULT_BACKLOG + 1);
      expect(connected).toBe(STALLED_CLIENTS);
    } finally {
      process.kill(proxy.pid, 'SIGCONT');
      for (const socket of sockets) socket.destroy();
    }
  }, 30_000);
});
