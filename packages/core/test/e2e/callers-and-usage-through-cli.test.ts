/**
 * @fileoverview Caller settings and usage through the real `llm-proxy` CLI and a fake OpenAI
 * upstream: models outside a caller's patterns are 403 in the client's API format, rate limits
 * are 429 with Retry-After, a spent budget is refused naming it and its reset, every request
 * leaves a usage record with the upstream's usage (streams included) and a cost from the price
 * table (null for an unknown model), a SIGTERM under load loses no record, and the records read
 * back through `llm-proxy usage` (table, JSON, CSV) and `/admin/usage` (admins only). Every
 * response carries an `x-request-id`, which every log line of the request carries too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { calcPrice } from '@pydantic/genai-prices';
import { DEFAULT_FAKE_USAGE, serverErrorReply, startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, runLlmProxy, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const ADMIN_KEY = 'client-key-admin-for-usage-tests';
const LIMITED_KEY = 'client-key-limited-for-usage-tests';
const BUDGETED_KEY = 'client-key-budgeted-for-usage-tests';
const UPSTREAM_KEY = 'sk-upstream-key-for-usage-tests';

const CONFIG = `
caller_defaults:
  models: ["openai:*"]
callers:
  api-key#1:
    name: Admin
    admin: true
  api-key#2:
    name: Limited
    models: ["openai:gpt-4o-mini*"]
    limits: { requests_per_minute: 2 }
  api-key#3:
    name: Budgeted
    budgets:
      - { usd: 10, period: day }
prices:
  # 11 input tokens (the fake's usage) cost $11: one request spends the $10 budget.
  openai:priced: { input_usd_per_mtok: 1000000, output_usd_per_mtok: 0 }
`;

interface UsageTotalsJson {
  group_by: string;
  totals: Array<{
    key: string;
    name?: string;
    requests: number;
    failed_requests: number;
    input_tokens: number;
    output_tokens: number;
    cached_input_tokens: number;
    reasoning_tokens: number;
    cost_usd: number;
    unpriced_requests: number;
  }>;
}

let upstream: FakeOpenAIUpstream | undefined;

async function startProxy(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<RunningCli> {
  upstream = await startFakeOpenAIUpstream({ apiKey: UPSTREAM_KEY, models: ['gpt-4o', 'gpt-4o-mini', 'm', 'priced'] });
  const cwd = createWorkingDirectory({ 'llm-proxy.yaml': CONFIG });
  return startLlmProxy(['--port', '0', '--api-keys', `${ADMIN_KEY},${LIMITED_KEY},${BUDGETED_KEY}`, '--disable-notifications', ...extraArgs], {
    cwd,
    env: { OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.baseUrl, ...env },
  });
}

function openAIChat(proxy: RunningCli, key: string, body: object, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], ...body }),
  });
}

function anthropicMessages(proxy: RunningCli, key: string, body: object): Promise<Response> {
  return fetch(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }], ...body }),
  });
}

async function usageReport(cwd: string, args: string[]): Promise<string> {
  const result = await runLlmProxy(['usage', ...args], { cwd });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

describe('callers and usage through the CLI', () => {
  beforeAll(() => assertCliBuilt());
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
    cleanUpCliRuns();
  });

  it('refuses a model outside the caller\'s patterns with 403 in the OpenAI and Anthropic formats, before the upstream', async () => {
    const proxy = await startProxy();
    const openai = await openAIChat(proxy, LIMITED_KEY, { model: 'openai:gpt-4o' });
    expect(openai.status).toBe(403);
    const openaiBody = (await openai.json()) as { error: { code: string; type: string; message: string } };
    expect(openaiBody.error.code).toBe('CALLER_MODEL_NOT_ALLOWED');
    expect(openaiBody.error.type).toBe('permission_error');
    expect(openaiBody.error.message).toContain('openai:gpt-4o;');
    expect(openaiBody.error.message).toContain('allowed models: openai:gpt-4o-mini*');

    const anthropic = await anthropicMessages(proxy, LIMITED_KEY, { model: 'openai:gpt-4o' });
    expect(anthropic.status).toBe(403);
    const anthropicBody = (await anthropic.json()) as { type: string; error: { type: string; message: string } };
    expect(anthropicBody.type).toBe('error');
    expect(anthropicBody.error.type).toBe('permission_error');
    expect(anthropicBody.error.message).toContain('Limited may not use openai:gpt-4o');
    expect(upstream?.requests.filter((request) => request.method === 'POST')).toHaveLength(0);

    // An allowed model goes through, and the admin (defaults: openai:*) may use any openai model.
    expect((await openAIChat(proxy, LIMITED_KEY, { model: 'openai:gpt-4o-mini' })).status).toBe(200);
    expect((await openAIChat(proxy, ADMIN_KEY, { model: 'openai:gpt-4o' })).status).toBe(200);
    await proxy.stop();
  });

  it('answers 429 with Retry-After once a caller passes its requests per minute', async () => {
    const proxy = await startProxy();
    expect((await openAIChat(proxy, LIMITED_KEY, { model: 'openai:gpt-4o-mini' })).status).toBe(200);
    expect((await openAIChat(proxy, LIMITED_KEY, { model: 'openai:gpt-4o-mini' })).status).toBe(200);
    const refused = await openAIChat(proxy, LIMITED_KEY, { model: 'openai:gpt-4o-mini' });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CALLER_RATE_LIMITED');
    expect(body.error.message).toContain('2 requests per minute');
    // Another caller is not affected.
    expect((await openAIChat(proxy, ADMIN_KEY, { model: 'openai:gpt-4o-mini' })).status).toBe(200);
    expect(upstream?.requests.filter((request) => request.method === 'POST')).toHaveLength(3);
    await proxy.stop();
  });

  it('refuses a caller whose budget is spent, naming the budget and when it resets (429 OpenAI, 402 Anthropic)', async () => {
    const proxy = await startProxy();
    expect((await openAIChat(proxy, BUDGETED_KEY, { model: 'openai:priced' })).status).toBe(200);
    const refused = await openAIChat(proxy, BUDGETED_KEY, { model: 'openai:priced' });
    expect(refused.status).toBe(429);
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CALLER_BUDGET_EXCEEDED');
    expect(body.error.message).toContain('$11.0000 of its $10 per day budget');
    expect(body.error.message).toContain(`resets at ${tomorrow.toISOString()}`);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const anthropic = await anthropicMessages(proxy, BUDGETED_KEY, { model: 'openai:priced' });
    expect(anthropic.status).toBe(402);
    const anthropicBody = (await anthropic.json()) as { error: { type: string; message: string } };
    expect(anthropicBody.error.type).toBe('billing_error');
    expect(anthropicBody.error.message).toContain('per day budget');
    expect(upstream?.requests.filter((request) => request.method === 'POST')).toHaveLength(1);

    // The budget is read back from the usage database after a restart.
    await proxy.stop();
    const restarted = await startLlmProxy(['--port', '0', '--api-keys', `${ADMIN_KEY},${LIMITED_KEY},${BUDGETED_KEY}`, '--disable-notifications'], {
      cwd: proxy.cwd,
      env: { OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream?.baseUrl ?? '' },
    });
    expect((await openAIChat(restarted, BUDGETED_KEY, { model: 'openai:priced' })).status).toBe(429);
    await restarted.stop();
  });

  it('records streamed and whole requests with the upstream\'s usage and cost, and reads them back as table, JSON and CSV', async () => {
    const proxy = await startProxy();
    const streamed = await openAIChat(proxy, ADMIN_KEY, { model: 'openai:gpt-4o', stream: true });
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('[DONE]');
    // The connector asks the upstream for the usage of a stream.
    const upstreamBody = upstream?.requests[0]?.body as { stream_options?: { include_usage?: boolean } };
    expect(upstreamBody.stream_options?.include_usage).toBe(true);
    const anthropicStream = await anthropicMessages(proxy, LIMITED_KEY, { model: 'openai:gpt-4o-mini', stream: true });
    expect(anthropicStream.status).toBe(200);
    expect(await anthropicStream.text()).toContain('message_stop');
    // A model the price table does not know: tokens recorded, cost null.
    expect((await openAIChat(proxy, ADMIN_KEY, { model: 'openai:m' })).status).toBe(200);
    // A refused request is recorded too, as failed.
    expect((await openAIChat(proxy, LIMITED_KEY, { model: 'openai:m' })).status).toBe(403);
    await proxy.stop();

    const byModel = JSON.parse(await usageReport(proxy.cwd, ['--by', 'model', '--format', 'json'])) as UsageTotalsJson;
    const row = (key: string) => byModel.totals.find((total) => total.key === key);
    const fakeUsage = {
      input: DEFAULT_FAKE_USAGE.prompt_tokens,
      output: DEFAULT_FAKE_USAGE.completion_tokens,
      cached: DEFAULT_FAKE_USAGE.prompt_tokens_details?.['cached_tokens'] ?? 0,
      reasoning: DEFAULT_FAKE_USAGE.completion_tokens_details?.['reasoning_tokens'] ?? 0,
    };
    const expectedCost = (model: string): number => {
      const price = calcPrice({ input_tokens: fakeUsage.input, output_tokens: fakeUsage.output, cache_read_tokens: fakeUsage.cached }, model, { providerId: 'openai' });
      if (price === null || price === undefined) throw new Error(`the price table should know ${model}`);
      return price.total_price;
    };
    expect(row('openai:gpt-4o')).toEqual({
      key: 'openai:gpt-4o',
      requests: 1,
      failed_requests: 0,
      input_tokens: fakeUsage.input,
      output_tokens: fakeUsage.output,
      cached_input_tokens: fakeUsage.cached,
      reasoning_tokens: fakeUsage.reasoning,
      cost_usd: expectedCost('gpt-4o'),
      unpriced_requests: 0,
    });
    expect(row('openai:gpt-4o-mini')?.input_tokens).toBe(fakeUsage.input);
    expect(row('openai:gpt-4o-mini')?.cost_usd).toBeCloseTo(expectedCost('gpt-4o-mini'), 12);
    expect(row('openai:m')).toMatchObject({ requests: 2, failed_requests: 1, input_tokens: fakeUsage.input, cost_usd: 0, unpriced_requests: 2 });

    const byCaller = JSON.parse(await usageReport(proxy.cwd, ['--format', 'json'])) as UsageTotalsJson;
    expect(byCaller.totals.map((total) => [total.key, total.name, total.requests])).toEqual([
      ['api-key#1', 'Admin', 2],
      ['api-key#2', 'Limited', 2],
    ]);

    const csv = (await usageReport(proxy.cwd, ['--by', 'model', '--format', 'csv'])).trimEnd().split('\n');
    expect(csv[0]).toBe('model,requests,failed_requests,input_tokens,output_tokens,cached_input_tokens,reasoning_tokens,cost_usd,unpriced_requests');
    expect(csv).toContain(
      `openai:gpt-4o,1,0,${fakeUsage.input},${fakeUsage.output},${fakeUsage.cached},${fakeUsage.reasoning},${expectedCost('gpt-4o').toFixed(6)},0`,
    );

    const table = await usageReport(proxy.cwd, ['--by', 'day']);
    const today = new Date().toISOString().slice(0, 10);
    expect(table).toMatch(new RegExp(`^${today}\\s+4\\s+1\\s+${fakeUsage.input * 3}\\s+${fakeUsage.output * 3}\\s`, 'm'));
    expect(table).toMatch(/^TOTAL\s+4\s+1\s/m);

    // A range that excludes today has nothing.
    const empty = JSON.parse(await usageReport(proxy.cwd, ['--from', '2001-01-01', '--to', '2001-01-31', '--format', 'json'])) as UsageTotalsJson;
    expect(empty.totals).toEqual([]);
  });

  it('writes the record of every request finished under load when SIGTERM arrives', async () => {
    const proxy = await startProxy();
    const count = 40;
    for (let index = 0; index < count; index += 1) {
      upstream?.enqueue({ type: 'answer', text: ['one', ' two', ' three'], chunkDelayMs: 300 });
    }
    const responses = Array.from({ length: count }, (_, index) =>
      openAIChat(proxy, index % 2 === 0 ? ADMIN_KEY : BUDGETED_KEY, { model: 'openai:gpt-4o', stream: true }).then(async (response) => ({
        status: response.status,
        text: await response.text(),
      })),
    );
    await upstream?.waitForRequest(count - 1);
    const stopped = proxy.stop('SIGTERM');
    const answers = await Promise.all(responses);
    expect((await stopped).exitCode).toBe(0);
    expect(answers.every((answer) => answer.status === 200 && answer.text.includes('[DONE]'))).toBe(true);

    const byCaller = JSON.parse(await usageReport(proxy.cwd, ['--format', 'json'])) as UsageTotalsJson;
    expect(byCaller.totals.map((total) => [total.key, total.requests, total.failed_requests, total.output_tokens])).toEqual([
      ['api-key#1', count / 2, 0, (count / 2) * DEFAULT_FAKE_USAGE.completion_tokens],
      ['api-key#3', count / 2, 0, (count / 2) * DEFAULT_FAKE_USAGE.completion_tokens],
    ]);
  });

  it('serves /admin/usage to admin callers only', async () => {
    const proxy = await startProxy();
    expect((await openAIChat(proxy, LIMITED_KEY, { model: 'openai:gpt-4o-mini' })).status).toBe(200);
    const forbidden = await fetch(`${proxy.url}/admin/usage`, { headers: { authorization: `Bearer ${LIMITED_KEY}` } });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('ADMIN_REQUIRED');

    const allowed = await fetch(`${proxy.url}/admin/usage?group_by=caller`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(allowed.status).toBe(200);
    const body = (await allowed.json()) as UsageTotalsJson;
    expect(body.totals).toEqual([
      expect.objectContaining({ key: 'api-key#2', name: 'Limited', requests: 1, input_tokens: DEFAULT_FAKE_USAGE.prompt_tokens }),
    ]);
    const invalid = await fetch(`${proxy.url}/admin/usage?group_by=week`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('USAGE_QUERY_INVALID');
    await proxy.stop();
  });

  it('puts an x-request-id on every response, the client\'s own when well-formed, and on the request\'s log lines', async () => {
    const proxy = await startProxy();
    // An upstream failure, which the proxy logs from inside the request as well as its request line.
    upstream?.enqueue(serverErrorReply());
    const own = await openAIChat(proxy, ADMIN_KEY, { model: 'openai:gpt-4o' }, { 'x-request-id': 'trace-42.abc' });
    expect(own.status).toBe(500);
    expect(own.headers.get('x-request-id')).toBe('trace-42.abc');
    const generated = await openAIChat(proxy, ADMIN_KEY, { model: 'openai:gpt-4o' }, { 'x-request-id': `bad id ${'x'.repeat(10)}` });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await openAIChat(proxy, ADMIN_KEY, { model: 'openai:gpt-4o' }, { 'x-request-id': 'a'.repeat(129) });
    expect(tooLong.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unauthenticated = await fetch(`${proxy.url}/v1/models`);
    expect(unauthenticated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await proxy.stop();

    const logLines = fs
      .readFileSync(path.join(proxy.cwd, 'var/logs/llm-proxy.log'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { message: string; requestId?: string });
    const ofOwn = logLines.filter((line) => line.requestId === 'trace-42.abc').map((line) => line.message);
    // The failure's log entry (from the error handler) and the request line.
    expect(ofOwn.length).toBeGreaterThanOrEqual(2);
    expect(ofOwn).toContain('HTTP request');
  });

  it('stops startup on a budget without a period, and on budgets with usage recording off', async () => {
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': 'caller_defaults:\n  budgets:\n    - usd: 5\n' });
    const noPeriod = await runLlmProxy(['--port', '0', '--api-keys', ADMIN_KEY, '--disable-notifications'], { cwd });
    expect(noPeriod.exitCode).toBe(1);
    expect(noPeriod.stderr).toContain('caller_defaults.budgets[0]');
    expect(noPeriod.stderr).toContain('its reset period (day or month)');

    const usageOff = await runLlmProxy(['--port', '0', '--api-keys', ADMIN_KEY, '--disable-notifications', '--disable-usage'], {
      cwd: createWorkingDirectory({ 'llm-proxy.yaml': CONFIG }),
    });
    expect(usageOff.exitCode).toBe(1);
    expect(usageOff.stderr).toContain('CALLER_BUDGETS_NEED_USAGE');

    const unknownKey = await runLlmProxy(['--port', '0', '--api-keys', ADMIN_KEY, '--disable-notifications'], {
      cwd: createWorkingDirectory({ 'llm-proxy.yaml': CONFIG }),
    });
    expect(unknownKey.exitCode).toBe(1);
    expect(unknownKey.stderr).toContain('CALLER_KEY_UNKNOWN');
    expect(unknownKey.stderr).toContain('callers.api-key#2');
  });
});
