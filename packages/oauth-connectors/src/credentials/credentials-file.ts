/**
 * @fileoverview A JSON credentials file shared with a vendor's CLI. Reads tolerate a missing
 * file; writes are atomic (a temporary file in the same directory, flushed, then renamed over
 * the original), create the file with mode 0600 and its directory with 0700, and keep every key
 * the file already had, since the vendor's CLI may store more than the proxy knows about.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** The parsed content of a credentials file: a JSON object. */
export type CredentialsRecord = Record<string, unknown>;

/** The file's JSON object, or undefined when the file does not exist. */
export async function readCredentialsFile(file: string): Promise<CredentialsRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LlmProxyError({
      code: 'OAUTH_CREDENTIALS_UNREADABLE',
      message: `The credentials file ${file} cannot be read: ${(error as Error).message}`,
      fix: `Check the permissions of ${file} (it should belong to the user running llm-proxy, mode 0600)`,
      httpStatus: 500,
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never echo the content: it holds tokens.
    throw invalidFile(file, 'it is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidFile(file, 'it is not a JSON object');
  return parsed as CredentialsRecord;
}

/** Replaces the file's content with `record`, atomically, mode 0600. */
export async function writeCredentialsFile(file: string, record: CredentialsRecord): Promise<void> {
  const directory = path.dirname(file);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = path.join(directory, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // `wx` never follows an existing file or link; mode 0600 holds from the first byte.
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Merges `updates` into the file as it is on disk now (re-read just before writing, so keys
 * another program wrote meanwhile survive) and returns the merged record.
 */
export async function updateCredentialsFile(file: string, updates: CredentialsRecord): Promise<CredentialsRecord> {
  const current = (await readCredentialsFile(file)) ?? {};
  const merged = { ...current, ...updates };
  await writeCredentialsFile(file, merged);
  return merged;
}

function invalidFile(file: string, problem: string): LlmProxyError {
  return new LlmProxyError({
    code: 'OAUTH_CREDENTIALS_INVALID',
    message: `The credentials file ${file} cannot be used: ${problem}`,
    fix: `Log in again with the vendor's CLI (which rewrites ${file}), or import a valid account file with llm-proxy accounts import`,
    httpStatus: 500,
  });
}
