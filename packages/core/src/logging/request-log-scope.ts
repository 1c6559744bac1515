/**
 * @fileoverview The request a log entry belongs to, carried through async work with
 * AsyncLocalStorage, so every entry logged while serving a request (by a route, a connector or
 * the upstream client) carries its `requestId` without each caller passing it along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestLogScope {
  readonly requestId: string;
}

const scopes = new AsyncLocalStorage<RequestLogScope>();

/** Runs `work` (and everything it starts) as part of the request `requestId`. */
export function runInRequestLogScope<Result>(requestId: string, work: () => Result): Result {
  return scopes.run({ requestId }, work);
}

/** The id of the request being served by the current async work, if any. */
export function currentRequestId(): string | undefined {
  return scopes.getStore()?.requestId;
}
