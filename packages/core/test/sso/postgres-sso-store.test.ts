/**
 * @fileoverview The PostgreSQL SSO store against the SsoStore contract, on a private PostgreSQL
 * server started for this file, one fresh database per store.
 */
import { afterAll, beforeAll, describe } from '@jest/globals';

import { openPostgresSsoStore } from '../../src/sso/postgres-sso-store.js';
import { describeWhenAvailable, postgresAvailability, startThrowawayPostgres, createEmptyDatabase, type ThrowawayServer } from '../support/throwaway-servers.js';
import { describeSsoStoreContract } from './sso-store-contract.js';

let server: ThrowawayServer;

describeWhenAvailable(postgresAvailability(), describe)('PostgreSQL SSO store', () => {
  beforeAll(async () => {
    server = await startThrowawayPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  describeSsoStoreContract('PostgreSQL', async () => openPostgresSsoStore(await createEmptyDatabase(server)));
});
