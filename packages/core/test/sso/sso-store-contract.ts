/**
 * @fileoverview The contract every {@link SsoStore} implementation passes: tokens found by hash
 * and id, listed newest first with or without the inactive ones, revoked once (by anyone or by
 * their owner only), sessions, sign-in attempts taken once, and expiry. An implementation calls
 * {@link describeSsoStoreContract} with a factory of empty stores.
 */
import { afterEach, describe, expect, it } from '@jest/globals';

import type { ProxyTokenRecord, SsoStore } from '../../src/sso/sso-store.js';
import type { SsoUser } from '../../src/sso/sso-user.js';

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

const alice: SsoUser = {
  id: 'corp:alice',
  providerId: 'corp',
  subject: 'alice',
  email: 'alice@example.com',
  emailVerified: true,
  name: 'Alice',
  groups: ['engineering'],
};
const bob: SsoUser = { ...alice, id: 'corp:bob', subject: 'bob', email: 'bob@example.com', name: undefined, groups: [] };

function token(id: string, user: SsoUser, overrides: Partial<ProxyTokenRecord> = {}): ProxyTokenRecord {
  return {
    id,
    tokenHash: `hash-${id}`,
    user,
    label: 'sign-in',
    createdAt: NOW,
    expiresAt: NOW + 24 * HOUR,
    revokedAt: undefined,
    lastUsedAt: undefined,
    ...overrides,
  };
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

    it('finds a token by hash and by id, with every field kept', async () => {
      const store = await open();
      const record = token('t1', alice, { lastUsedAt: NOW + 5 });
      await store.insertToken(record);
      expect(await store.findTokenByHash('hash-t1')).toEqual(record);
      expect(await store.findToken('t1')).toEqual(record);
      expect(await store.findTokenByHash('hash-unknown')).toBeUndefined();
      expect(await store.findToken('unknown')).toBeUndefined();
      // A second token with the same hash is refused (the rejection is asserted as such: a native
      // driver's error may come from another realm than the test's, which toThrow() does not accept).
      await expect(store.insertToken(token('t2', alice, { tokenHash: 'hash-t1' })).then(() => 'inserted', () => 'refused')).resolves.toBe('refused');
    });

    it('lists tokens newest first, active ones unless asked for all, per user', async () => {
      const store = await open();
      await store.insertToken(token('old', alice, { createdAt: NOW - 2 * HOUR }));
      await store.insertToken(token('new', alice, { createdAt: NOW - HOUR }));
      await store.insertToken(token('expired', alice, { createdAt: NOW - 3 * HOUR, expiresAt: NOW - 1 }));
      await store.insertToken(token('revoked', bob, { createdAt: NOW - 4 * HOUR, revokedAt: NOW - 1 }));
      const ids = (tokens: ProxyTokenRecord[]) => tokens.map((record) => record.id);
      expect(ids(await store.listTokens({ now: NOW }))).toEqual(['new', 'old']);
      expect(ids(await store.listTokens({ now: NOW, includeInactive: true }))).toEqual(['new', 'old', 'expired', 'revoked']);
      expect(ids(await store.listTokens({ now: NOW, userId: 'corp:bob' }))).toEqual([]);
      expect(ids(await store.listTokens({ now: NOW, userId: 'corp:bob', includeInactive: true }))).toEqual(['revoked']);
    });

    it('revokes a token once, and only for its owner when an owner is given', async () => {
      const store = await open();
      await store.insertToken(token('t1', alice));
      await store.insertToken(token('t2', alice));
      expect(await store.revokeToken('t1', NOW + 1, 'corp:bob')).toBe(false);
      expect(await store.revokeToken('t1', NOW + 1, 'corp:alice')).toBe(true);
      expect(await store.revokeToken('t1', NOW + 2)).toBe(false);
      expect((await store.findToken('t1'))?.revokedAt).toBe(NOW + 1);
      expect(await store.revokeToken('t2', NOW + 3)).toBe(true);
      expect(await store.revokeToken('missing', NOW)).toBe(false);
    });

    it("revokes every active token of a user and records a token's use", async () => {
      const store = await open();
      await store.insertToken(token('a1', alice));
      await store.insertToken(token('a2', alice));
      await store.insertToken(token('b1', bob));
      expect(await store.revokeUserTokens('corp:alice', NOW)).toBe(2);
      expect(await store.revokeUserTokens('corp:alice', NOW)).toBe(0);
      expect((await store.findToken('b1'))?.revokedAt).toBeUndefined();
      await store.recordTokenUse('b1', NOW + 7);
      expect((await store.findToken('b1'))?.lastUsedAt).toBe(NOW + 7);
    });

    it('keeps, finds and deletes browser sessions', async () => {
      const store = await open();
      const session = { sessionHash: 's1', user: alice, csrfToken: 'csrf', createdAt: NOW, expiresAt: NOW + HOUR };
      await store.insertSession(session);
      expect(await store.findSession('s1')).toEqual(session);
      await store.deleteSession('s1');
      expect(await store.findSession('s1')).toBeUndefined();
    });

    it('hands a sign-in attempt out once', async () => {
      const store = await open();
      const attempt = {
        stateHash: 'state',
        bindingHash: 'binding',
        providerId: 'corp',
        nonce: 'nonce',
        codeVerifier: 'verifier',
        redirectUri: 'https://proxy.example/auth/callback',
        createdAt: NOW,
        expiresAt: NOW + HOUR,
      };
      await store.insertLoginAttempt(attempt);
      const [first, second] = await Promise.all([store.takeLoginAttempt('state'), store.takeLoginAttempt('state')]);
      expect([first, second].filter((taken) => taken !== undefined)).toEqual([attempt]);
    });

    it('deletes expired sessions and attempts, and tokens that ended before the cut-off', async () => {
      const store = await open();
      await store.insertSession({ sessionHash: 'gone', user: alice, csrfToken: 'c', createdAt: NOW - 2 * HOUR, expiresAt: NOW - HOUR });
      await store.insertSession({ sessionHash: 'kept', user: alice, csrfToken: 'c', createdAt: NOW, expiresAt: NOW + HOUR });
      await store.insertLoginAttempt({
        stateHash: 'old', bindingHash: 'b', providerId: 'corp', nonce: 'n', codeVerifier: 'v', redirectUri: 'https://p/cb',
        createdAt: NOW - 2 * HOUR, expiresAt: NOW - HOUR,
      });
      await store.insertToken(token('ended-long-ago', alice, { expiresAt: NOW - 10 * HOUR }));
      await store.insertToken(token('revoked-long-ago', alice, { revokedAt: NOW - 10 * HOUR }));
      await store.insertToken(token('revoked-recently', alice, { revokedAt: NOW - HOUR }));
      await store.insertToken(token('active', alice));
      await store.deleteExpired(NOW, NOW - 5 * HOUR);
      expect(await store.findSession('gone')).toBeUndefined();
      expect(await store.findSession('kept')).toBeDefined();
      expect(await store.takeLoginAttempt('old')).toBeUndefined();
      const left = (await store.listTokens({ now: NOW, includeInactive: true })).map((record) => record.id).sort();
      expect(left).toEqual(['active', 'revoked-recently']);
    });
  });
}
