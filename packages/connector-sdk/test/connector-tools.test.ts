import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import {
  checkedHttpUrl,
  invalidBackendConfig,
  optionalConfigChoice,
  optionalConfigNumber,
  optionalConfigString,
  optionalConfigUrl,
  optionalModelList,
} from '../src/backend-config.js';
import { LlmProxyError, UpstreamError } from '../src/errors.js';
import { isRecord } from '../src/is-record.js';
import { describeUnparsedBody, readUpstreamErrorBody } from '../src/read-upstream-error-body.js';
import { StreamEndedEarlyError } from '../src/stream-ended-early-error.js';
import type { UpstreamResponse } from '../src/upstream-http-client.js';

describe('isRecord', () => {
  it('accepts plain objects and refuses null, arrays and primitives', () => {
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
    expect(isRecord(null)).toBe(false);
    expect(isRecord([])).toBe(false);
    expect(isRecord('x')).toBe(false);
    expect(isRecord(undefined)).toBe(false);
  });
});

describe('UpstreamError.is', () => {
  const upstream = new UpstreamError({ backend: 'b', status: 429, error: { message: 'slow down' } });

  it('recognises upstream errors but not other llmproxy errors', () => {
    expect(UpstreamError.is(upstream)).toBe(true);
    expect(UpstreamError.is(new LlmProxyError({ code: 'BACKEND_NOT_FOUND', message: 'no' }))).toBe(false);
    expect(UpstreamError.is(new Error('plain'))).toBe(false);
    expect(UpstreamError.is(undefined)).toBe(false);
  });

  it('recognises one from another copy of the SDK by its marker', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('llmproxy.error')]: true,
      [Symbol.for('llmproxy.upstream-error')]: true,
      code: 'UPSTREAM_ERROR',
    });
    expect(UpstreamError.is(foreign)).toBe(true);
  });

  it('recognises one from a pre-marker SDK copy by code and shape, and nothing with the code alone', () => {
    const old = Object.assign(new Error('x'), {
      [Symbol.for('llmproxy.error')]: true,
      code: 'UPSTREAM_ERROR',
      upstreamStatus: 500,
      upstreamError: { message: 'x' },
    });
    expect(UpstreamError.is(old)).toBe(true);
    const codeOnly = Object.assign(new Error('x'), { [Symbol.for('llmproxy.error')]: true, code: 'UPSTREAM_ERROR' });
    expect(UpstreamError.is(codeOnly)).toBe(false);
  });
});

describe('StreamEndedEarlyError', () => {
  it('is UPSTREAM_STREAM_INTERRUPTED with a 502 naming the backend', () => {
    const error = new StreamEndedEarlyError({ backend: 'anthropic' });
    expect(LlmProxyError.is(error)).toBe(true);
    expect(error.code).toBe('UPSTREAM_STREAM_INTERRUPTED');
    expect(error.httpStatus).toBe(502);
    expect(error.summary).toBe('The stream from backend anthropic ended before the answer was complete');
    expect(error.details).toEqual({ backend: 'anthropic' });
  });

  it('says what was missing when told', () => {
    const error = new StreamEndedEarlyError({ backend: 'kiro', missing: 'the input of tool call t1 was complete' });
    expect(error.summary).toBe('The stream from backend kiro ended before the input of tool call t1 was complete');
  });
});

