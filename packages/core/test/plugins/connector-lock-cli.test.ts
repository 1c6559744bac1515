/**
 * The connector lock through the real CLI (packages/core/dist/cli/main.js, so run `npx tsc -b`
 * first): `connectors lock` pins fixture packages, then an unlocked package, a version bump and a
 * one-byte change are each refused before import in Multi User Mode (their marker files are
 * never written), and Single User Mode warns and loads them.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPOSITORY_ROOT, createFixtureWorkspace, writeFixturePackage, type FixtureWorkspace } from './plugin-fixtures.js';
import { cleanUpCliRuns, startLlmProxy } from '../support/run-llm-proxy.js';

const runFile = promisify(execFile);
const CLI = path.join(REPOSITORY_ROOT, 'packages/core/dist/cli/main.js');
const API_KEY = 'lock-test-client-key';

/** The fixture packages and what happens to each after locking. */
const PACKAGES = {
  kept: 'llmproxy-connector-kept',
  bumped: 'llmproxy-connector-bumped',
  edited: 'llmproxy-connector-edited',
  unlocked: 'llmproxy-connector-unlocked',
} as const;
type Role = keyof typeof PACKAGES;
const ROLES = Object.keys(PACKAGES) as Role[];

interface CliOutput {
  stdout: string;
  stderr: string;
}

