import { describe, expect, it } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Every error code is documented once in docs/errors.md and never reused; this keeps the
// document and the code from drifting apart in either direction.
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

async function listSourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

// The shapes in which sources name an error code: an error option, a report helper's first
// argument, and an exported constant whose value is its own name.
const codePatterns = [
  /\bcode: '([A-Z][A-Z0-9_]+)'/g,
  /\bfailed\(\s*'([A-Z][A-Z0-9_]+)'/g,
  /\bexport const ([A-Z][A-Z0-9_]+) = '\1'/g,
];

function isNodeErrorCode(code: string): boolean {
  return code.startsWith('ERR_') || /^E[A-Z]+$/.test(code);
}

async function codesUsedInSources(): Promise<Set<string>> {
  const codes = new Set<string>();
  const sourceDirectories = ['packages/connector-sdk/src', 'packages/core/src', 'packages/oauth-connectors/src'];
  for (const directory of sourceDirectories) {
    for (const file of await listSourceFiles(path.join(repositoryRoot, directory))) {
      const text = await readFile(file, 'utf8');
      for (const pattern of codePatterns) {
        for (const match of text.matchAll(pattern)) {
          // Node's own error codes (ERR_*, ECONNRESET) appear where core imitates a socket failure.
          if (!isNodeErrorCode(match[1]!)) codes.add(match[1]!);
        }
      }
    }
  }
  return codes;
}

async function codesDocumented(): Promise<string[]> {
  const text = await readFile(path.join(repositoryRoot, 'docs/errors.md'), 'utf8');
  return [...text.matchAll(/^### `([A-Z][A-Z0-9_]+)`$/gm)].map((match) => match[1]!);
}

describe('docs/errors.md', () => {
  it('documents every error code used in the sources', async () => {
    const documented = new Set(await codesDocumented());
    const undocumented = [...(await codesUsedInSources())].filter((code) => !documented.has(code));
    expect(undocumented).toEqual([]);
  });

  it('documents each code once and only codes that exist', async () => {
    const documented = await codesDocumented();
    const used = await codesUsedInSources();
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.filter((code, index) => documented.indexOf(code) !== index)).toEqual([]);
    expect(documented.filter((code) => !used.has(code))).toEqual([]);
  });
});
