/**
 * @fileoverview The integrity of an installed connector package, as recorded in the connector
 * lock file: every file under the package folder, `package.json` included, except `node_modules`
 * folders at any depth. Reads files only; nothing of the package runs.
 *
 * Every file counts, not only those an entry imports: tracing imports statically misses dynamic
 * `import()`, `require` and files read at runtime, so a changed file anywhere in the package
 * changes its hash. Nested `node_modules` are left out because their layout depends on how npm
 * hoisted the install, not on the package; dependencies are pinned by the project's
 * package-lock.json (`npm ci` checks their integrity).
 */
import { createReadStream, type Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import ssri from 'ssri';

/** The algorithm of every integrity string in the lock file (the one npm uses). */
export const LOCK_INTEGRITY_ALGORITHM = 'sha512';

export interface PackageHash {
  /**
   * `sha512-<base64>` (ssri format) over the sorted listing of `<relative path>\t<file integrity>\n`
   * lines: a change to any file's bytes, a renamed, added or removed file changes it.
   */
  integrity: string;
  /** Each file's own integrity, keyed by its POSIX path relative to the package folder. */
  files: Record<string, string>;
}

export async function hashConnectorPackage(packageDirectory: string): Promise<PackageHash> {
  const root = await realpath(packageDirectory);
  const relativePaths = (await listPackageFiles(root)).sort(compareCodeUnits);
  const files: Record<string, string> = {};
  for (const relativePath of relativePaths) {
    const integrity = await ssri.fromStream(createReadStream(path.join(root, ...relativePath.split('/'))), {
      algorithms: [LOCK_INTEGRITY_ALGORITHM],
    });
    files[relativePath] = integrity.toString();
  }
  return { integrity: listingIntegrity(files), files };
}

/** The package integrity for a file listing (also used to check a lock entry's own consistency). */
export function listingIntegrity(files: Readonly<Record<string, string>>): string {
  const listing = Object.keys(files)
    .sort(compareCodeUnits)
    .map((relativePath) => `${relativePath}\t${files[relativePath]}\n`)
    .join('');
  return ssri.fromData(listing, { algorithms: [LOCK_INTEGRITY_ALGORITHM] }).toString();
}

/** Up to `limit` paths that differ between two listings, for messages: changed, added, removed. */
export function differingFiles(
  locked: Readonly<Record<string, string>>,
  installed: Readonly<Record<string, string>>,
  limit = 5,
): { paths: string[]; total: number } {
  const paths: string[] = [];
  for (const [relativePath, integrity] of Object.entries(installed)) {
    if (locked[relativePath] === undefined) paths.push(`${relativePath} (added)`);
    else if (locked[relativePath] !== integrity) paths.push(`${relativePath} (changed)`);
  }
  for (const relativePath of Object.keys(locked)) {
    if (installed[relativePath] === undefined) paths.push(`${relativePath} (removed)`);
  }
  paths.sort(compareCodeUnits);
  return { paths: paths.slice(0, limit), total: paths.length };
}

/**
 * Regular files under `root`, following symbolic links (a linked file is what Node would load);
 * a link back into a folder already listed is not followed again.
 */
async function listPackageFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const visitedDirectories = new Set<string>([root]);
  const walk = async (directory: string, relativeDirectory: string): Promise<void> => {
    const entries: Dirent[] = await readdir(directory, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name === 'node_modules') continue;
      const absolute = path.join(directory, entry.name);
      const relative = relativeDirectory === '' ? entry.name : `${relativeDirectory}/${entry.name}`;
      const target = entry.isSymbolicLink() ? await stat(absolute).catch(() => undefined) : entry;
      if (target === undefined) continue;
      if (target.isDirectory()) {
        const real = await realpath(absolute);
        if (visitedDirectories.has(real)) continue;
        visitedDirectories.add(real);
        await walk(absolute, relative);
      } else if (target.isFile()) {
        found.push(relative);
      }
    }
  };
  await walk(root, '');
  return found;
}

/** Sorting by UTF-16 code units, so the listing is the same under every locale. */
function compareCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