describe('llm-proxy connectors lock and the lock gate', () => {
  let workspace: FixtureWorkspace;
  let configFile: string;
  let lockFile: string;
  const markers = {} as Record<Role, string>;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('packages/core/dist is not built: run `npx tsc -b` first.');
    workspace = await createFixtureWorkspace(Object.fromEntries(Object.values(PACKAGES).map((name) => [name, '^1.0.0'])));
    // The lock file belongs beside the config file, not in the working directory.
    const deployDirectory = path.join(workspace.root, 'deploy');
    await mkdir(deployDirectory);
    configFile = path.join(deployDirectory, 'llm-proxy.yaml');
    lockFile = path.join(deployDirectory, 'llm-proxy.connectors.lock');
    await writeFile(configFile, 'notifications:\n  enabled: false\n');
    for (const role of ROLES) markers[role] = path.join(workspace.markerDirectory, role);
    for (const role of ['kept', 'bumped', 'edited'] as const) await writeRolePackage(role);

    const locked = await cli(['connectors', 'lock']);
    expect(locked.stdout).toContain(`Wrote ${lockFile} (beside the config file ${configFile}):`);
    expect(locked.stdout).toMatch(new RegExp(`${PACKAGES.kept}@1\\.0\\.0 {2}\\(added\\)\\n {4}connectors: kept\\n`));

    // After the review: a package installed later, a new release, and a tampered file.
    await writeRolePackage('unlocked');
    await writeRolePackage('bumped', '1.0.1');
    await appendFile(path.join(workspace.projectNodeModules, PACKAGES.edited, 'dist/edited.js'), ' ');
  });

  afterAll(async () => {
    cleanUpCliRuns();
    await workspace.cleanup();
  });

  async function writeRolePackage(role: Role, version = '1.0.0'): Promise<void> {
    await writeFixturePackage(workspace.projectNodeModules, {
      name: PACKAGES[role],
      version,
      connectors: [{ id: role, markerFile: markers[role] }],
    });
  }

  async function cli(args: string[], env: Record<string, string> = {}): Promise<CliOutput> {
    await Promise.all(ROLES.map((role) => rm(markers[role], { force: true })));
    const { stdout, stderr } = await runFile(process.execPath, [CLI, ...args, '--config', configFile], {
      cwd: workspace.projectDirectory,
      env: { PATH: process.env['PATH'] ?? '', HOME: workspace.root, ...env },
    });
    return { stdout, stderr };
  }

  function imported(): Record<Role, boolean> {
    return Object.fromEntries(ROLES.map((role) => [role, existsSync(markers[role])])) as Record<Role, boolean>;
  }

  it('writes each package with its version, connector ids and an ssri sha512 integrity over its files', async () => {
    const lock = JSON.parse(await readFile(lockFile, 'utf8')) as {
      lockfileVersion: number;
      packages: Record<string, { version: string; connectors: string[]; integrity: string; files: Record<string, string> }>;
    };
    expect(lock.lockfileVersion).toBe(1);
    expect(lock.packages[PACKAGES.kept]).toEqual({
      version: '1.0.0',
      connectors: ['kept'],
      integrity: expect.stringMatching(/^sha512-[A-Za-z0-9+/]{86}==$/),
      files: { 'dist/kept.js': expect.stringMatching(/^sha512-/), 'package.json': expect.stringMatching(/^sha512-/) },
    });
    expect(lock.packages[PACKAGES.unlocked]).toBeUndefined();
    // Core's built-ins are trusted by core's version.
    expect(lock.packages['@llmproxy/core']).toBeUndefined();
  });

  it('in Multi User Mode refuses the unlocked, bumped and edited packages before import, each with its own reason', async () => {
    const { stdout, stderr } = await cli(['connectors', 'list', '--multi-user-mode']);
    expect(imported()).toEqual({ kept: true, bumped: false, edited: false, unlocked: false });

    expect(stdout).toContain(`Connector lock file: ${lockFile} (present); third-party packages that do not match it are refused.`);
    expect(stdout).toContain(`${PACKAGES.kept}@1.0.0  [loaded]  (project dependency)`);
    expect(stdout).toContain(`${PACKAGES.unlocked}@1.0.0  [refused: not in the lock file]  (project dependency)`);
    expect(stdout).toContain(`${PACKAGES.bumped}@1.0.1  [refused: version changed since locked]  (project dependency)`);
    expect(stdout).toContain(`${PACKAGES.edited}@1.0.0  [refused: changed since locked]  (project dependency)`);
    expect(stdout).toContain(`PLUGIN_LOCK_VERSION_CHANGED: Connector package ${PACKAGES.bumped}@1.0.1`);
    expect(stdout).toContain(`version 1.0.1 is installed, but ${lockFile} pins 1.0.0`);
    expect(stdout).toContain('(dist/edited.js (changed))');
    expect(stdout).toMatch(/fix: Review llmproxy-connector-unlocked .*then run `llm-proxy connectors lock`/);

    // One log line per refused package, naming the reason.
    const refusals = stderr.split('\n').filter((line) => line.includes(' is refused: '));
    expect(refusals).toHaveLength(3);
    expect(refusals.find((line) => line.includes(PACKAGES.unlocked))).toContain('is refused: not in the lock file;');
    expect(refusals.find((line) => line.includes(PACKAGES.bumped))).toContain('is refused: version changed since locked;');
    expect(refusals.find((line) => line.includes(PACKAGES.edited))).toContain('is refused: changed since locked;');
  });

  it('serves the locked package in Multi User Mode, and answers 404 Backend not found with the reason for a refused one', async () => {
    const proxy = await startLlmProxy(
      ['--multi-user-mode', '--port', '0', '--api-keys', API_KEY, '--config', configFile, '--log-file', path.join(workspace.root, 'serve.log')],
      { cwd: workspace.projectDirectory, env: { HOME: workspace.root }, timeoutMs: 60_000 },
    );
    try {
      const ask = (model: string) =>
        fetch(`${proxy.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
        });
      const served = await ask('kept:model-a');
      expect(served.status).toBe(200);
      const answer = (await served.json()) as { choices: { message: { content: string } }[] };
      expect(JSON.parse(answer.choices[0]!.message.content)).toMatchObject({ connector: 'kept', backend: 'kept' });

      const refused = await ask('unlocked:model-a');
      expect(refused.status).toBe(404);
      const error = ((await refused.json()) as { error: { message: string } }).error;
      expect(error.message).toMatch(/^Backend not found: connector "unlocked" did not load: Connector package llmproxy-connector-unlocked@1\.0\.0 .* is refused: not in the lock file;/);

      const health = await fetch(`${proxy.url}/internal/health`, { headers: { authorization: `Bearer ${API_KEY}` } });
      const details = (await health.json()) as {
        packages: { name: string; version: string; lock?: string }[];
        refused_packages: { name: string; verdict: string }[];
        connector_lock: { file: string; status: string };
      };
      expect(details.packages).toEqual(
        expect.arrayContaining([
          { name: '@llmproxy/core', version: expect.any(String), source: 'core' },
          { name: PACKAGES.kept, version: '1.0.0', source: 'project', lock: 'locked' },
        ]),
      );
      expect(details.refused_packages.map((entry) => [entry.name, entry.verdict]).sort()).toEqual([
        [PACKAGES.bumped, 'version-changed'],
        [PACKAGES.edited, 'content-changed'],
        [PACKAGES.unlocked, 'not-locked'],
      ]);
      expect(details.connector_lock).toMatchObject({ file: lockFile, status: 'read' });
    } finally {
      await proxy.stop();
    }
    expect(imported().unlocked).toBe(false);
  });

  it('in Single User Mode warns about each and loads them all', async () => {
    const { stdout, stderr } = await cli(['connectors', 'list']);
    expect(imported()).toEqual({ kept: true, bumped: true, edited: true, unlocked: true });
    expect(stdout).toContain(`${PACKAGES.unlocked}@1.0.0  [loaded]  (project dependency)`);
    const warnings = stderr.split('\n').filter((line) => line.includes('Loaded anyway: Single User Mode only warns'));
    expect(warnings).toHaveLength(3);
    expect(warnings.find((line) => line.includes(PACKAGES.unlocked))).toContain(': not in the lock file;');
    expect(warnings.find((line) => line.includes(PACKAGES.bumped))).toContain(': version changed since locked;');
    expect(warnings.find((line) => line.includes(PACKAGES.edited))).toContain(': changed since locked;');
  });

  it('config explain shows the lock file, where it was looked for, and each package verdict', async () => {
    const { stdout } = await cli(['config', 'explain', '--multi-user-mode']);
    expect(imported()).toEqual({ kept: false, bumped: false, edited: false, unlocked: false });
    expect(stdout).toContain(`Connector lock file: ${lockFile} (present; beside the config file ${configFile})`);
    expect(stdout).toContain(`  ${PACKAGES.kept}@1.0.0: matches the lock file`);
    expect(stdout).toContain(`  ${PACKAGES.unlocked}@1.0.0: refused: not in the lock file [PLUGIN_NOT_LOCKED]`);
    expect(stdout).toContain(`  ${PACKAGES.bumped}@1.0.1: refused: version changed since locked [PLUGIN_LOCK_VERSION_CHANGED]`);
    expect(stdout).toContain(`  ${PACKAGES.edited}@1.0.0: refused: changed since locked [PLUGIN_LOCK_CONTENT_CHANGED]`);
    expect(stdout).toMatch(/plugins\.require_lock +false +auto \(Multi User Mode binds 127\.0\.0\.1 and plugins\.require_lock is not set\)/);
  });

  it('with plugins.require_lock and no lock file refuses every third-party package and keeps the built-ins', async () => {
    const elsewhere = path.join(workspace.root, 'unlocked-deploy/llm-proxy.yaml');
    await mkdir(path.dirname(elsewhere));
    await writeFile(elsewhere, 'notifications:\n  enabled: false\nplugins:\n  require_lock: true\n');
    await Promise.all(ROLES.map((role) => rm(markers[role], { force: true })));
    const { stdout } = await runFile(process.execPath, [CLI, 'connectors', 'list', '--multi-user-mode', '--config', elsewhere], {
      cwd: workspace.projectDirectory,
      env: { PATH: process.env['PATH'] ?? '', HOME: workspace.root },
    });
    expect(imported()).toEqual({ kept: false, bumped: false, edited: false, unlocked: false });
    expect(stdout).toContain(`${PACKAGES.kept}@1.0.0  [refused: no lock file]  (project dependency)`);
    expect(stdout).toContain(`there is no lock file at ${path.join(path.dirname(elsewhere), 'llm-proxy.connectors.lock')}`);
    expect(stdout).toContain('plugins.require_lock is on (plugins.require_lock in');
    expect(stdout).toMatch(/openai +ready +connector openai \(default\)/);
  });

  it('relocking reports what changed since the last lock, then admits the reviewed packages', async () => {
    const relocked = await cli(['connectors', 'lock']);
    expect(relocked.stdout).toContain(`${PACKAGES.kept}@1.0.0  (unchanged)`);
    expect(relocked.stdout).toContain(`${PACKAGES.bumped}@1.0.1  (version changed: was 1.0.0)`);
    expect(relocked.stdout).toContain(`${PACKAGES.edited}@1.0.0  (files changed since locked: dist/edited.js (changed))`);
    expect(relocked.stdout).toContain(`${PACKAGES.unlocked}@1.0.0  (added)`);
    expect(imported()).toEqual({ kept: false, bumped: false, edited: false, unlocked: false });

    const { stderr } = await cli(['connectors', 'list', '--multi-user-mode']);
    expect(imported()).toEqual({ kept: true, bumped: true, edited: true, unlocked: true });
    expect(stderr).not.toContain('is refused');
  });
});
