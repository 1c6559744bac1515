/**
 * @fileoverview The user's home directory as the vendor CLIs see it: `HOME` (or `USERPROFILE`
 * on Windows) from the environment core passes in, so tests and services can point it elsewhere.
 */
import os from 'node:os';

export function homeDirectory(env: Readonly<Record<string, string | undefined>>): string {
  return nonEmpty(env['HOME']) ?? nonEmpty(env['USERPROFILE']) ?? os.homedir();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
