/**
 * @fileoverview `llm-proxy tokens list|revoke`, the operator's side of token management, run
 * as the real CLI against a real SSO database in a temporary working directory.
 */
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { generateProxyToken } from '../../src/sso/proxy-token.js';
import { openSqliteSsoStore } from '../../src/sso/sqlite-sso-store.js';
import type { SsoUser } from '../../src/sso/sso-user.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, runLlmProxy } from '../support/run-llm-proxy.js';

beforeAll(assertCliBuilt);
afterEach(cleanUpCliRuns);

const DAY_MS = 24 * 60 * 60 * 1000;
const alice: SsoUser = { id: 'keycloak:alice', providerId: 'keycloak', subject: 'alice', email: 'alice@example.com', emailVerified: true, name: 'Alice', groups: [] };
const bob: SsoUser = { id: 'keycloak:bob', providerId: 'keycloak', subject: 'bob', email: 'bob@example.com', emailVerified: true, name: 'Bob', groups: [] };

/** A working directory whose default SSO database holds tokens of alice (active, expired, revoked) and bob. */
async function workingDirectoryWithTokens(): Promise<{ cwd: string; ids: Record<string, string>; secrets: string[] }> {
  const cwd = createWorkingDirectory();
  const store = openSqliteSsoStore({ file: path.join(cwd, 'var/sso/llm-proxy-sso.sqlite') });
  const now = Date.now();
  const ids: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, user, createdAt, expiresAt, revokedAt] of [
    ['aliceActive', alice, now - DAY_MS, now + 29 * DAY_MS, undefined],
    ['aliceExpired', alice, now - 40 * DAY_MS, now - 10 * DAY_MS, undefined],
    ['aliceRevoked', alice, now - 2 * DAY_MS, now + 28 * DAY_MS, now - DAY_MS],
    ['bobActive', bob, now - 3 * DAY_MS, now + 27 * DAY_MS, undefined],
  ] as const) {
    const token = generateProxyToken();
    secrets.push(token.token);
    ids[name] = token.id;
    await store.insertToken({ id: token.id, tokenHash: token.tokenHash, user, label: `${name} label`, createdAt, expiresAt, revokedAt, lastUsedAt: undefined });
  }
  await store.close();
  return { cwd, ids, secrets };
}

async function statusOf(cwd: string, id: string): Promise<{ revoked: boolean }> {
  const store = openSqliteSsoStore({ file: path.join(cwd, 'var/sso/llm-proxy-sso.sqlite'), mustExist: true });
  const token = await store.findToken(id);
  await store.close();
  return { revoked: token?.revokedAt !== undefined };
}

