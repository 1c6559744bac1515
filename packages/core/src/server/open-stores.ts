/**
 * @fileoverview Which store holds each piece of shared state: the embedded ones by default
 * (SQLite files under var/, this process's memory), PostgreSQL with `storage.database_url` and
 * Redis with `storage.redis_url`, so several replicas behind a load balancer share them. Every
 * store is opened (and PostgreSQL migrated) before the server binds, so an unreachable server
 * stops startup naming its host.
 */
import type { Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';

import type { ProxySettings } from '../config/proxy-settings.js';
import type { ConversationStore } from '../frontends/openai-responses/conversation-store.js';
import type { SsoStore } from '../sso/sso-store.js';
import type { RateCounters } from '../storage/rate-counters.js';
import type { UsageStore } from '../storage/usage-store.js';

export interface ServeStores {
  /** Undefined with usage recording off. */
  usageStore: UsageStore | undefined;
  /** The PostgreSQL SSO store; undefined for SSO's own SQLite default (or SSO off). */
  ssoStore: SsoStore | undefined;
  /** The Redis counters; undefined for the in-memory default. */
  counters: RateCounters | undefined;
  /** The Redis failed-attempt counts; undefined for the in-memory default. */
  failedAttemptStore: Store | undefined;
  /** The Redis `previous_response_id` conversations; undefined for the in-memory default. */
  conversationStore: ConversationStore | undefined;
  /** The shared Redis connection, for the other Redis-backed stores; undefined without Redis. */
  redis: Redis | undefined;
  /** Closes what the stores' users do not: the Redis connection. */
  close(): Promise<void>;
}

export interface OpenServeStoresOptions {
  /**
   * Usage recording is on only because it is the default: without the SQLite driver (an optional
   * dependency a registry install may lack) it is then left off with one warning, not an error.
   * Explicitly asked for, or needed by a budget, a missing driver stops startup.
   */
  usageOnByDefault?: boolean;
  /** Told that usage recording was left off, and why. */
  warn?: (message: string, meta: Record<string, unknown>) => void;
}

export async function openServeStores(settings: Readonly<ProxySettings>, options: OpenServeStoresOptions = {}): Promise<ServeStores> {
  const { databaseUrl, redisUrl } = settings.storage;
  const opened: Array<() => Promise<void>> = [];
  try {
    let usageStore: UsageStore | undefined;
    if (settings.usage.enabled) {
      if (databaseUrl === undefined) {
        const [{ openSqliteUsageStore }, { loadSqliteDriver }] = await Promise.all([
          import('../storage/sqlite-usage-store.js'),
          import('../storage/load-sqlite-driver.js'),
        ]);
        try {
          loadSqliteDriver();
          usageStore = openSqliteUsageStore({ file: settings.usage.databaseFile });
        } catch (error) {
          if (options.usageOnByDefault !== true || (error as { code?: unknown }).code !== 'SQLITE_DRIVER_UNAVAILABLE') throw error;
          options.warn?.('Usage records are off: the SQLite driver better-sqlite3 is not available. Install it (npm install better-sqlite3), set storage.database_url, or pass --disable-usage to silence this', {
            code: 'SQLITE_DRIVER_UNAVAILABLE',
            reason: (error as Error).message,
          });
        }
      } else {
        const { openPostgresUsageStore } = await import('../storage/postgres-usage-store.js');
        usageStore = await openPostgresUsageStore(databaseUrl);
      }
      const store = usageStore;
      if (store !== undefined) opened.push(() => store.close());
    }
    let ssoStore: SsoStore | undefined;
    if (settings.sso.enabled && databaseUrl !== undefined) {
      const { openPostgresSsoStore } = await import('../sso/postgres-sso-store.js');
      const store = await openPostgresSsoStore(databaseUrl);
      ssoStore = store;
      opened.push(() => store.close());
    }
    let redis: Redis | undefined;
    let counters: RateCounters | undefined;
    let failedAttemptStore: Store | undefined;
    let conversationStore: ConversationStore | undefined;
    if (redisUrl !== undefined) {
      const [{ openRedisConnection }, { RedisRateCounters }, { createRedisFailedAttemptStore }, { RedisConversationStore }] = await Promise.all([
        import('../storage/redis-connection.js'),
        import('../storage/redis-rate-counters.js'),
        import('../storage/redis-failed-attempt-store.js'),
        import('../storage/redis-conversation-store.js'),
      ]);
      const connection = await openRedisConnection(redisUrl);
      redis = connection;
      opened.push(async () => {
        await connection.quit().catch(() => undefined);
      });
      counters = new RedisRateCounters(connection);
      failedAttemptStore = createRedisFailedAttemptStore(connection);
      conversationStore = new RedisConversationStore(connection);
    }
    const connection = redis;
    return {
      usageStore,
      ssoStore,
      counters,
      failedAttemptStore,
      conversationStore,
      redis,
      close: async () => {
        await connection?.quit().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw error;
  }
}
