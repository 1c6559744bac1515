/**
 * @fileoverview Where the conversations behind `previous_response_id` are kept: the process's
 * memory by default (ResponseStore), or a store shared by replicas (Redis, storage/), so a
 * conversation answered by one replica continues on another. Asynchronous because a shared store is.
 */
import type { ChatMessage } from '@llmproxy/connector-sdk';
import { ResponseStore, type ResponseStoreOptions } from './response-store.js';

export interface ConversationStore {
  /** The conversation up to and including response `id`, or undefined when unknown or expired. */
  get(id: string): Promise<readonly ChatMessage[] | undefined>;
  /** Whether response `id` is kept (without counting as a use). */
  has(id: string): Promise<boolean>;
  /**
   * Keeps `messages` (the conversation including the answer) under `id`; `newMessages` are the
   * ones this turn added.
   */
  set(id: string, messages: readonly ChatMessage[], newMessages: readonly ChatMessage[]): Promise<void>;
}

/** The in-memory store of one process, least recently used entries first out. */
export class MemoryConversationStore implements ConversationStore {
  readonly #store: ResponseStore;

  constructor(options: ResponseStoreOptions | ResponseStore = {}) {
    this.#store = options instanceof ResponseStore ? options : new ResponseStore(options);
  }

  async get(id: string): Promise<readonly ChatMessage[] | undefined> {
    return this.#store.get(id);
  }

  async has(id: string): Promise<boolean> {
    return this.#store.has(id);
  }

  async set(id: string, messages: readonly ChatMessage[], newMessages: readonly ChatMessage[]): Promise<void> {
    this.#store.set(id, messages, newMessages);
  }
}
