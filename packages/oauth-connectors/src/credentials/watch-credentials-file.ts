/**
 * @fileoverview Watches a credentials file that a vendor's CLI rewrites (a new login, a
 * refresh), so a connector can forget what it concluded about the old content (a refused login,
 * a blocked account) as soon as the file changes. The directory is watched rather than the file:
 * CLIs replace the file atomically (a new inode) and it may not exist yet.
 *
 * The directory may not exist yet either (`~/.codex` before the first Codex CLI login): then the
 * nearest existing ancestor is watched until the next directory on the way appears, one level at
 * a time, and the file's own directory is watched from then on. If that directory is removed
 * later, the watch climbs back to its nearest existing ancestor.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface CredentialsFileWatcher {
  close(): void;
}

/** Calls `onChange` (at most every `settleMs`) when `file` is created, replaced or changed; a no-op watcher when nothing on its path can be watched. */
export function watchCredentialsFile(file: string, onChange: () => void, settleMs = 200): CredentialsFileWatcher {
  const directory = path.dirname(file);
  const name = path.basename(file);
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
    timer.unref();
  };

  /** `climbed`: called because a directory appeared or vanished, not at the start. */
  const watchNearest = (climbed: boolean): void => {
    watcher?.close();
    watcher = undefined;
    if (closed) return;
    const watched = nearestExistingDirectory(directory);
    try {
      if (watched === directory) {
        watcher = watch(directory, { persistent: false }, (_event, changedName) => {
          if (changedName !== null && changedName.toString() !== name) return;
          changed();
        });
        // The file may have been written together with its directory, before this watch began.
        if (climbed && existsSync(file)) changed();
      } else {
        // Only the next directory on the way to the file matters; everything else in (say) the
        // home directory is ignored.
        const next = path.relative(watched, directory).split(path.sep)[0];
        watcher = watch(watched, { persistent: false }, (_event, changedName) => {
          if (changedName !== null && changedName.toString() !== next) return;
          setImmediate(() => watchNearest(true));
        });
      }
      // A watched directory removed: climb to what still exists. Any other error ends the watch
      // (rather than retry in a loop); requests still read the file each time.
      watcher.on('error', () =>
        setImmediate(() => {
          if (nearestExistingDirectory(directory) !== watched) watchNearest(true);
          else watcher?.close();
        }),
      );
    } catch {
      watcher = undefined;
    }
  };
  watchNearest(false);

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}

function nearestExistingDirectory(directory: string): string {
  let candidate = directory;
  while (!existsSync(candidate)) {
    const parent = path.dirname(candidate);
    if (parent === candidate) break;
    candidate = parent;
  }
  return candidate;
}