describe('llm-proxy tokens', () => {
  it('lists the active tokens, or all of them, or one user’s, without secrets and without binding a port', async () => {
    const { cwd, ids, secrets } = await workingDirectoryWithTokens();
    const active = await runLlmProxy(['tokens', 'list'], { cwd });
    expect(active.exitCode).toBe(0);
    expect(active.stderr).toBe('');
    expect(active.stdout.split('\n')[0]).toMatch(/^ID\s+USER\s+EMAIL\s+LABEL\s+CREATED\s+EXPIRES\s+LAST USED\s+STATUS$/);
    expect(active.stdout).toContain(ids['aliceActive']);
    expect(active.stdout).toContain(ids['bobActive']);
    expect(active.stdout).not.toContain(ids['aliceExpired']);
    expect(active.stdout).not.toContain(ids['aliceRevoked']);
    expect(active.listenCalls).toEqual([]);

    const all = await runLlmProxy(['tokens', 'list', '--all'], { cwd });
    expect(all.stdout).toMatch(new RegExp(`${ids['aliceExpired']}.*expired`));
    expect(all.stdout).toMatch(new RegExp(`${ids['aliceRevoked']}.*revoked`));

    const mine = await runLlmProxy(['tokens', 'list', '--all', '--user', 'Alice@Example.com'], { cwd });
    expect(mine.stdout.trim().split('\n')).toHaveLength(4);
    expect(mine.stdout).not.toContain('keycloak:bob');

    for (const output of [active, all, mine]) for (const secret of secrets) expect(output.stdout + output.stderr).not.toContain(secret);
  });

  it('revokes tokens by id and every token of a user', async () => {
    const { cwd, ids } = await workingDirectoryWithTokens();
    const byId = await runLlmProxy(['tokens', 'revoke', ids['aliceActive']!], { cwd });
    expect(byId).toMatchObject({ exitCode: 0, stderr: '' });
    expect(byId.stdout).toBe(`Revoked token ${ids['aliceActive']} of keycloak:alice (alice@example.com)\n`);
    expect(await statusOf(cwd, ids['aliceActive']!)).toEqual({ revoked: true });

    const byUser = await runLlmProxy(['tokens', 'revoke', '--user=keycloak:bob'], { cwd });
    expect(byUser.stdout).toBe('Revoked 1 token of keycloak:bob\n');
    expect(await statusOf(cwd, ids['bobActive']!)).toEqual({ revoked: true });
  });

  it('fails for unknown or already revoked ids, and when told nothing to revoke', async () => {
    const { cwd, ids } = await workingDirectoryWithTokens();
    const unknown = await runLlmProxy(['tokens', 'revoke', 'no-such-id', ids['aliceRevoked']!], { cwd });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('Error [SSO_TOKEN_NOT_FOUND]: No SSO token has the id no-such-id.');
    expect(unknown.stderr).toContain(`Error [SSO_TOKEN_NOT_FOUND]: SSO token ${ids['aliceRevoked']} is already revoked.`);

    const nothing = await runLlmProxy(['tokens', 'revoke'], { cwd });
    expect(nothing.exitCode).toBe(1);
    expect(nothing.stderr).toContain('Error [CLI_ARGUMENT_INVALID]: Name the tokens to revoke.');
  });

  it('explains an absent database instead of creating one', async () => {
    const cwd = createWorkingDirectory();
    const list = await runLlmProxy(['tokens', 'list'], { cwd });
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain('No SSO tokens: the SSO database');
    expect(list.stdout).toContain('does not exist yet');
    const revoke = await runLlmProxy(['tokens', 'revoke', 'abc'], { cwd });
    expect(revoke.exitCode).toBe(1);
    expect(revoke.stderr).toContain('Error [SSO_STORE_UNAVAILABLE]');
  });

  it('reads the settings flags from the one command-line pass, where revoke\'s repeated ids do not make a repeated flag a list', async () => {
    const { cwd, ids } = await workingDirectoryWithTokens();
    fs.writeFileSync(path.join(cwd, 'elsewhere.yaml'), 'sso:\n  database_file: elsewhere.sqlite\n');
    fs.writeFileSync(path.join(cwd, 'here.yaml'), 'sso:\n  database_file: var/sso/llm-proxy-sso.sqlite\n');
    const revoked = await runLlmProxy(['tokens', 'revoke', ids['aliceActive'] ?? '', ids['bobActive'] ?? '', '--config', 'elsewhere.yaml', '--config', 'here.yaml'], { cwd });
    expect(revoked.stderr).toBe('');
    expect(revoked.exitCode).toBe(0);
    expect(await statusOf(cwd, ids['aliceActive'] ?? '')).toEqual({ revoked: true });
    expect(await statusOf(cwd, ids['bobActive'] ?? '')).toEqual({ revoked: true });
  });

  it('issues ids that never read as flags, and revokes an older id that starts with "-" when given after --', async () => {
    for (let count = 0; count < 200; count += 1) expect(generateProxyToken().id).toMatch(/^[0-9a-f]{18}$/);
    const cwd = createWorkingDirectory();
    const store = openSqliteSsoStore({ file: path.join(cwd, 'var/sso/llm-proxy-sso.sqlite') });
    const token = generateProxyToken();
    const dashId = '-Ab3_xYz09Kq';
    const now = Date.now();
    await store.insertToken({ id: dashId, tokenHash: token.tokenHash, user: alice, label: 'old id', createdAt: now, expiresAt: now + DAY_MS, revokedAt: undefined, lastUsedAt: undefined });
    await store.close();
    const revoked = await runLlmProxy(['tokens', 'revoke', '--', dashId], { cwd });
    expect(revoked.stderr).toBe('');
    expect(revoked.exitCode).toBe(0);
    expect(await statusOf(cwd, dashId)).toEqual({ revoked: true });
  });
});
