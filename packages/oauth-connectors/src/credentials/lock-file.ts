/**
 * @fileoverview A lock file shared with another program (Qwen Code's `oauth_creds.lock`): the
 * lock is held while the file exists, taken by creating it exclusively, and taken over once it
 * is older than the other program's own timeout (its holder crashed).
 */
import { randomUUID } from 'node:crypto';
import { rm, stat, unlink, writeFile, rename } from 'node:fs/promises';
import { LlmProxyError } from '@llmproxy/connector-sdk';

export interface LockFileOptions {
  /** A lock older than this is stale. Qwen Code uses 10 seconds. */
  staleAfterMs?: number;
  /** Give up after waiting this long. */
  timeoutMs?: number;
}

const DEFAULT_STALE_AFTER_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 15_000;
const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 2_000;

/** Runs `work` while holding the lock file `lockPath`. */
export async function withLockFile<T>(lockPath: string, work: () => Promise<T>, options: LockFileOptions = {}): Promise<T> {
  await acquire(lockPath, options);
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => {
      // Already removed (e.g. taken over as stale); nothing to release.
    });
  }
}

async function acquire(lockPath: string, options: LockFileOptions): Promise<void> {
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let wait = FIRST_RETRY_MS;
  for (;;) {
    try {
      await writeFile(lockPath, randomUUID(), { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(lockPath, (error as Error).message);
    }
    if (await removeIfStale(lockPath, staleAfterMs)) continue;
    if (Date.now() >= deadline) {
      throw lockError(lockPath, `another program has held it for longer than ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(Math.round(wait * 1.5), LONGEST_RETRY_MS);
  }
}

/** Takes a stale lock away by renaming it first, so two waiters cannot both delete a fresh one. */
async function removeIfStale(lockPath: string, staleAfterMs: number): Promise<boolean> {
  try {
    const info = await stat(lockPath);
    if (Date.now() - info.mtimeMs <= staleAfterMs) return false;
    const aside = `${lockPath}.stale.${randomUUID()}`;
    await rename(lockPath, aside);
    await rm(aside, { force: true });
    return true;
  } catch {
    // Gone already, or taken over by someone else: try to create it again.
    return true;
  }
}

function lockError(lockPath: string, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'OAUTH_CREDENTIALS_LOCKED',
    message: `The credentials lock file ${lockPath} could not be taken: ${reason}`,
    fix: `Retry; if no other program is refreshing the login, delete ${lockPath}`,
    httpStatus: 503,
  });
}
