import { describe, expect, it } from '@jest/globals';
import { createFakeUpstreamHttpClient } from '../../src/testing/fake-upstream-http-client.js';
import { readUpstreamErrorBody } from '../../src/read-upstream-error-body.js';

const signal = (): AbortSignal => new AbortController().signal;

describe('createFakeUpstreamHttpClient', () => {
  it('answers the first matching script entry and records the request', async () => {
    const fake = createFakeUpstreamHttpClient([
      { match: /\/models$/, json: { data: [{ id: 'm1' }] } },
      { match: (request) => request.method === 'POST', status: 201, text: 'created' },
    ]);
    const created = await fake.http.send({ method: 'POST', url: 'http://upstream.test/v1/chat', json: { a: 1 }, signal: signal() });
    expect(created.status).toBe(201);
    expect(await created.text()).toBe('created');
    const models = await fake.http.send({ method: 'GET', url: 'http://upstream.test/v1/models', signal: signal() });
    expect(models.headers['content-type']).toBe('application/json');
    expect(await models.json()).toEqual({ data: [{ id: 'm1' }] });
    expect(fake.requests.map((request) => [request.method, request.url, request.json])).toEqual([
      ['POST', 'http://upstream.test/v1/chat', { a: 1 }],
      ['GET', 'http://upstream.test/v1/models', undefined],
    ]);
    expect(fake.unusedAnswers()).toEqual([]);
  });

  it('resolves on error statuses, as core’s client does, with headers to pass on', async () => {
    const fake = createFakeUpstreamHttpClient([{ status: 429, headers: { 'Retry-After': '3' }, json: { error: { message: 'slow down' } } }]);
    const response = await fake.http.send({ method: 'POST', url: 'http://upstream.test/x', signal: signal() });
    const answer = await readUpstreamErrorBody(response, { passOnHeaders: ['retry-after'] });
    expect(answer).toMatchObject({ status: 429, json: { error: { message: 'slow down' } }, headers: { 'retry-after': '3' } });
  });

  it('streams events one at a time, [DONE] included, and as raw SSE bytes', async () => {
    const script = { repeat: true, events: ['{"n":1}', { event: 'ping', data: 'line one\nline two' }, '[DONE]'] };
    const fake = createFakeUpstreamHttpClient([script]);
    const streamed = [];
    for await (const event of (await fake.http.send({ method: 'POST', url: 'http://u/s', signal: signal() })).events()) streamed.push(event);
    expect(streamed).toEqual([{ data: '{"n":1}' }, { event: 'ping', data: 'line one\nline two' }, { data: '[DONE]' }]);
    let raw = '';
    for await (const bytes of (await fake.http.send({ method: 'POST', url: 'http://u/s', signal: signal() })).bytes()) raw += new TextDecoder().decode(bytes);
    expect(raw).toBe('data: {"n":1}\n\nevent: ping\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n');
  });

  it('ends a stream with the abort reason when the signal fires mid-stream', async () => {
    const fake = createFakeUpstreamHttpClient([{ events: ['a', 'b', 'c'], eventIntervalMs: 20 }]);
    const controller = new AbortController();
    const response = await fake.http.send({ method: 'POST', url: 'http://u/s', signal: controller.signal });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of response.events()) {
          seen.push(event.data);
          controller.abort(new Error('client went away'));
        }
      })(),
    ).rejects.toThrow('client went away');
    expect(seen).toEqual(['a']);
  });

  it('refuses an already aborted send, a request nobody scripted, and a second read of one body', async () => {
    const fake = createFakeUpstreamHttpClient([{ match: 'http://u/only', text: 'x' }]);
    const aborted = new AbortController();
    aborted.abort(new Error('gone'));
    await expect(fake.http.send({ method: 'GET', url: 'http://u/only', signal: aborted.signal })).rejects.toThrow('gone');
    await expect(fake.http.send({ method: 'GET', url: 'http://u/other', signal: signal() })).rejects.toThrow(
      'The fake upstream has no answer for GET http://u/other (1 scripted answers left)',
    );
    const response = await fake.http.send({ method: 'GET', url: 'http://u/only', signal: signal() });
    await response.text();
    await expect(response.json()).rejects.toThrow('already read');
  });
});
