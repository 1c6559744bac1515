/**
 * @fileoverview The PostgreSQL usage store against the UsageStore contract, on a private
 * PostgreSQL server started for this file, one fresh database per store; plus what is its own:
 * migrations from empty that two replicas may run at once, and an unreachable server named
 * without its password.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { openPostgresUsageStore } from '../../src/storage/postgres-usage-store.js';
import {
  describeWhenAvailable,
  postgresAvailability,
  startThrowawayPostgres,
  createEmptyDatabase,
  type ThrowawayServer,
} from '../support/throwaway-servers.js';
import { findFreePort } from '../support/run-llm-proxy.js';
import { describeUsageStoreContract, usageRecord } from './usage-store-contract.js';

let server: ThrowawayServer;

describeWhenAvailable(postgresAvailability(), describe)('PostgreSQL usage store', () => {
  beforeAll(async () => {
    server = await startThrowawayPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  describeUsageStoreContract('PostgreSQL', async () => openPostgresUsageStore(await createEmptyDatabase(server)));

  it('migrates an empty database once when two replicas start at the same time', async () => {
    const url = await createEmptyDatabase(server);
    const [first, second] = await Promise.all([openPostgresUsageStore(url), openPostgresUsageStore(url)]);
    try {
      await first.append([usageRecord()]);
      expect((await second.totals({}, 'caller')).map((row) => row.requests)).toEqual([1]);
      const migrations = new pg.Client({ connectionString: url });
      await migrations.connect();
      const { rows } = await migrations.query('SELECT id FROM llmproxy_migrations');
      await migrations.end();
      expect(rows).toEqual([{ id: '2026-12-07-usage-records' }]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('names the host and the error of an unreachable server, never the password', async () => {
    const port = await findFreePort();
    const attempt = openPostgresUsageStore(`postgres://llmproxy:hunter2-secret@127.0.0.1:${port}/usage`);
    await expect(attempt).rejects.toMatchObject({
      code: 'STORAGE_DATABASE_UNAVAILABLE',
      summary: `The PostgreSQL database at 127.0.0.1:${port}/usage cannot be used`,
      currentValue: expect.stringContaining('ECONNREFUSED'),
      fix: expect.stringContaining('storage.database_url'),
    });
    const error = (await attempt.catch((caught: unknown) => caught)) as Error;
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('hunter2-secret');
  });
});
