/**
 * @fileoverview What the registry shows and needs of each package: complete metadata, public
 * access for the scoped packages, the example kept private, an MIT LICENSE and a README in each,
 * no source maps or build info in the tarball, Node 20.19+; and lerna in independent mode with
 * conventional-commit changelogs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPOSITORY_ROOT } from '../plugins/plugin-fixtures.js';

const PUBLISHED = ['packages/connector-sdk', 'packages/core', 'packages/oauth-connectors'];
const ALL = [...PUBLISHED, 'examples/connector-minimal'];

function packageJsonOf(directory: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, directory, 'package.json'), 'utf8')) as Record<string, unknown>;
}

describe('package metadata', () => {
  const rootRepository = (packageJsonOf('packages/core')['repository'] as { url: string }).url;

  it.each(ALL)('%s has the fields the registry shows, pointing into this repository', (directory) => {
    const packageJson = packageJsonOf(directory);
    expect(packageJson).toMatchObject({
      description: expect.any(String),
      keywords: expect.arrayContaining(['llmproxy']),
      license: 'MIT',
      author: expect.any(String),
      homepage: expect.stringContaining(`/tree/main/${directory}#readme`),
      bugs: { url: expect.stringMatching(/\/issues$/) },
      repository: { type: 'git', url: rootRepository, directory },
      engines: { node: '>=20.19' },
      type: 'module',
    });
  });

  it.each(ALL)('%s ships dist, README, CHANGELOG and LICENSE, without source maps or build info', (directory) => {
    expect(packageJsonOf(directory)['files']).toEqual(
      expect.arrayContaining(['dist', '!dist/**/*.tsbuildinfo', '!dist/**/*.map', 'README.md', 'CHANGELOG.md', 'LICENSE']),
    );
    expect(existsSync(path.join(REPOSITORY_ROOT, directory, 'README.md'))).toBe(true);
    const license = readFileSync(path.join(REPOSITORY_ROOT, directory, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
  });

  it.each(PUBLISHED)('%s is published with public access', (directory) => {
    const packageJson = packageJsonOf(directory);
    expect(packageJson['private']).toBeUndefined();
    expect(packageJson['publishConfig']).toEqual({ access: 'public' });
  });

  it('keeps the example connector package private', () => {
    expect(packageJsonOf('examples/connector-minimal')).toMatchObject({ private: true });
    expect(packageJsonOf('examples/connector-minimal')['publishConfig']).toBeUndefined();
  });

  it('leaves better-sqlite3 out of a plain install and node-notifier optional', () => {
    const core = packageJsonOf('packages/core');
    expect(core['dependencies']).not.toHaveProperty('better-sqlite3');
    expect(core['dependencies']).not.toHaveProperty('node-notifier');
    expect(core['peerDependenciesMeta']).toEqual({ 'better-sqlite3': { optional: true } });
    expect(core['optionalDependencies']).toHaveProperty('node-notifier');
  });

  it('versions the packages independently with conventional-commit changelogs', () => {
    const lerna = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'lerna.json'), 'utf8')) as Record<string, unknown>;
    expect(lerna).toMatchObject({
      version: 'independent',
      command: { version: { conventionalCommits: true, changelogPreset: 'conventional-changelog-conventionalcommits' } },
    });
  });
});
