/**
 * @fileoverview The contract every {@link SsoStore} (personal tokens, browser sessions, sign-in
 * attempts) passes: lookups by hash and id, listing newest first with the filters, revocation
 * (owned or not, once), use times, one-time sign-in attempts and the expiry sweep. A shared
 * implementation calls {@link describeSsoStoreContract} with a factory of empty stores.
 */
import { afterEach, describe, expect, it } from '@jest/globals';

import type { ProxyTokenRecord, SsoStore } from '../../src/sso/sso-store.js';
import type { SsoUser } from '../../src/sso/sso-user.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 2, 1, 12);

const alice: SsoUser = { id: 'idp:alice', providerId: 'idp', subject: 'alice', email: 'alice@example.com', emailVerified: true, name: 'Alice', groups: ['engineering'] };
const bob: SsoUser = { id: 'idp:bob', providerId: 'idp', subject: 'bob', email: undefined, emailVerified: false, name: undefined, groups: [] };

function token(overrides: Partial<ProxyTokenRecord>): ProxyTokenRecord {
  return { id: 't1', tokenHash: 'hash-1', user: alice, label: 'sign-in', createdAt: NOW, expiresAt: NOW + HOUR, revokedAt: undefined, lastUsedAt: undefined, ...overrides };
}

export function describeSsoStoreContract(name: string, openEmptyStore: () => Promise<SsoStore>): void {
  describe(`${name}: the SsoStore contract`, () => {
    const opened: SsoStore[] = [];
    const open = async (): Promise<SsoStore> => {
      const store = await openEmptyStore();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('finds tokens by hash and id with every field, and lists them newest first by filter', async () => {
      const store = await open();
      await store.insertToken(token({}));
      await store.insertToken(token({ id: 't2', tokenHash: 'hash-2', createdAt: NOW + 1, user: bob }));
      await store.insertToken(token({ id: 't3', tokenHash: 'hash-3', createdAt: NOW + 2, expiresAt: NOW - 1 }));
      expect(await store.findTokenByHash('hash-1')).toEqual(token({}));
      expect((await store.findToken('t2'))?.user).toEqual(bob);
      expect(await store.findToken('nope')).toBeUndefined();
      expect((await store.listTokens({ now: NOW })).map((record) => record.id)).toEqual(['t2', 't1']);
      expect((await store.listTokens({ now: NOW, includeInactive: true })).map((record) => record.id)).toEqual(['t3', 't2', 't1']);
      expect((await store.listTokens({ now: NOW, userId: 'idp:alice' })).map((record) => record.id)).toEqual(['t1']);
    });

    it('revokes a token once, only for its owner when one is named, and all of a user\'s tokens', async () => {
      const store = await open();
      await store.insertToken(token({}));
      await store.insertToken(token({ id: 't2', tokenHash: 'hash-2' }));
      await store.insertToken(token({ id: 't3', tokenHash: 'hash-3', user: bob }));
      expect(await store.revokeToken('t1', NOW, 'idp:bob')).toBe(false);
      expect(await store.revokeToken('t1', NOW, 'idp:alice')).toBe(true);
      expect(await store.revokeToken('t1', NOW + 1)).toBe(false);
      expect((await store.findToken('t1'))?.revokedAt).toBe(NOW);
      expect(await store.revokeUserTokens('idp:alice', NOW + 2)).toBe(1);
      expect((await store.findToken('t3'))?.revokedAt).toBeUndefined();
    });

    it('records when a token was used', async () => {
      const store = await open();
      await store.insertToken(token({}));
      await store.recordTokenUse('t1', NOW + 5);
      expect((await store.findToken('t1'))?.lastUsedAt).toBe(NOW + 5);
    });

    it('keeps browser sessions until deleted, and hands out a sign-in attempt once', async () => {
      const store = await open();
      const session = { sessionHash: 's1', user: alice, csrfToken: 'csrf', createdAt: NOW, expiresAt: NOW + HOUR };
      await store.insertSession(session);
      expect(await store.findSession('s1')).toEqual(session);
      await store.deleteSession('s1');
      expect(await store.findSession('s1')).toBeUndefined();

      const attempt = { stateHash: 'st', bindingHash: 'b', providerId: 'idp', nonce: 'n', codeVerifier: 'v', redirectUri: 'http://127.0.0.1/auth/callback', createdAt: NOW, expiresAt: NOW + HOUR };
      await store.insertLoginAttempt(attempt);
      expect(await store.takeLoginAttempt('st')).toEqual(attempt);
      expect(await store.takeLoginAttempt('st')).toBeUndefined();
    });

    it('sweeps expired sessions and attempts, and tokens that ended before the cut-off', async () => {
      const store = await open();
      await store.insertSession({ sessionHash: 'old', user: alice, csrfToken: 'c', createdAt: NOW - 2 * HOUR, expiresAt: NOW - HOUR });
      await store.insertSession({ sessionHash: 'live', user: alice, csrfToken: 'c', createdAt: NOW, expiresAt: NOW + HOUR });
      await store.insertLoginAttempt({ stateHash: 'old', bindingHash: 'b', providerId: 'idp', nonce: 'n', codeVerifier: 'v', redirectUri: 'r', createdAt: NOW - 2 * HOUR, expiresAt: NOW - HOUR });
      await store.insertToken(token({ id: 'ended', tokenHash: 'h-ended', expiresAt: NOW - 3 * HOUR }));
      await store.insertToken(token({ id: 'recent', tokenHash: 'h-recent', expiresAt: NOW - 1 }));
      await store.insertToken(token({ id: 'active', tokenHash: 'h-active' }));
      await store.deleteExpired(NOW, NOW - 2 * HOUR);
      expect(await store.findSession('old')).toBeUndefined();
      expect(await store.findSession('live')).toBeDefined();
      expect(await store.takeLoginAttempt('old')).toBeUndefined();
      expect((await store.listTokens({ now: NOW, includeInactive: true })).map((record) => record.id).sort()).toEqual(['active', 'recent']);
    });
  });
}
