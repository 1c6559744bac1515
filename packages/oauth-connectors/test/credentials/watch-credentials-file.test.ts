import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { watchCredentialsFile, type CredentialsFileWatcher } from '../../src/credentials/watch-credentials-file.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function temporaryRoot(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'llmproxy-watch-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

function watchCounting(file: string): { changes: () => number; watcher: CredentialsFileWatcher } {
  let count = 0;
  const watcher = watchCredentialsFile(file, () => (count += 1), 20);
  cleanups.push(() => watcher.close());
  return { changes: () => count, watcher };
}

async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('watchCredentialsFile', () => {
  it('notices a file created in directories that did not exist when the watch began', async () => {
    const root = temporaryRoot();
    const file = path.join(root, 'home', '.codex', 'auth.json');
    const { changes } = watchCounting(file);
    mkdirSync(path.join(root, 'home'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    mkdirSync(path.dirname(file));
    writeFileSync(file, '{}');
    await eventually(() => changes() >= 1);
    // From now on the file's own directory is watched: a rewrite is noticed too.
    const before = changes();
    await new Promise((resolve) => setTimeout(resolve, 100));
    writeFileSync(file, '{"again":true}');
    await eventually(() => changes() > before);
  });

  it('ignores other entries of the ancestor it watches and calls nothing after close', async () => {
    const root = temporaryRoot();
    const file = path.join(root, '.codex', 'auth.json');
    const { changes, watcher } = watchCounting(file);
    writeFileSync(path.join(root, 'unrelated.txt'), 'x');
    mkdirSync(path.join(root, 'other'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes()).toBe(0);
    watcher.close();
    mkdirSync(path.dirname(file));
    writeFileSync(file, '{}');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes()).toBe(0);
  });
});
