/**
 * @fileoverview The shared Redis of several replicas (`storage.redis_url`): one ioredis
 * connection, checked at startup. ioredis is imported only when a Redis URL is configured.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { Redis } from 'ioredis';

/** `host:port` of a URL, for messages: never the password. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}`;
  } catch {
    return 'an unparsable URL';
  }
}

/** Connects and answers PING; throws `LlmProxyError` STORAGE_REDIS_UNAVAILABLE naming the host (never the password). */
export async function openRedisConnection(url: string): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis');
  const client = new RedisClient(url, {
    lazyConnect: true,
    connectTimeout: 10_000,
    // A request waits for at most two reconnection attempts, then fails instead of hanging.
    maxRetriesPerRequest: 2,
    connectionName: 'llm-proxy',
  });
  // Connection errors are retried by ioredis and surface on the commands that fail.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new LlmProxyError({
      code: 'STORAGE_REDIS_UNAVAILABLE',
      message: `The Redis server at ${describeRedisUrl(url)} cannot be used`,
      currentValue: (error as Error).message,
      fix: 'Check storage.redis_url (LLM_PROXY_REDIS_URL): the server must be reachable from the proxy (redis://[:password@]host:port[/db])',
      cause: error,
    });
  }
  return client;
}
