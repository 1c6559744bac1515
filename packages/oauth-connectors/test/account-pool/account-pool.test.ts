/**
 * The pool loop on its own, with scripted attempts and a settable clock: what each vendor's
 * connector tests show through real upstreams, here for the parts every vendor shares.
 */
import { describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatResult } from '@llmproxy/connector-sdk';
import { AccountOrder } from '../../src/account-pool/account-order.js';
import { AccountPool, type AccountAttempt, type AccountPoolOptions } from '../../src/account-pool/account-pool.js';

interface TestAccount {
  name: string;
  file: string;
}

interface TestFailure {
  cooling: boolean;
  seconds: number;
  error: LlmProxyError;
}

const RESULT: ChatResult = { type: 'response', response: { id: 'r', model: 'm', created: 0, content: [{ type: 'text', text: 'ok' }], finishReason: 'stop' } };

function files(...names: string[]) {
  return names.map((name) => ({ name, file: `/pool/${name}.json` }));
}

function failure(cooling: boolean, seconds: number, code = 'TEST_ACCOUNT_FAILED'): AccountAttempt<TestFailure> {
  return { ok: false, failure: { cooling, seconds, error: new LlmProxyError({ code, message: `${code} happened`, fix: 'Do the thing', httpStatus: 401 }) } };
}

function createPool(overrides: Partial<AccountPoolOptions<TestAccount, TestFailure>> = {}) {
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const announced: string[] = [];
  const pool = new AccountPool<TestAccount, TestFailure>({
    backendName: 'test-pool',
    now: () => clock,
    arrangement: new AccountOrder('first-available'),
    wording: { accountNoun: 'Test account', accountsProvider: 'test', exhausted: { code: 'TEST_ACCOUNTS_EXHAUSTED', state: 'is out of quota' }, noUsableAccount: { code: 'TEST_NO_USABLE_ACCOUNT' } },
    createAccount: (file) => ({ ...file }),
    unavailability: (entry) => ({ until: clock + entry.seconds * 1000, cooling: entry.cooling, reason: entry.cooling ? 'cooling' : 'blocked' }),
    announce: (account, _failure, remaining) => announced.push(`${account.name}: ${remaining.usable}/${remaining.total}`),
    emptyPoolError: () => new LlmProxyError({ code: 'TEST_ACCOUNTS_MISSING', message: 'none', httpStatus: 503 }),
    soleAccountAnswersWithItsError: true,
    ...overrides,
  });
  return { pool, announced, advance: (ms: number) => (clock += ms) };
}

const signal = new AbortController().signal;

