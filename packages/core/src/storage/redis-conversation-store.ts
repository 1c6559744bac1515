/**
 * @fileoverview The Responses API's `previous_response_id` conversations in the shared Redis, so
 * a conversation answered by one replica continues on any other. Each response id holds its
 * whole conversation as JSON, expiring after a time without use; one that would be larger than
 * the cap is not kept (a later `previous_response_id` to it gets the proxy's 404, which tells the
 * client to send the whole conversation).
 */
import type { ChatMessage } from '@llmproxy/connector-sdk';
import type { Redis } from 'ioredis';

export interface RedisConversationStoreOptions {
  /** Prefix of every key. Default `llmproxy`. */
  keyPrefix?: string;
  /** Seconds a conversation is kept after its last use. Default one day. */
  ttlSeconds?: number;
  /** The largest conversation kept, in characters of its JSON. Default 16 million. */
  maxCharacters?: number;
}

export class RedisConversationStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlSeconds: number;
  readonly #maxCharacters: number;

  constructor(redis: Redis, options: RedisConversationStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = `${options.keyPrefix ?? 'llmproxy'}:responses:`;
    this.#ttlSeconds = options.ttlSeconds ?? 86_400;
    this.#maxCharacters = options.maxCharacters ?? 16_000_000;
  }

  async get(id: string): Promise<readonly ChatMessage[] | undefined> {
    const key = this.#prefix + id;
    // GETEX: read and renew the expiry in one round trip.
    const json = await this.#redis.getex(key, 'EX', this.#ttlSeconds);
    return json === null ? undefined : (JSON.parse(json) as ChatMessage[]);
  }

  async has(id: string): Promise<boolean> {
    return (await this.#redis.exists(this.#prefix + id)) === 1;
  }

  async set(id: string, messages: readonly ChatMessage[]): Promise<void> {
    const json = JSON.stringify(messages);
    if (json.length > this.#maxCharacters) return;
    await this.#redis.set(this.#prefix + id, json, 'EX', this.#ttlSeconds);
  }
}
