/**
 * @fileoverview Two `llm-proxy` replicas (the real CLI, two processes) on one private PostgreSQL
 * and one private Redis, requests sent to both in turn, as a load balancer would: a per-minute
 * limit holds across both, a personal token issued by one replica's sign-in works on the other
 * and its revocation is refused by the other at once, a Responses conversation answered by one
 * continues on the other, usage totals equal what was sent, and a replica stopped (SIGTERM) with
 * a stream open loses no usage record.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import {
  assertCliBuilt,
  cleanUpCliRuns,
  createWorkingDirectory,
  findFreePort,
  runLlmProxy,
  startLlmProxy,
  type RunningCli,
} from '../support/run-llm-proxy.js';
import {
  createEmptyDatabase,
  describeWhenAvailable,
  postgresAvailability,
  redisAvailability,
  startThrowawayPostgres,
  startThrowawayRedis,
  type ServerAvailability,
  type ThrowawayServer,
} from '../support/throwaway-servers.js';
import { HttpBrowser, inputValue } from '../sso/support/http-browser.js';
import { signIn } from '../sso/support/sign-in.js';
import { PROXY_CLIENT_ID, PROXY_CLIENT_SECRET, SECRET_VARIABLE } from '../sso/support/sso-test-setup.js';
import { startTestIdentityProvider, type TestIdentityProvider } from '../sso/support/test-identity-provider.js';

const ADMIN_KEY = 'client-key-admin-for-replica-tests';
const LIMITED_KEY = 'client-key-limited-for-replica-tests';
const BUDGETED_KEY = 'client-key-budgeted-for-replica-tests';
const UPSTREAM_KEY = 'sk-upstream-key-for-replica-tests';
const REQUESTS_PER_MINUTE = 4;

const postgres = postgresAvailability();
const redis = redisAvailability();
const bothServers: ServerAvailability = {
  available: postgres.available && redis.available,
  reason: [postgres.reason, redis.reason].filter((reason) => reason !== '').join('; '),
};

interface UsageJson {
  totals: Array<{ key: string; requests: number; failed_requests: number; input_tokens: number; output_tokens: number }>;
}

describeWhenAvailable(bothServers, describe)('two replicas on one PostgreSQL and one Redis', () => {
  let database: ThrowawayServer;
  let redisServer: ThrowawayServer;
  let upstream: FakeOpenAIUpstream;
  let idp: TestIdentityProvider;
  let replicas: RunningCli[] = [];
  let cwd: string;
  let env: Record<string, string>;
  /** Chat requests answered 200, by caller, to compare with the usage totals. */
  const answered = new Map<string, number>();

  const countAnswer = (caller: string): void => {
    answered.set(caller, (answered.get(caller) ?? 0) + 1);
  };

  function chat(replica: RunningCli, key: string, body: object = {}): Promise<Response> {
    return fetch(`${replica.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    });
  }

  beforeAll(async () => {
    assertCliBuilt();
    [database, redisServer] = await Promise.all([startThrowawayPostgres(), startThrowawayRedis()]);
    const databaseUrl = await createEmptyDatabase(database);
    upstream = await startFakeOpenAIUpstream({ apiKey: UPSTREAM_KEY, models: ['gpt-4o', 'priced'] });
    const ports = [await findFreePort(), await findFreePort()];
    idp = await startTestIdentityProvider({
      clients: [
        {
          clientId: PROXY_CLIENT_ID,
          clientSecret: PROXY_CLIENT_SECRET,
          redirectUris: ports.map((port) => `http://127.0.0.1:${port}/auth/callback`),
        },
      ],
    });
    cwd = createWorkingDirectory({
      'llm-proxy.yaml': `
callers:
  api-key#2:
    limits: { requests_per_minute: ${REQUESTS_PER_MINUTE} }
  api-key#3:
    budgets: [{ usd: 10, period: day }]
prices:
  # The fake's 11 input tokens cost $11: one request spends the $10 budget.
  openai:priced: { input_usd_per_mtok: 1000000, output_usd_per_mtok: 0 }
sso:
  enabled: true
  providers:
    test-idp:
      name: Test Identity Provider
      issuer: ${idp.issuer}
      client_id: ${PROXY_CLIENT_ID}
      client_secret_env: ${SECRET_VARIABLE}
      allowed_users:
        email_domains: [example.com]
storage:
  database_url: ${databaseUrl}
  redis_url: ${redisServer.url}
`,
    });
    env = { OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.baseUrl, [SECRET_VARIABLE]: PROXY_CLIENT_SECRET };
    // Both replicas start at once, so both run the migrations of the empty database together.
    replicas = await Promise.all(
      ports.map((port) =>
        startLlmProxy(['--port', String(port), '--api-keys', `${ADMIN_KEY},${LIMITED_KEY},${BUDGETED_KEY}`, '--disable-notifications'], {
          cwd,
          env,
          timeoutMs: 60_000,
        }),
      ),
    );
  }, 180_000);

  afterAll(async () => {
    cleanUpCliRuns();
    await Promise.all([upstream?.close(), idp?.close(), database?.stop(), redisServer?.stop()]);
  });

  it('holds a per-minute limit across both replicas: the next request is refused whichever replica gets it', async () => {
    const statuses: number[] = [];
    for (let request = 0; request < REQUESTS_PER_MINUTE; request += 1) {
      const response = await chat(replicas[request % 2]!, LIMITED_KEY);
      statuses.push(response.status);
      if (response.status === 200) countAnswer('api-key#2');
      await response.arrayBuffer();
    }
    expect(statuses).toEqual(Array(REQUESTS_PER_MINUTE).fill(200));
    for (const replica of replicas) {
      const refused = await chat(replica, LIMITED_KEY);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      await refused.arrayBuffer();
    }
    // Another caller's requests are not limited by that caller's window.
    const other = await chat(replicas[1]!, ADMIN_KEY);
    expect(other.status).toBe(200);
    countAnswer('api-key#1');
    await other.arrayBuffer();
  });

  it('holds a budget across both replicas: what one replica spent is refused by the other at once', async () => {
    const [first, second] = replicas as [RunningCli, RunningCli];
    const spending = await chat(first, BUDGETED_KEY, { model: 'priced' });
    expect(spending.status).toBe(200);
    countAnswer('api-key#3');
    await spending.arrayBuffer();
    // Sooner than the first replica writes its usage records (every 200 ms): only the shared
    // running total knows what was spent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await chat(second, BUDGETED_KEY, { model: 'priced' });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('CALLER_BUDGET_EXCEEDED');
  });

  it('accepts a personal token from one replica’s sign-in on the other, and refuses it there at once when revoked', async () => {
    const [first, second] = replicas as [RunningCli, RunningCli];
    const page = await signIn(new HttpBrowser(), { proxyBase: first.url, providerId: 'test-idp', login: 'alice' });
    const token = inputValue(page, 'proxy-token');
    const tokenId = /Its id is <code>([^<]+)<\/code>/.exec(page.body)?.[1];
    expect(token).toBeDefined();
    expect(tokenId).toBeDefined();

    const onSecond = await chat(second, token!);
    expect(onSecond.status).toBe(200);
    countAnswer('test-idp:alice');
    await onSecond.arrayBuffer();

    // Revoked through the CLI against the same database, as an operator would.
    const revoked = await runLlmProxy(['tokens', 'revoke', tokenId!], { cwd, env, timeoutMs: 60_000 });
    expect(revoked.stderr).toBe('');
    expect(revoked.exitCode).toBe(0);
    for (const replica of replicas) {
      const refused = await chat(replica, token!);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(`SSO token ${tokenId} has been revoked`);
    }
  });

  it('continues a Responses conversation answered by one replica on the other', async () => {
    const [first, second] = replicas as [RunningCli, RunningCli];
    const responses = (replica: RunningCli, body: object): Promise<Response> =>
      fetch(`${replica.url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', ...body }),
      });
    upstream.enqueue({ type: 'answer', text: ['The first answer.'] }, { type: 'answer', text: ['The second answer.'] });
    const opened = await responses(first, { input: 'Remember the word kumquat.' });
    expect(opened.status).toBe(200);
    countAnswer('api-key#1');
    const { id } = (await opened.json()) as { id: string };
    const continued = await responses(second, { input: 'Which word?', previous_response_id: id });
    expect(continued.status).toBe(200);
    countAnswer('api-key#1');
    await continued.arrayBuffer();
    // The second replica sent the whole conversation, which only the first had seen.
    const sent = JSON.stringify(upstream.requests.at(-1)?.body);
    expect(sent).toContain('Remember the word kumquat.');
    expect(sent).toContain('The first answer.');
    expect(sent).toContain('Which word?');
  });

  it('loses no usage record when a replica is stopped with a stream open, and the totals equal what was sent', async () => {
    const second = replicas[1]!;
    upstream.enqueue({ type: 'answer', text: ['one ', 'two ', 'three ', 'four'], chunkDelayMs: 300 });
    const stream = await chat(second, ADMIN_KEY, { stream: true, stream_options: { include_usage: true } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read();
    // Stopped while the stream is open: the drain lets it finish, then every queued record is written.
    const stopping = second.stop('SIGTERM');
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
    expect(text).toContain('data: [DONE]');
    countAnswer('api-key#1');
    expect((await stopping).exitCode).toBe(0);

    const usage = await runLlmProxy(['usage', '--by', 'caller', '--format', 'json'], { cwd, env, timeoutMs: 60_000 });
    expect(usage.exitCode).toBe(0);
    const totals = (JSON.parse(usage.stdout) as UsageJson).totals;
    const answeredByCaller = Object.fromEntries(
      totals.map((total) => [total.key, total.requests - total.failed_requests]),
    );
    expect(answeredByCaller).toEqual(Object.fromEntries(answered));
    // Refused requests are recorded as failed on whichever replica refused them.
    expect(totals.find((total) => total.key === 'api-key#2')?.failed_requests).toBe(replicas.length);
  }, 60_000);
});
