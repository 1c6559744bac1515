/**
 * @fileoverview A patch release keeps every connector loadable. In a scratch clone of the
 * committed tree, `lerna version patch` (no tag, no push) bumps every package, rewrites their
 * SDK dependency ranges, writes the changelogs and, through the root `version` script, the
 * manifests' SDK ranges. Then the built CLI, run from the clone with the clone's packages as its
 * @llmproxy/* dependencies, must report the new SDK version and load every connector of core and
 * oauth-connectors (the SDK range check is what fixed-mode versioning once broke).
 *
 * Clones HEAD: uncommitted changes are not part of the check. Copies the dist/ folders of this
 * checkout: run `npx tsc -b` first.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import semver from 'semver';
import { REPOSITORY_ROOT } from '../plugins/plugin-fixtures.js';

const runFile = promisify(execFile);
const PACKAGES = ['packages/connector-sdk', 'packages/core', 'packages/oauth-connectors', 'examples/connector-minimal'];

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  llmproxy?: { sdk: string };
}

async function readPackageJsons(root: string): Promise<Map<string, PackageJson>> {
  const packageJsons = new Map<string, PackageJson>();
  for (const directory of PACKAGES) {
    packageJsons.set(directory, JSON.parse(await readFile(path.join(root, directory, 'package.json'), 'utf8')) as PackageJson);
  }
  return packageJsons;
}

describe('lerna version patch in a scratch clone', () => {
  let scratch: string;
  let clone: string;
  let before: Map<string, PackageJson>;
  let after: Map<string, PackageJson>;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'llmproxy-lerna-version-'));
    clone = path.join(scratch, 'repository');
    await runFile('git', ['clone', '--quiet', REPOSITORY_ROOT, clone]);
    const git = (...args: string[]) => runFile('git', args, { cwd: clone });
    await git('checkout', '--quiet', '-b', 'release-check');
    await git('config', 'user.email', 'release-check@example.invalid');
    await git('config', 'user.name', 'release check');
    before = await readPackageJsons(clone);
    // `patch` first: --allow-branch takes several values and would swallow it.
    await runFile(
      process.execPath,
      [path.join(REPOSITORY_ROOT, 'node_modules/lerna/dist/cli.js'), 'version', 'patch', '--no-git-tag-version', '--no-push', '--yes', '--allow-branch', '*'],
      { cwd: clone, env: { ...process.env, CI: 'true' }, timeout: 240_000 },
    );
    after = await readPackageJsons(clone);
  }, 300_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('bumps each package by a patch, independently', () => {
    for (const directory of PACKAGES) {
      expect(after.get(directory)!.version).toBe(semver.inc(before.get(directory)!.version, 'patch'));
    }
  });

  it('keeps every SDK range satisfied by the new SDK version: dependencies and manifests agree', () => {
    const sdkVersion = after.get('packages/connector-sdk')!.version;
    for (const directory of PACKAGES.slice(1)) {
      const packageJson = after.get(directory)!;
      const dependencyRange = packageJson.dependencies?.['@llmproxy/connector-sdk'];
      expect({ directory, satisfied: semver.satisfies(sdkVersion, packageJson.llmproxy!.sdk) }).toEqual({ directory, satisfied: true });
      expect({ directory, manifestRange: packageJson.llmproxy!.sdk }).toEqual({ directory, manifestRange: dependencyRange });
    }
  });

  it('writes a CHANGELOG.md per package', async () => {
    for (const directory of PACKAGES) {
      const changelog = await readFile(path.join(clone, directory, 'CHANGELOG.md'), 'utf8');
      expect(changelog).toContain(`## ${after.get(directory)!.version} (`);
    }
  });

  it('leaves every connector of core and oauth-connectors loadable', async () => {
    // The clone's packages, built as this checkout, stand in for the released ones.
    for (const directory of PACKAGES) await cp(path.join(REPOSITORY_ROOT, directory, 'dist'), path.join(clone, directory, 'dist'), { recursive: true });
    const nodeModules = path.join(clone, 'node_modules');
    await mkdir(path.join(nodeModules, '@llmproxy'), { recursive: true });
    for (const entry of await readdir(path.join(REPOSITORY_ROOT, 'node_modules'))) {
      if (entry === '@llmproxy' || entry === '.bin' || entry.startsWith('.')) continue;
      await symlink(path.join(REPOSITORY_ROOT, 'node_modules', entry), path.join(nodeModules, entry));
    }
    for (const directory of PACKAGES.slice(0, 3)) {
      await symlink(path.join(clone, directory), path.join(nodeModules, '@llmproxy', path.basename(directory)));
    }

    const { stdout } = await runFile(process.execPath, [path.join(clone, 'packages/core/dist/cli/main.js'), 'connectors', 'list'], {
      cwd: clone,
      env: { PATH: process.env['PATH'] },
    });
    const sdkVersion = after.get('packages/connector-sdk')!.version;
    expect(stdout).toContain(`@llmproxy/connector-sdk ${sdkVersion}):`);
    expect(stdout).toMatch(new RegExp(`^@llmproxy/core@${after.get('packages/core')!.version.replaceAll('.', '\\.')} +\\[loaded\\]`, 'm'));
    expect(stdout).toMatch(new RegExp(`^@llmproxy/oauth-connectors@${after.get('packages/oauth-connectors')!.version.replaceAll('.', '\\.')} +\\[loaded\\]`, 'm'));
    expect(stdout).not.toContain('PLUGIN_SDK_VERSION_MISMATCH');
    for (const id of ['openai', 'anthropic', 'gemini', 'openrouter', 'qwen']) expect(stdout).toMatch(new RegExp(`^  ${id} +loaded`, 'm'));
    for (const id of ['gemini-oauth-free', 'gemini-oauth-plan', 'gemini-oauth-auto', 'qwen-oauth', 'openai-codex', 'kiro-oauth-auto']) {
      expect(stdout).toMatch(new RegExp(`^  ${id} +loaded, needs opt-in`, 'm'));
    }
  }, 120_000);
});
