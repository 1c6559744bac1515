/**
 * @fileoverview Creates the data directory (`data_dir`) before anything is written into it, with
 * mode 0700 when it is missing: it holds the log file, the SSO database and OAuth logins, which
 * only the proxy's user should read. An existing directory keeps its mode (the operator chose
 * it). A directory that cannot be created, or a path that is not a directory, stops startup.
 */
import fs from 'node:fs';

import { LlmProxyError } from '@llmproxy/connector-sdk';

const FIX =
  'Set --data-dir, LLM_PROXY_DATA_DIR or data_dir in YAML to a directory this user can create and write ' +
  '(e.g. /var/lib/llm-proxy owned by the service user), or create it yourself with mode 0700';

export function prepareDataDirectory(directory: string): void {
  try {
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    if (!fs.statSync(directory).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    fs.accessSync(directory, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new LlmProxyError({
      code: 'DATA_DIR_UNUSABLE',
      message: `The data directory ${directory} cannot be created or written (${reason})`,
      currentValue: directory,
      fix: FIX,
      cause: error,
    });
  }
}
