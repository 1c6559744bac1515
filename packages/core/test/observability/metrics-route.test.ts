/**
 * @fileoverview Who may read `/metrics` on the main port once authenticated: a caller marked admin
 * and, with authentication off, anyone; any other key or SSO user is refused with
 * METRICS_FORBIDDEN in the client's error format. (Anonymous requests never reach the route: the
 * authentication middleware answers 401, as e2e/metrics-through-cli.test.ts shows through the CLI.)
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { errorHandler } from '../../src/server/error-handler.js';
import { attachRequestContext } from '../../src/server/request-context.js';
import { metricsRoute } from '../../src/server/routes/metrics-route.js';
import { createRecordingLogger } from '../support/recording-logger.js';

const ADMIN = 'api-key#1';
const METRICS_TEXT = '# HELP llmproxy_requests_total Chat requests\nllmproxy_requests_total 3\n';

async function serve(userId: string | undefined): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.use((_request, response, next) => {
    const abortController = new AbortController();
    attachRequestContext(response, {
      requestId: 'request-1',
      callerGroups: [],
      whenClosed: [],
      startedAt: 0,
      family: 'openai',
      abortController,
      backend: undefined,
      upstreamTiming: undefined,
      authenticated: true,
      userId,
    });
    next();
  });
  app.get(
    '/metrics',
    metricsRoute({ contentType: 'text/plain; version=0.0.4; charset=utf-8', render: () => Promise.resolve(METRICS_TEXT) }, (caller) => caller === ADMIN),
  );
  app.use(errorHandler({ logger: createRecordingLogger(), bodyLimitBytes: 1024 }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('GET /metrics on the main port', () => {
  let running: { url: string; close: () => Promise<void> } | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it.each([['an admin caller', ADMIN], ['anyone, with authentication off', undefined]])('serves the metrics to %s', async (_who, userId) => {
    running = await serve(userId);
    const response = await fetch(running.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe(METRICS_TEXT);
  });

  it.each([['a key not marked admin', 'api-key#2'], ['an SSO user not marked admin', 'google:1234567890']])('refuses %s', async (_who, userId) => {
    running = await serve(userId);
    const response = await fetch(running.url);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('METRICS_FORBIDDEN');
    expect(JSON.stringify(body)).not.toContain('llmproxy_requests_total');
  });
});
