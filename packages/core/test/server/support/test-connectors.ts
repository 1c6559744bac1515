/**
 * Small connectors for server tests, each made with defineConnector, answering from memory
 * so that a test controls exactly what "the upstream" does and when.
 */
import {
  defineConnector,
  UpstreamError,
  type ChatEvent,
  type ChatOptions,
  type ChatRequest,
  type ConnectorDefinition,
} from '@llmproxy/connector-sdk';
import { upstreamTimingFor } from '../../../src/upstream/upstream-timing.js';

/** What a connector saw of one chat call. */
export interface ChatCall {
  request: ChatRequest;
  signal: AbortSignal;
}

/** Answers in one piece with `echo <model>: <last user text>`; lists models alpha and beta. */
export function echoConnector(calls: ChatCall[] = [], closed: { count: number } = { count: 0 }): ConnectorDefinition {
  return defineConnector({
    id: 'echo-test',
    hasStaticCredentials: true,
    create: () => ({
      listModels: async () => [{ id: 'alpha', created: 1_700_000_000 }, { id: 'beta', ownedBy: 'echo-team' }],
      chat: async (request, options) => {
        calls.push({ request, signal: options.signal });
        const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
        const text = lastUser?.content.map((part) => (part.type === 'text' ? part.text : '')).join('') ?? '';
        return {
          type: 'response',
          response: {
            id: 'echo-1',
            model: request.model,
            created: 1_700_000_000,
            content: [{ type: 'text', text: `echo ${request.model}: ${text}` }],
            finishReason: 'stop',
            usage: { inputTokens: 3, outputTokens: 4 },
          },
        };
      },
      close: async () => {
        closed.count += 1;
      },
    }),
  });
}

/**
 * A stream whose events the test pushes one at a time. Like a real upstream stream, it fails
 * with an AbortError once the request's signal is aborted.
 */
export class EventChannel implements AsyncIterable<ChatEvent> {
  readonly #queue: ChatEvent[] = [];
  #ended = false;
  #failure: unknown;
  #wake: (() => void) | undefined;
  /** How many events the consumer has taken. */
  pulled = 0;
  /** True once the consumer stopped early (return() was called). */
  returned = false;

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => this.#wake?.(), { once: true });
  }

  push(...events: ChatEvent[]): void {
    this.#queue.push(...events);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  fail(error: unknown): void {
    this.#failure = error;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ChatEvent> {
    try {
      for (;;) {
        if (this.signal.aborted) throw new DOMException('The upstream request was aborted', 'AbortError');
        const next = this.#queue.shift();
        if (next !== undefined) {
          this.pulled += 1;
          yield next;
          continue;
        }
        if (this.#failure !== undefined) throw this.#failure;
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    } finally {
      if (!this.#ended && this.#failure === undefined) this.returned = true;
    }
  }
}

/** A streaming connector whose streams are handed to the test as they are opened. */
export interface ChannelConnectorControl {
  definition: ConnectorDefinition;
  /** Resolves with the next chat call and its stream. */
  nextStream(): Promise<ChatCall & { channel: EventChannel }>;
  closed: { count: number };
}

export function channelConnector(): ChannelConnectorControl {
  const waiting: Array<(value: ChatCall & { channel: EventChannel }) => void> = [];
  const opened: Array<ChatCall & { channel: EventChannel }> = [];
  const closed = { count: 0 };
  const definition = defineConnector({
    id: 'channel-test',
    hasStaticCredentials: true,
    create: () => ({
      listModels: async () => [{ id: 'live' }],
      chat: async (request: ChatRequest, options: ChatOptions) => {
        const channel = new EventChannel(options.signal);
        const call = { request, signal: options.signal, channel };
        const waiter = waiting.shift();
        if (waiter !== undefined) waiter(call);
        else opened.push(call);
        return { type: 'stream', events: channel };
      },
      close: async () => {
        closed.count += 1;
      },
    }),
  });
  return {
    definition,
    closed,
    nextStream: () => {
      const ready = opened.shift();
      return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Streams `count` text deltas of `size` characters as fast as it is asked, counting pulls. */
export function floodConnector(state: { pulled: number; signal?: AbortSignal }, count: number, size: number): ConnectorDefinition {
  const text = 'x'.repeat(size);
  return defineConnector({
    id: 'flood-test',
    hasStaticCredentials: true,
    create: () => ({
      listModels: async () => [],
      chat: async (_request, options) => {
        state.signal = options.signal;
        async function* events(): AsyncIterable<ChatEvent> {
          yield { type: 'response-start', id: 'flood-1', model: 'flood', created: 1_700_000_000 };
          for (let index = 0; index < count; index += 1) {
            state.pulled += 1;
            yield { type: 'text-delta', text };
          }
          yield { type: 'finish', finishReason: 'stop' };
        }
        return { type: 'stream', events: events() };
      },
    }),
  });
}

/**
 * Fails on purpose, by model: `rate-limited` is an upstream 429 with retry-after, `crash` an
 * unexpected error whose message must not reach the client, `stream-then-fail` a stream that
 * breaks after its first delta, `upstream-wait` an answer that reports a long upstream wait.
 * Listing its models always fails.
 */
export function failingConnector(): ConnectorDefinition {
  return defineConnector({
    id: 'failing-test',
    hasStaticCredentials: true,
    create: () => ({
      listModels: async () => {
        throw new Error('listing failed on purpose');
      },
      chat: async (request, options) => {
        if (request.model === 'rate-limited') {
          throw new UpstreamError({
            backend: 'failing',
            status: 429,
            error: { message: 'Rate limit reached for requests', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
            headers: { 'retry-after': '7' },
          });
        }
        if (request.model === 'stream-then-fail') {
          async function* events(): AsyncIterable<ChatEvent> {
            yield { type: 'response-start', id: 'broken-1', model: 'stream-then-fail', created: 1_700_000_000 };
            yield { type: 'text-delta', text: 'partial' };
            throw new UpstreamError({ backend: 'failing', status: 502, error: { message: 'upstream connection reset' } });
          }
          return { type: 'stream', events: events() };
        }
        if (request.model === 'upstream-wait') {
          const timing = upstreamTimingFor(options.signal);
          // Reports far more upstream wait than the request can have taken: the overhead
          // header must then be clamped to zero, which shows the upstream wait is subtracted.
          if (timing !== undefined) timing.upstreamMs += 1_000_000;
          return {
            type: 'response',
            response: { id: 'wait-1', model: 'upstream-wait', created: 1_700_000_000, content: [], finishReason: 'stop' },
          };
        }
        throw new Error('internal detail: database password hunter2');
      },
    }),
  });
}
