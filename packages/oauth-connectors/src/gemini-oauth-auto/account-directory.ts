/**
 * @fileoverview The account pool directory of `gemini-oauth-auto`: one JSON file per Google
 * login (the Gemini CLI's `oauth_creds.json` format, optionally with `project_id` and `email`),
 * named `<account>.json`. `llm-proxy accounts add|import|remove gemini` manage it.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Relative to the working directory of llm-proxy. */
export const DEFAULT_GEMINI_ACCOUNTS_DIRECTORY = 'var/gemini_oauth_accounts';

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
