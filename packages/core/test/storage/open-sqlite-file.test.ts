/**
 * @fileoverview What every embedded SQLite file gets from openSqliteFile: SQLite's own default
 * page cache, not the 16 MB one better-sqlite3 is built with (a load's appends filled it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

import { openSqliteFile } from '../../src/storage/open-sqlite-file.js';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-open-sqlite-file-'));

afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

describe('openSqliteFile', () => {
  it('keeps the page cache at SQLite\'s default of 2,000 KiB, in WAL mode', () => {
    const database = openSqliteFile(path.join(directory, 'cache.sqlite'), { version: 1, sql: 'CREATE TABLE IF NOT EXISTS t (x INTEGER);' });
    try {
      expect(database.pragma('cache_size', { simple: true })).toBe(-2000);
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      database.close();
    }
  });
});
