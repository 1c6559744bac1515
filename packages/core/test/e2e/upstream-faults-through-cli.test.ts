/**
 * @fileoverview Upstream faults through the whole path: each client's official SDK → the real
 * `llm-proxy` CLI (a child process from dist/) → each built-in connector (OpenAI Chat, OpenAI
 * Responses, Anthropic, Gemini) → a misbehaving upstream on 127.0.0.1 speaking that API's wire
 * format. For every fault the SDK must raise its API error (never a silent, truncated success),
 * and after the oversized bodies and gzip bombs the proxy's memory must be back near where it was.
 *
 * The limits and deadlines are set small through environment variables, so a run takes seconds
 * and no gigabyte body is ever produced: a small limit proves the same mechanism.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError as GoogleApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { FAULTS, startFaultyUpstream, type Fault, type FaultWire, type FaultyUpstream } from '../support/fake-faulty-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'client-key-for-upstream-fault-tests';
const UPSTREAM_KEY = 'sk-upstream-key-for-fault-tests';

/** Which faults are met with a streaming request (the rest ask for a whole answer). */
const STREAMED: ReadonlySet<Fault> = new Set(['reset-before-headers', 'reset-mid-stream', 'comment-only-stream', 'trickle', 'oversized-event', 'error-event']);
/** The faults after which memory is checked. */
const MEMORY_FAULTS: readonly Fault[] = ['oversized-body', 'oversized-event', 'gzip-bomb'];

/** What the client's error message must say, per fault: the proxy's explanation, or the upstream's own. */
const EXPECTED_MESSAGE: Readonly<Record<Fault, RegExp>> = {
  'reset-before-headers': /Could not reach the upstream/,
  'reset-mid-stream': /connection to the upstream .* broke while its response was being read/,
  'no-answer': /did not answer within 3000 ms/,
  'comment-only-stream': /no stream event within 2000 ms .*server\.stream_first_content_timeout_ms|server\.stream_first_content_timeout_ms/,
  trickle: /no complete stream event for 2000 ms/,
  'invalid-json': /not JSON/,
  'html-502': /502|Bad Gateway/,
  'oversized-body': /server\.upstream_body_limit \(1048576 bytes/,
  'oversized-event': /server\.upstream_event_limit \(1048576 bytes/,
  'gzip-bomb': /server\.upstream_body_limit \(1048576 bytes/,
  'error-event': /The upstream failed mid-stream \(fault test\)/,
};

const WIRES: readonly FaultWire[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

let upstream: FaultyUpstream;
let proxy: RunningCli;
let openai: OpenAI;
let anthropic: Anthropic;
let google: GoogleGenAI;

beforeAll(async () => {
  assertCliBuilt();
  upstream = await startFaultyUpstream();
  const cwd = createWorkingDirectory({
    'llm-proxy.yaml': [
      'backends:',
      '  openai:',
      `    base_url: ${upstream.url}/v1`,
      `    api_key: ${UPSTREAM_KEY}`,
      '    responses_models: []',
      '  responses:',
      '    type: openai',
      `    base_url: ${upstream.url}/v1`,
      `    api_key: ${UPSTREAM_KEY}`,
      "    responses_models: ['*']",
      '  anthropic:',
      `    base_url: ${upstream.url}`,
      `    api_key: ${UPSTREAM_KEY}`,
      '  gemini:',
      `    base_url: ${upstream.url}`,
      `    api_key: ${UPSTREAM_KEY}`,
      '',
    ].join('\n'),
  });
  proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
    cwd,
    env: {
      LLM_PROXY_UPSTREAM_TIMEOUT_MS: '3000',
      LLM_PROXY_UPSTREAM_BODY_LIMIT: '1mb',
      LLM_PROXY_UPSTREAM_EVENT_LIMIT: '1mb',
      LLM_PROXY_STREAM_FIRST_CONTENT_TIMEOUT_MS: '2000',
      LLM_PROXY_STREAM_IDLE_TIMEOUT_MS: '2000',
    },
  });
  openai = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 30_000 });
  anthropic = new Anthropic({ baseURL: proxy.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 30_000 });
  google = new GoogleGenAI({ apiKey: CLIENT_KEY, httpOptions: { baseUrl: proxy.url, fetch: (input, init) => fetch(input, init) } });
}, 30_000);

afterAll(async () => {
  const stopped = await proxy?.stop('SIGTERM');
  await upstream?.close();
  cleanUpCliRuns();
  expect(stopped?.exitCode).toBe(0);
  expect(`${stopped?.stdout}${stopped?.stderr}`).not.toContain(UPSTREAM_KEY);
}, 30_000);

