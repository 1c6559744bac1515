import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestFieldTable } from '../../src/canonical/translation-fidelity.js';
import { MESSAGES_REQUEST_FIELDS } from '../../src/protocols/anthropic-messages/messages-request-fields.js';
import { GEMINI_REQUEST_FIELDS } from '../../src/protocols/gemini/gemini-request-fields.js';
import { CHAT_COMPLETION_REQUEST_FIELDS } from '../../src/protocols/openai-chat/chat-completion-request-fields.js';
import { RESPONSES_REQUEST_FIELDS } from '../../src/protocols/openai-responses/responses-request-fields.js';

// docs/translation.md lists each front-end's field table; the code tables are what the proxy
// applies. This keeps the two from drifting apart in either direction.
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const CODE_TABLES: Readonly<Record<string, RequestFieldTable>> = {
  'openai-chat': CHAT_COMPLETION_REQUEST_FIELDS,
  'openai-responses': RESPONSES_REQUEST_FIELDS,
  'anthropic-messages': MESSAGES_REQUEST_FIELDS,
  gemini: GEMINI_REQUEST_FIELDS,
};

/** The tables under `<!-- fields: <front-end> -->` markers, as field → class. */
function documentedTables(markdown: string): Record<string, Record<string, string>> {
  const tables: Record<string, Record<string, string>> = {};
  for (const match of markdown.matchAll(/<!-- fields: ([a-z-]+) -->\n((?:\|.*\n)+)/g)) {
    const table: Record<string, string> = {};
    for (const row of match[2]!.split('\n')) {
      const cells = /^\| (content|hint) \| (.*) \|$/.exec(row);
      if (cells === null) continue;
      for (const field of cells[2]!.matchAll(/`([^`]+)`/g)) table[field[1]!] = cells[1]!;
    }
    tables[match[1]!] = table;
  }
  return tables;
}

describe('docs/translation.md', () => {
  it('lists exactly the field tables the front-ends apply', async () => {
    const markdown = await readFile(path.join(repositoryRoot, 'docs/translation.md'), 'utf8');
    const documented = documentedTables(markdown);
    expect(Object.keys(documented).sort()).toEqual(Object.keys(CODE_TABLES).sort());
    for (const [frontend, table] of Object.entries(CODE_TABLES)) expect([frontend, documented[frontend]]).toEqual([frontend, { ...table }]);
  });

  it('documents the setting as the settings table declares it', async () => {
    const markdown = await readFile(path.join(repositoryRoot, 'docs/translation.md'), 'utf8');
    const readme = await readFile(path.join(repositoryRoot, 'README.md'), 'utf8');
    for (const text of [markdown, readme]) {
      expect(text).toContain('`LLM_PROXY_UNKNOWN_FIELDS`');
      expect(text).toContain('`translation.unknown_fields`');
    }
  });
});
