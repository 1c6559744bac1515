/**
 * @fileoverview The version of @llmproxy/core, read from its package.json (two levels above this
 * module in src/ and dist/ alike), for `--version` and `/internal/health`.
 */
import fs from 'node:fs';

export function readCoreVersion(): string {
  const packageJson = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof packageJson.version === 'string' ? packageJson.version : '0.0.0';
}
