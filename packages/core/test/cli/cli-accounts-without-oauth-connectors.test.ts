/**
 * `llm-proxy accounts` where @llmproxy/oauth-connectors is not installed: a copy of the built core
 * in a temporary node_modules that holds its dependencies but not that package (in this
 * repository the workspace links it beside core), run as a child process.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assertCliBuilt } from '../support/run-llm-proxy.js';

const CORE_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT_NODE_MODULES = path.resolve(CORE_DIRECTORY, '../../node_modules');

describe('llm-proxy accounts without @llmproxy/oauth-connectors', () => {
  let installation: string;
  let cli: string;

  beforeAll(() => {
    assertCliBuilt();
    installation = mkdtempSync(path.join(os.tmpdir(), 'llmproxy-core-alone-'));
    const nodeModules = path.join(installation, 'node_modules');
    const core = path.join(nodeModules, '@llmproxy/core');
    mkdirSync(core, { recursive: true });
    // A copy, not a link: a link would resolve back into the workspace, where the package is.
    cpSync(path.join(CORE_DIRECTORY, 'package.json'), path.join(core, 'package.json'));
    cpSync(path.join(CORE_DIRECTORY, 'dist'), path.join(core, 'dist'), { recursive: true });
    for (const entry of readdirSync(ROOT_NODE_MODULES)) {
      if (entry === '@llmproxy' || entry.startsWith('.')) continue;
      symlinkSync(path.join(ROOT_NODE_MODULES, entry), path.join(nodeModules, entry), 'dir');
    }
    symlinkSync(path.join(ROOT_NODE_MODULES, '@llmproxy/connector-sdk'), path.join(nodeModules, '@llmproxy/connector-sdk'), 'dir');
    cli = path.join(core, 'dist/cli/main.js');
  });
  afterAll(() => {
    if (installation !== undefined) rmSync(installation, { recursive: true, force: true });
  });

  function run(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
    const cwd = path.join(installation, 'project');
    mkdirSync(cwd, { recursive: true });
    const result = spawnSync(process.execPath, [cli, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd }, encoding: 'utf8', timeout: 30_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('says which package to install, for every subcommand and any provider name', () => {
    for (const args of [['accounts', 'list'], ['accounts', 'add', 'codex'], ['accounts', 'import', 'kiro', 'token.json'], ['accounts', 'remove', 'anything', 'name']]) {
      const result = run(args);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('Error [OAUTH_CONNECTORS_NOT_INSTALLED]: Managing OAuth accounts needs @llmproxy/oauth-connectors, which is not installed');
      expect(result.stderr).toContain('Run npm install @llmproxy/oauth-connectors');
    }
  }, 120_000);

  it('still refuses in Multi User Mode first, without looking for the package', () => {
    const result = run(['accounts', 'list', '--multi-user-mode', '--disable-notifications']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Error [OAUTH_ACCOUNTS_NOT_ALLOWED]');
    expect(result.stderr).not.toContain('OAUTH_CONNECTORS_NOT_INSTALLED');
  }, 60_000);
});
