/**
 * @fileoverview The programmatic API example in core's README type-checks against the package
 * as a user's code sees it: `@llmproxy/core` resolved by name through `exports` to the built
 * declarations (run `npx tsc -b` first), in a folder of its own.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { REPOSITORY_ROOT } from '../plugins/plugin-fixtures.js';

const runFile = promisify(execFile);

describe("core's README", () => {
  let folder: string | undefined;

  afterAll(async () => {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it('has a programmatic API example that type-checks against the published types', async () => {
    const readme = await readFile(path.join(REPOSITORY_ROOT, 'packages/core/README.md'), 'utf8');
    const section = readme.split(/^## /m).find((part) => part.startsWith('Programmatic API'));
    const snippet = section === undefined ? undefined : /^```ts\n([\s\S]*?)^```$/m.exec(section)?.[1];
    expect(snippet).toContain("import { startLlmProxy } from '@llmproxy/core';");

    folder = await mkdtemp(path.join(tmpdir(), 'llmproxy-core-readme-'));
    await symlink(path.join(REPOSITORY_ROOT, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
    await writeFile(path.join(folder, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await writeFile(path.join(folder, 'example.ts'), snippet ?? '');
    const compilerOptions = { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], lib: ['ES2023', 'DOM'] };
    await writeFile(path.join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['example.ts'] }));
    const result = await runFile(process.execPath, [path.join(REPOSITORY_ROOT, 'node_modules/typescript/bin/tsc'), '-p', folder], { cwd: folder }).then(
      () => 'compiles',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('compiles');
  }, 120_000);
});
