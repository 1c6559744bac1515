/**
 * @fileoverview The SQLite SSO store against the SsoStore contract, in real files in a
 * temporary directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from '@jest/globals';

import { openSqliteSsoStore } from '../../src/sso/sqlite-sso-store.js';
import { describeSsoStoreContract } from './sso-store-contract.js';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-sso-store-'));
let files = 0;

afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

describeSsoStoreContract('SQLite', async () => openSqliteSsoStore({ file: path.join(directory, `sso-${(files += 1)}.sqlite`) }));
