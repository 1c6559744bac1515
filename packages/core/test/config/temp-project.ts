/**
 * @fileoverview Temporary working directories with real files, removed after each test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];

/** A fresh directory holding `files` (relative path → content). */
export function createTempProject(files: Record<string, string> = {}): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-config-'));
  created.push(directory);
  for (const [relativePath, content] of Object.entries(files)) {
    const filepath = path.join(directory, relativePath);
    fs.mkdirSync(path.dirname(filepath), { recursive: true });
    fs.writeFileSync(filepath, content);
  }
  return directory;
}

/** Removes every directory made by {@link createTempProject}; call from `afterEach`. */
export function removeTempProjects(): void {
  for (const directory of created.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
}