async function failureOf(promise: Promise<unknown>): Promise<LlmProxyError> {
  try {
    await promise;
  } catch (error) {
    if (LlmProxyError.is(error)) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('AccountPool', () => {
  it('moves past a failing account, sets it aside until its time, and tells how many remain', async () => {
    const { pool, announced, advance } = createPool();
    const tried: string[] = [];
    const attempt = async (account: TestAccount) => {
      tried.push(account.name);
      return account.name === 'a' ? failure(true, 30) : { ok: true as const, result: RESULT };
    };
    await expect(pool.serve(files('a', 'b'), 'c1', signal, attempt)).resolves.toBe(RESULT);
    expect(announced).toEqual(['a: 1/2']);
    await pool.serve(files('a', 'b'), 'c1', signal, attempt);
    expect(tried).toEqual(['a', 'b', 'b']);
    advance(30_000);
    await pool.serve(files('a', 'b'), 'c1', signal, async (account) => (tried.push(account.name), { ok: true as const, result: RESULT }));
    expect(tried.at(-1)).toBe('a');
  });

  it('answers 429 naming the account that frees up first when some are cooling', async () => {
    const { pool } = createPool();
    const error = await failureOf(pool.serve(files('a', 'b'), 'c', signal, async (account) => (account.name === 'a' ? failure(true, 90) : failure(true, 45))));
    expect(error.code).toBe('TEST_ACCOUNTS_EXHAUSTED');
    expect(error.httpStatus).toBe(429);
    expect(error.message).toContain('Every Test account of backend test-pool is out of quota; the earliest, "b", frees up at 2026-01-01T00:00:45.000Z (in 45 s). Accounts: a: cooling; b: cooling');
    expect(error.fix).toBe('Retry after 2026-01-01T00:00:45.000Z, or add accounts with `llm-proxy accounts add test`');
    expect(error.details).toMatchObject({ backend: 'test-pool', retryAfterSeconds: 45 });
  });

  it('answers 503 with every reason when all are blocked, and a pool of one with its own error when so configured', async () => {
    const blocked = createPool();
    const error = await failureOf(blocked.pool.serve(files('a', 'b'), 'c', signal, async () => failure(false, 600)));
    expect(error.code).toBe('TEST_NO_USABLE_ACCOUNT');
    expect(error.httpStatus).toBe(503);
    expect(error.message).toContain('No Test account of backend test-pool can serve requests: a: blocked; b: blocked');

    const own = await failureOf(blocked.pool.serve(files('solo'), 'c', signal, async () => failure(false, 600, 'SOLO_LOGIN_REQUIRED')));
    expect(own.code).toBe('SOLO_LOGIN_REQUIRED');
    // Still its own error while it stays set aside and nothing is attempted.
    expect((await failureOf(blocked.pool.serve(files('solo'), 'c', signal, async () => ({ ok: true as const, result: RESULT })))).code).toBe('SOLO_LOGIN_REQUIRED');

    const summarised = createPool({ soleAccountAnswersWithItsError: false });
    expect((await failureOf(summarised.pool.serve(files('solo'), 'c', signal, async () => failure(false, 600)))).code).toBe('TEST_NO_USABLE_ACCOUNT');
  });

  it('gives the empty-pool error when the directory holds no account, and forgets accounts whose file went away', async () => {
    const { pool } = createPool();
    expect((await failureOf(pool.serve([], 'c', signal, async () => ({ ok: true as const, result: RESULT })))).code).toBe('TEST_ACCOUNTS_MISSING');
    await failureOf(pool.serve(files('a'), 'c', signal, async () => failure(false, 600)));
    await pool.serve(files('b'), 'c', signal, async () => ({ ok: true as const, result: RESULT }));
    // "a" came back as a new file: nothing of its old state remains.
    await expect(pool.serve(files('a'), 'c', signal, async () => ({ ok: true as const, result: RESULT }))).resolves.toBe(RESULT);
  });

  it('keeps a conversation on the account that served it (session affinity) and reports what it set aside to the arrangement', async () => {
    const setAside: string[] = [];
    const order = new AccountOrder('session-affinity');
    const { pool } = createPool({
      arrangement: {
        arrange: (usable, conversation) => order.arrange(usable, conversation),
        served: (conversation, name) => order.served(conversation, name),
        setAside: (name, unavailability) => setAside.push(`${name}:${unavailability.cooling}`),
      },
    });
    const served: string[] = [];
    const succeed = async (account: TestAccount) => (served.push(account.name), { ok: true as const, result: RESULT });
    await pool.serve(files('a', 'b', 'c'), 'talk', signal, succeed);
    for (let turn = 0; turn < 3; turn++) await pool.serve(files('a', 'b', 'c'), 'talk', signal, succeed);
    expect(new Set(served).size).toBe(1);
    await pool.serve(files('a', 'b', 'c'), 'talk', signal, async (account) => (account.name === served[0] ? failure(true, 10) : succeed(account)));
    expect(setAside).toEqual([`${served[0]}:true`]);
  });

  it('stops at once when the client went away', async () => {
    const { pool } = createPool();
    const controller = new AbortController();
    controller.abort();
    await expect(pool.serve(files('a'), 'c', controller.signal, async () => ({ ok: true as const, result: RESULT }))).rejects.toThrow();
  });
});
