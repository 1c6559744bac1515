/**
 * @fileoverview The conversations behind `previous_response_id`, kept in memory for the life of
 * the process: each stored response id maps to the whole conversation up to and including that
 * answer. Least recently used entries go first once either cap is reached.
 */
import type { ChatMessage } from '@llmproxy/connector-sdk';

export interface ResponseStoreOptions {
  /** How many responses are kept. Default 1000. */
  maxEntries?: number;
  /**
   * A cap on the stored conversations' size, in characters of their JSON (base64 images
   * included). Messages shared by entries of one conversation count once per entry that added
   * them. Default 64 million (about 64 MB).
   */
  maxCharacters?: number;
}

interface StoredConversation {
  messages: readonly ChatMessage[];
  /** The characters this entry added: its own new messages. */
  characters: number;
}

export class ResponseStore {
  readonly #maxEntries: number;
  readonly #maxCharacters: number;
  /** Map iteration order is insertion order, so the first key is the least recently used. */
  readonly #entries = new Map<string, StoredConversation>();
  #characters = 0;

  constructor(options: ResponseStoreOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? 1000);
    this.#maxCharacters = Math.max(1, options.maxCharacters ?? 64_000_000);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether response `id` is kept, without marking it as used. */
  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** The conversation up to and including response `id`, or undefined when unknown or evicted. */
  get(id: string): readonly ChatMessage[] | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry.messages;
  }

  /**
   * Keeps `messages` (the conversation including the answer) under `id`. `newMessages` are the
   * ones this turn added, used to size the entry (earlier turns are shared by reference).
   */
  set(id: string, messages: readonly ChatMessage[], newMessages: readonly ChatMessage[]): void {
    const existing = this.#entries.get(id);
    if (existing !== undefined) {
      this.#characters -= existing.characters;
      this.#entries.delete(id);
    }
    const characters = JSON.stringify(newMessages).length;
    this.#entries.set(id, { messages, characters });
    this.#characters += characters;
    for (const [oldestId, oldest] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#characters <= this.#maxCharacters) break;
      if (oldestId === id) break; // the newest entry stays even when it alone exceeds the cap
      this.#entries.delete(oldestId);
      this.#characters -= oldest.characters;
    }
  }
}