/** Sends one request for `fault` through `wire`'s client SDK and reads the whole answer. */
async function callThroughSdk(wire: FaultWire, fault: Fault): Promise<unknown> {
  const stream = STREAMED.has(fault);
  const model = `fault-${fault}`;
  switch (wire) {
    case 'openai-chat': {
      const request = { model: `openai:${model}`, messages: [{ role: 'user' as const, content: 'Hi' }] };
      if (!stream) return openai.chat.completions.create(request);
      const chunks = [];
      for await (const chunk of await openai.chat.completions.create({ ...request, stream: true })) chunks.push(chunk);
      return chunks;
    }
    case 'openai-responses': {
      const request = { model: `responses:${model}`, input: 'Hi' };
      if (!stream) return openai.responses.create(request);
      const events = [];
      for await (const event of await openai.responses.create({ ...request, stream: true })) events.push(event);
      return events;
    }
    case 'anthropic': {
      const request = { model: `anthropic:${model}`, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
      if (!stream) return anthropic.messages.create(request);
      const events = [];
      for await (const event of await anthropic.messages.create({ ...request, stream: true })) events.push(event);
      return events;
    }
    case 'gemini': {
      const request = { model: `gemini:${model}`, contents: 'Hi' };
      if (!stream) return google.models.generateContent(request);
      const chunks = [];
      for await (const chunk of await google.models.generateContentStream(request)) chunks.push(chunk);
      return chunks;
    }
  }
}

function isSdkApiError(wire: FaultWire, error: unknown): boolean {
  if (wire === 'anthropic') return error instanceof Anthropic.APIError;
  if (wire === 'gemini') return error instanceof GoogleApiError;
  return error instanceof OpenAI.APIError;
}

/** Far above every deadline of the proxy under test: a case still open then is a hang. */
const HANG_MS = 20_000;

/** Runs one case and returns the error the SDK raised, the answer it returned, or that it hung. */
async function sdkErrorFor(wire: FaultWire, fault: Fault): Promise<{ error: unknown; answer?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<{ error: unknown; answer?: unknown }>((resolve) => {
    timer = setTimeout(() => resolve({ error: undefined, answer: `still waiting after ${HANG_MS} ms` }), HANG_MS);
  });
  const call = callThroughSdk(wire, fault).then(
    (answer) => ({ error: undefined, answer }),
    (error: unknown) => ({ error }),
  );
  try {
    return await Promise.race([call, hung]);
  } finally {
    clearTimeout(timer);
  }
}

function expectApiError(wire: FaultWire, fault: Fault, outcome: { error: unknown; answer?: unknown }): void {
  const { error } = outcome;
  const described = error instanceof Error ? `${error.constructor.name}: ${error.message}` : `no error, answer ${JSON.stringify(outcome.answer)?.slice(0, 300)}`;
  expect({ wire, fault, apiError: isSdkApiError(wire, error), described }).toEqual({
    wire,
    fault,
    apiError: true,
    described: expect.stringMatching(EXPECTED_MESSAGE[fault]),
  });
  expect(upstream.seen).toContainEqual({ wire, fault });
}

/**
 * A Responses client on a Responses upstream gets the stream relayed as sent (same API in and
 * out), so the upstream's own `error` event reaches it unchanged; the OpenAI SDK hands such an
 * event to the application as an event, exactly as it would from OpenAI, rather than throwing.
 */
function expectRelayedResponsesErrorEvent(outcome: { error: unknown; answer?: unknown }): void {
  expect(outcome.error).toBeUndefined();
  expect(outcome.answer).toContainEqual(expect.objectContaining({ type: 'error', code: 'server_error', message: 'The upstream failed mid-stream (fault test)' }));
  expect(upstream.seen).toContainEqual({ wire: 'openai-responses', fault: 'error-event' });
}

/** Resident and peak resident memory of the proxy, in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

const MIB = 1024 * 1024;

describe('upstream faults through the llm-proxy CLI, per built-in connector and client SDK', () => {
  it('answers resets, silence, trickles, bad bodies and error events with the SDK error of the calling API', async () => {
    const otherFaults = FAULTS.filter((fault) => !MEMORY_FAULTS.includes(fault));
    // Every case of every connector in parallel: the deadlines dominate the run time.
    const outcomes = await Promise.all(
      WIRES.flatMap((wire) => otherFaults.map(async (fault) => ({ wire, fault, outcome: await sdkErrorFor(wire, fault) }))),
    );
    for (const { wire, fault, outcome } of outcomes) {
      if (wire === 'openai-responses' && fault === 'error-event') expectRelayedResponsesErrorEvent(outcome);
      else expectApiError(wire, fault, outcome);
    }
  }, 60_000);

  it('answers oversized bodies, events and gzip bombs with the SDK error, and memory stays near its baseline', async () => {
    const baseline = memoryOf(proxy.pid);
    const memoryCases = await Promise.all(
      WIRES.flatMap((wire) => MEMORY_FAULTS.map(async (fault) => ({ wire, fault, outcome: await sdkErrorFor(wire, fault) }))),
    );
    const after = memoryOf(proxy.pid);
    // Four gzip bombs of 256 MiB each: inflating even one whole would add hundreds of MiB to
    // the peak. Reading each only up to its 1 MiB limit stays within a few tens.
    expect(after.peak).toBeLessThan(Math.max(baseline.peak, baseline.rss + 160 * MIB));
    expect(after.rss - baseline.rss).toBeLessThan(100 * MIB);
    for (const { wire, fault, outcome } of memoryCases) expectApiError(wire, fault, outcome);
  }, 60_000);
});
