/**
 * A project directory in which `llm-proxy` discovers @llmproxy/oauth-connectors the way a user's
 * project would: a package.json that depends on it and a node_modules entry (a link to this
 * package, which must be built with `npx tsc -b packages/oauth-connectors`).
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkingDirectory } from '../../../core/test/support/run-llm-proxy.js';

export const OAUTH_PACKAGE_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function assertOAuthPackageBuilt(): void {
  if (!existsSync(path.join(OAUTH_PACKAGE_DIRECTORY, 'dist/gemini-oauth-free/index.js'))) {
    throw new Error('packages/oauth-connectors/dist is missing: run `npx tsc -b packages/oauth-connectors` before these tests');
  }
}

/** A working directory whose project depends on @llmproxy/oauth-connectors, holding `files`. */
export function createOAuthProject(files: Record<string, string> = {}): string {
  const directory = createWorkingDirectory({
    'package.json': JSON.stringify({ name: 'my-project', private: true, dependencies: { '@llmproxy/oauth-connectors': '*' } }),
    ...files,
  });
  mkdirSync(path.join(directory, 'node_modules/@llmproxy'), { recursive: true });
  symlinkSync(OAUTH_PACKAGE_DIRECTORY, path.join(directory, 'node_modules/@llmproxy/oauth-connectors'), 'dir');
  return directory;
}
