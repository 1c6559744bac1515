/**
 * @fileoverview A pool's account directory: one JSON login file per account, named
 * `<account>.json` (the vendor decides what is inside). `llm-proxy accounts add|import|remove`
 * write it; the pool connectors re-read it on every request.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Account names: what `--name` accepts and file names are made of. */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

export interface AccountFile {
  /** The file name without `.json`. */
  name: string;
  file: string;
}

/** The account files in `directory`, sorted by name; none when the directory does not exist. */
export async function listAccountFiles(directory: string): Promise<AccountFile[]> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.endsWith('.json') && !entry.startsWith('.'))
    .sort()
    .map((entry) => ({ name: entry.slice(0, -'.json'.length), file: path.join(directory, entry) }));
}

export function accountFilePath(directory: string, name: string): string {
  return path.join(directory, `${name}.json`);
}
