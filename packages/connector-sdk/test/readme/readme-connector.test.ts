/**
 * @fileoverview The SDK's README is a complete connector package in four code blocks; this test
 * writes them into an empty folder, compiles the connector with tsc and runs its own test with
 * `node --test`, so the plugin author's guide cannot drift from the SDK. Uses the built SDK
 * (dist/, through the repository's node_modules): run `npx tsc -b` first.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const runFile = promisify(execFile);
const SDK_DIRECTORY = fileURLToPath(new URL('../..', import.meta.url));
const REPOSITORY_ROOT = path.resolve(SDK_DIRECTORY, '../..');

/** The README's files: the first code block under each numbered heading, by the file it names. */
async function readmeFiles(): Promise<Map<string, string>> {
  const readme = await readFile(path.join(SDK_DIRECTORY, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  for (const section of readme.split(/^## /m).slice(1)) {
    const file = /^\d+\. `([^`]+)`/.exec(section)?.[1];
    const code = /^```\w+\n([\s\S]*?)^```$/m.exec(section)?.[1];
    if (file !== undefined && code !== undefined) files.set(file, code);
  }
  return files;
}

describe("the SDK README's connector package", () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'llmproxy-sdk-readme-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('names its four files', async () => {
    expect([...(await readmeFiles()).keys()]).toEqual(['package.json', 'tsconfig.json', 'src/acme-connector.ts', 'test/acme-connector.test.js']);
  });

  it('compiles with tsc and passes its own test, conformance kit included, under node --test', async () => {
    for (const [file, code] of await readmeFiles()) {
      await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
      await writeFile(path.join(folder, file), code);
    }
    // The repository's dependencies stand in for an install: the SDK (built), typescript, @types/node.
    await symlink(path.join(REPOSITORY_ROOT, 'node_modules'), path.join(folder, 'node_modules'), 'dir');

    await runFile(process.execPath, [path.join(REPOSITORY_ROOT, 'node_modules/typescript/bin/tsc'), '-p', folder], { cwd: folder });
    const { stdout } = await runFile(process.execPath, ['--test', '--test-reporter=tap', 'test/acme-connector.test.js'], {
      cwd: folder,
      env: { PATH: process.env['PATH'] },
    });
    // 3 own tests + 4 package checks + 7 checks of the one connector.
    expect(stdout).toMatch(/^# pass 14$/m);
    expect(stdout).toMatch(/^# fail 0$/m);
  }, 120_000);
});
