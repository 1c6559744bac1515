/**
 * @fileoverview SIGTERM through the real `llm-proxy` CLI while one stream of every client API
 * is still open and the upstream never finishes them: after the drain timeout each stream ends
 * with its own API's error event (SERVER_SHUTTING_DOWN), every request's log line is written,
 * and the process exits 0.
 */
import fs from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-shutdown-tests';
const UPSTREAM_KEY = 'sk-upstream-key-for-shutdown-tests';

interface OpenStream {
  name: string;
  /** Everything received so far. */
  received: { text: string };
  /** Resolves with the whole body once the response ended (or its connection closed). */
  ended: Promise<string>;
}

/** Sends a streaming request and resolves once `firstText` arrived. */
function openStream(baseUrl: string, name: string, target: { path: string; headers: Record<string, string>; body: object }, firstText: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${baseUrl}${target.path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, agent: false },
      (incoming: IncomingMessage) => {
        const received = { text: '' };
        incoming.setEncoding('utf8');
        const ended = new Promise<string>((resolveEnd) => {
          incoming.once('end', () => resolveEnd(received.text));
          incoming.once('close', () => resolveEnd(received.text));
          incoming.once('error', () => resolveEnd(received.text));
        });
        let announced = false;
        incoming.on('data', (chunk: string) => {
          received.text += chunk;
          if (!announced && received.text.includes(firstText)) {
            announced = true;
            resolve({ name, received, ended });
          }
        });
        void ended.then((text) => {
          if (!announced) reject(new Error(`${name}: the response ended before "${firstText}" arrived (status ${incoming.statusCode}): ${text}`));
        });
      },
    );
    outgoing.once('error', reject);
    outgoing.end(JSON.stringify(target.body));
  });
}

describe('shutdown with streams still open', () => {
  let upstream: FakeOpenAIUpstream | undefined;

  beforeAll(() => assertCliBuilt());
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
    cleanUpCliRuns();
  });

  it('ends each API stream with its error event, writes every log line and exits 0', async () => {
    upstream = await startFakeOpenAIUpstream({ apiKey: UPSTREAM_KEY, models: ['m'] });
    const proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: { OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.baseUrl, LLM_PROXY_DRAIN_TIMEOUT_MS: '1000' },
    });
    const messages = [{ role: 'user', content: 'Say something long' }];
    const targets = {
      'openai-chat': { path: '/v1/chat/completions', headers: { authorization: `Bearer ${CLIENT_KEY}` }, body: { model: 'openai:m', stream: true, messages } },
      'openai-responses': { path: '/v1/responses', headers: { authorization: `Bearer ${CLIENT_KEY}` }, body: { model: 'openai:m', stream: true, input: 'Say something long' } },
      anthropic: { path: '/v1/messages', headers: { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' }, body: { model: 'openai:m', stream: true, max_tokens: 100, messages } },
      gemini: {
        path: '/v1beta/models/openai:m:streamGenerateContent?alt=sse',
        headers: { 'x-goog-api-key': CLIENT_KEY },
        body: { contents: [{ role: 'user', parts: [{ text: 'Say something long' }] }] },
      },
    };
    const streams: OpenStream[] = [];
    for (const [name, target] of Object.entries(targets)) {
      // The upstream sends the role chunk and one text chunk, then never another byte.
      upstream.enqueue({ type: 'answer', text: ['partial-answer', ' never sent'], stallAfterFrames: 2 });
      streams.push(await openStream(proxy.url, name, target, 'partial-answer'));
    }

    const stopped = await proxy.stop('SIGTERM');
    const bodies = Object.fromEntries(await Promise.all(streams.map(async (stream) => [stream.name, await stream.ended] as const)));

    expect(stopped.stderr).not.toContain('write after end');
    expect(stopped.stderr).not.toContain('Unhandled');
    expect(stopped.exitCode).toBe(0);

    // Each stream's last event is its API's error, naming the shutdown.
    const chatEvents = bodies['openai-chat']!.trim().split('\n\n');
    expect(JSON.parse(chatEvents.at(-1)!.replace(/^data: /, ''))).toEqual({
      error: expect.objectContaining({ code: 'SERVER_SHUTTING_DOWN', message: expect.stringContaining('shutting down') }),
    });
    expect(bodies['openai-chat']).not.toContain('[DONE]');
    expect(bodies['openai-responses']).toMatch(/event: error\ndata: [^\n]*SERVER_SHUTTING_DOWN/);
    expect(bodies['openai-responses']).toContain('event: response.failed');
    expect(bodies['anthropic']).toMatch(/event: error\ndata: [^\n]*"type":"error"[^\n]*shutting down/);
    expect(bodies['anthropic']).not.toContain('message_stop');
    const geminiEvents = bodies['gemini']!.trim().split(/\r?\n\r?\n/);
    expect(JSON.parse(geminiEvents.at(-1)!.replace(/^data: /, ''))).toEqual({
      error: expect.objectContaining({ code: 503, status: 'UNAVAILABLE', message: expect.stringContaining('shutting down') }),
    });

    // Every request's log line reached the log file before the process exited, then the last line.
    const log = fs.readFileSync(path.join(proxy.cwd, 'var/logs/llm-proxy.log'), 'utf8');
    const entries = log.trim().split('\n').map((line) => JSON.parse(line) as { message: string; path?: string });
    const requestLines = entries.filter((entry) => entry.message === 'HTTP request').map((entry) => entry.path);
    expect(requestLines.sort()).toEqual(Object.values(targets).map((target) => target.path.split('?')[0]).sort());
    expect(entries.at(-1)?.message).toBe('Stopped');
  });
});
