/**
 * @fileoverview The SQLite usage store against the UsageStore contract, in real files in a
 * temporary directory, plus what is its own: the file's permissions and refusing a missing file
 * when it must exist.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

import { openSqliteUsageStore } from '../../src/storage/sqlite-usage-store.js';
import { describeUsageStoreContract, usageRecord } from './usage-store-contract.js';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-usage-store-'));
let files = 0;
const nextFile = (): string => path.join(directory, `nested/usage-${(files += 1)}.sqlite`);

afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

describeUsageStoreContract('SQLite', async () => openSqliteUsageStore({ file: nextFile() }));

describe('the SQLite usage store', () => {
  it('creates the file readable by its owner only, and keeps records across reopening', async () => {
    const file = nextFile();
    const store = openSqliteUsageStore({ file });
    await store.append([usageRecord()]);
    await store.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const reopened = openSqliteUsageStore({ file, mustExist: true });
    expect((await reopened.totals({}, 'caller')).map((row) => row.requests)).toEqual([1]);
    await reopened.close();
  });

  it('refuses a missing file when it must exist, naming the setting', () => {
    expect(() => openSqliteUsageStore({ file: path.join(directory, 'missing.sqlite'), mustExist: true })).toThrow(
      expect.objectContaining({ code: 'USAGE_STORE_UNAVAILABLE', fix: expect.stringContaining('usage.database_file') }),
    );
  });
});