describe('readUpstreamErrorBody', () => {
  /** A real HTTP answer read through node:http, wrapped as the connector contract's response. */
  async function answer(status: number, body: string, headers: Record<string, string> = {}): Promise<UpstreamResponse> {
    const server = createServer((_request, response) => {
      response.writeHead(status, headers);
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`);
      const text = await response.text();
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      return {
        status: response.status,
        headers: responseHeaders,
        text: async () => text,
        json: async () => JSON.parse(text) as unknown,
        events: () => {
          throw new Error('not read as events here');
        },
        bytes: () => {
          throw new Error('not read as bytes here');
        },
        discard: () => undefined,
      };
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('parses a JSON body and passes on only the named headers', async () => {
    const response = await answer(429, '{"error":{"message":"slow down"}}', {
      'content-type': 'application/json',
      'retry-after': '7',
      'x-secret-header': 'no',
    });
    const read = await readUpstreamErrorBody(response, { passOnHeaders: ['Retry-After', 'x-request-id'] });
    expect(read.status).toBe(429);
    expect(read.json).toEqual({ error: { message: 'slow down' } });
    expect(read.headers).toEqual({ 'retry-after': '7' });
    expect(read.fallbackMessage).toBe('The upstream answered HTTP 429: {"error":{"message":"slow down"}}');
  });

  it('leaves json undefined for an HTML page and quotes only its start', async () => {
    const page = `<html>\n<body>${'Bad gateway '.repeat(100)}</body></html>`;
    const read = await readUpstreamErrorBody(await answer(502, page));
    expect(read.json).toBeUndefined();
    expect(read.fallbackMessage.startsWith('The upstream answered HTTP 502: <html> <body>Bad gateway')).toBe(true);
    expect(read.fallbackMessage.length).toBe('The upstream answered HTTP 502: '.length + 300);
  });

  it('survives a body that cannot be read', async () => {
    const broken: UpstreamResponse = {
      status: 500,
      headers: {},
      text: () => Promise.reject(new Error('socket hang up')),
      json: () => Promise.reject(new Error('socket hang up')),
      events: () => {
        throw new Error('unused');
      },
      bytes: () => {
        throw new Error('unused');
      },
      discard: () => undefined,
    };
    const read = await readUpstreamErrorBody(broken);
    expect(read.text).toBe('');
    expect(read.fallbackMessage).toBe('The upstream answered HTTP 500 with an empty body');
  });

  it('describes an empty body', () => {
    expect(describeUnparsedBody(503, '  \n')).toBe('The upstream answered HTTP 503 with an empty body');
  });
});

describe('backend config readers', () => {
  const config = { base_url: 'http://127.0.0.1:9/v1/', api_key: 42, mode: 'fast', timeout: -1, models: ['a', { id: 'b', owned_by: 'me' }] };

  it('reads strings, choices, numbers, URLs and model lists', () => {
    expect(optionalConfigString({ key: '' }, 'key', 'x')).toBeUndefined();
    expect(optionalConfigChoice(config, 'mode', 'x', ['fast', 'slow'])).toBe('fast');
    expect(optionalConfigNumber({ timeout: 5 }, 'timeout', 'x')).toBe(5);
    expect(optionalConfigUrl(config, 'base_url', 'x')).toBe('http://127.0.0.1:9/v1');
    expect(optionalModelList(config, 'x')).toEqual([{ id: 'a' }, { id: 'b', ownedBy: 'me' }]);
  });

  it('names the key, shows the value and never repeats a secret', () => {
    expect(() => optionalConfigString(config, 'api_key', 'x', { secret: true })).toThrow(
      'backends.x.api_key must be a string. Current value: a number. Correct backends.x.api_key in the config file.',
    );
    expect(() => optionalConfigNumber(config, 'timeout', 'x')).toThrow('Current value: -1 (number)');
    expect(() => optionalConfigChoice(config, 'mode', 'x', ['slow'])).toThrow('backends.x.mode must be one of slow');
    expect(() => optionalModelList({ models: [3] }, 'x')).toThrow('backends.x.models[0] must be a list');
  });

  it('refuses URLs that are not absolute http(s)', () => {
    for (const value of ['ftp://host/x', '/relative', 'not a url']) {
      expect(() => checkedHttpUrl(value, 'OPENAI_BASE_URL', 'openai')).toThrow(`Current value: OPENAI_BASE_URL = ${value}`);
    }
    const error = invalidBackendConfig('x', 'k', 'is wrong');
    expect(error.code).toBe('BACKEND_CONFIG_INVALID');
  });
});
