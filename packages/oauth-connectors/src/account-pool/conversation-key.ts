/**
 * @fileoverview A key that stays the same for every turn of one conversation, so session
 * affinity can keep a conversation on one account: a hash of the conversation's opening (its
 * system messages and first user message), which each later request repeats.
 */
import { createHash } from 'node:crypto';
import type { ChatRequest } from '@llmproxy/connector-sdk';

export function conversationKey(request: ChatRequest): string {
  const firstUser = request.messages.findIndex((message) => message.role === 'user');
  const opening = request.messages.slice(0, firstUser === -1 ? request.messages.length : firstUser + 1);
  const text = opening.map((message) => [message.role, message.content.map((part) => (part.type === 'text' ? part.text : part.type))]);
  return createHash('sha256').update(JSON.stringify([request.user ?? '', text])).digest('hex');
}
