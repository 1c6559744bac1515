/**
 * @fileoverview The two homes of `previous_response_id` conversations, held to the same
 * behaviour: in memory, and in a private Redis server started for this file (where two
 * connections, as two replicas, see the same conversations, and entries expire).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChatMessage } from '@llmproxy/connector-sdk';

import { MemoryConversationStore, type ConversationStore } from '../../src/frontends/openai-responses/conversation-store.js';
import { openRedisConnection } from '../../src/storage/redis-connection.js';
import { RedisConversationStore } from '../../src/storage/redis-conversation-store.js';
import { describeWhenAvailable, redisAvailability, startThrowawayRedis, type ThrowawayServer } from '../support/throwaway-servers.js';

const turn: ChatMessage[] = [
  { role: 'user', content: [{ type: 'text', text: 'Remember kumquat.' }] },
  { role: 'assistant', content: [{ type: 'text', text: 'Kumquat it is.' }] },
];

function describeConversationStore(name: string, open: () => Promise<ConversationStore>): void {
  describe(`${name} conversation store`, () => {
    it('keeps a conversation under its response id and says which ids it holds', async () => {
      const store = await open();
      expect(await store.has('resp_1')).toBe(false);
      expect(await store.get('resp_1')).toBeUndefined();
      await store.set('resp_1', turn, turn);
      expect(await store.has('resp_1')).toBe(true);
      expect(await store.get('resp_1')).toEqual(turn);
    });
  });
}

describeConversationStore('memory', async () => new MemoryConversationStore());

let server: ThrowawayServer;
const connections: Array<{ quit(): Promise<unknown> }> = [];
let prefixes = 0;

describeWhenAvailable(redisAvailability(), describe)('Redis', () => {
  beforeAll(async () => {
    server = await startThrowawayRedis();
  }, 60_000);
  afterAll(async () => {
    for (const connection of connections) await connection.quit().catch(() => undefined);
    await server?.stop();
  });

  const connect = async () => {
    const connection = await openRedisConnection(server.url);
    connections.push(connection);
    return connection;
  };

  describeConversationStore('Redis', async () => new RedisConversationStore(await connect(), { keyPrefix: `test-${(prefixes += 1)}` }));

  it('shares conversations between connections, as between replicas, and lets them expire', async () => {
    const first = new RedisConversationStore(await connect(), { keyPrefix: 'shared', ttlSeconds: 1 });
    const second = new RedisConversationStore(await connect(), { keyPrefix: 'shared', ttlSeconds: 1 });
    await first.set('resp_shared', turn);
    expect(await second.get('resp_shared')).toEqual(turn);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await second.has('resp_shared')).toBe(false);
  });

  it('does not keep a conversation over its size cap', async () => {
    const store = new RedisConversationStore(await connect(), { keyPrefix: 'capped', maxCharacters: 50 });
    await store.set('resp_big', turn);
    expect(await store.has('resp_big')).toBe(false);
  });
});
