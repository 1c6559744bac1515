#!/usr/bin/env node
/**
 * @fileoverview The `llm-proxy` bin: a committed launcher for the built CLI. npm links a
 * package's bin when it installs the workspace, before `npm run build` has produced dist/, so
 * the bin must be a file that exists in a fresh checkout; it only imports the built CLI.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const builtCli = new URL('../dist/cli/main.js', import.meta.url);

if (!existsSync(fileURLToPath(builtCli))) {
  process.stderr.write(
    `llm-proxy is not built yet: ${fileURLToPath(builtCli)} is missing.\n` +
      'Run `npm run build` (or `npx tsc -b`) at the repository root, then run the command again.\n',
  );
  process.exit(1);
}

await import(builtCli.href);
