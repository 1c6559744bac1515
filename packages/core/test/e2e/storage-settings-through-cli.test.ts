/**
 * @fileoverview The shared-storage settings through the real CLI: an unreachable PostgreSQL or
 * Redis stops startup naming the host and the error (never the password), a URL of the wrong
 * kind is refused before anything connects, and `config explain` shows both settings with their
 * source without their values.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, findFreePort, runLlmProxy } from '../support/run-llm-proxy.js';

const PASSWORD = 'hunter2-storage-password';

beforeAll(assertCliBuilt);
afterEach(cleanUpCliRuns);

describe('shared storage settings through the CLI', () => {
  it('stops startup when the database cannot be reached, naming its host, not its password', async () => {
    const port = await findFreePort();
    const result = await runLlmProxy(
      ['--port', '0', '--api-keys', 'k', '--disable-notifications', '--database-url', `postgres://proxy:${PASSWORD}@127.0.0.1:${port}/llm`],
      { timeoutMs: 60_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('STORAGE_DATABASE_UNAVAILABLE');
    expect(result.stderr).toContain(`The PostgreSQL database at 127.0.0.1:${port}/llm cannot be used`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('storage.database_url');
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    expect(result.listenCalls).toEqual([]);
  });

  it('stops startup when Redis cannot be reached, naming its host, not its password', async () => {
    const port = await findFreePort();
    const result = await runLlmProxy(['--port', '0', '--api-keys', 'k', '--disable-notifications'], {
      env: { LLM_PROXY_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}` },
      timeoutMs: 60_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('STORAGE_REDIS_UNAVAILABLE');
    expect(result.stderr).toContain(`The Redis server at 127.0.0.1:${port} cannot be used`);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    expect(result.listenCalls).toEqual([]);
  });

  it('refuses a URL of the wrong kind before connecting, with what is allowed', async () => {
    const result = await runLlmProxy(['--database-url', 'mysql://proxy@127.0.0.1/llm']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('--database-url');
    expect(result.stderr).toContain('postgres://');
    const yaml = createWorkingDirectory({ 'llm-proxy.yaml': 'storage:\n  redis_url: http://127.0.0.1:6379\n' });
    const fromYaml = await runLlmProxy(['config', 'explain'], { cwd: yaml });
    expect(fromYaml.exitCode).toBe(1);
    expect(fromYaml.stderr).toContain('storage.redis_url');
  });

  it('shows both settings and their sources in config explain, never their values', async () => {
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': `storage:\n  database_url: postgres://proxy:${PASSWORD}@db.internal/llm\n` });
    const result = await runLlmProxy(['config', 'explain'], { cwd, env: { LLM_PROXY_REDIS_URL: `redis://:${PASSWORD}@cache.internal:6379` } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/storage\.database_url[^\n]*llm-proxy\.yaml/);
    expect(result.stdout).toMatch(/storage\.redis_url[^\n]*LLM_PROXY_REDIS_URL/);
    expect(result.stdout).not.toContain(PASSWORD);
    expect(result.stdout).not.toContain('db.internal');
  });
});
