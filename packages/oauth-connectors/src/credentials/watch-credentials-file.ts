/**
 * @fileoverview Watches a credentials file that a vendor's CLI rewrites (a new login, a
 * refresh), so a connector can forget what it concluded about the old content (a refused login,
 * a blocked account) as soon as the file changes. The directory is watched rather than the file:
 * CLIs replace the file atomically (a new inode) and it may not exist yet.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface CredentialsFileWatcher {
  close(): void;
}

/** Calls `onChange` (at most every `settleMs`) when `file` is created, replaced or changed; a no-op watcher when its directory cannot be watched. */
export function watchCredentialsFile(file: string, onChange: () => void, settleMs = 200): CredentialsFileWatcher {
  const name = path.basename(file);
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, settleMs);
      timer.unref();
    });
    // A directory removed while watched: stop quietly, requests still read the file each time.
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
