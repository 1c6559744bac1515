/**
 * The lock gate's pieces on real files: what the package integrity covers, how a lock file that
 * cannot be trusted is reported, and the verdicts that need no CLI run to show.
 */
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { connectorLockLocation, readConnectorLock, writeConnectorLock } from '../../src/plugins/connector-lock-file.js';
import { checkPackageAgainstLock, type ConnectorLockPolicy } from '../../src/plugins/connector-lock-gate.js';
import { hashConnectorPackage } from '../../src/plugins/hash-connector-package.js';

describe('the connector lock gate', () => {
  let root: string;
  let packageDirectory: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'llmproxy-lock-'));
    packageDirectory = path.join(root, 'node_modules/llmproxy-connector-acme');
    await mkdir(path.join(packageDirectory, 'dist'), { recursive: true });
    await writeFile(path.join(packageDirectory, 'package.json'), '{"name":"llmproxy-connector-acme","version":"2.0.0"}');
    await writeFile(path.join(packageDirectory, 'dist/acme.js'), 'export default 1;\n');
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  const policy = (overrides: Partial<ConnectorLockPolicy> = {}): ConnectorLockPolicy => ({
    state: readConnectorLock(connectorLockLocation(undefined, root)),
    required: false,
    requiredOrigin: 'test',
    enforce: true,
    ...overrides,
  });
  const installed = () => ({ name: 'llmproxy-connector-acme', version: '2.0.0', directory: packageDirectory });

  async function lockAsInstalled(): Promise<void> {
    const hash = await hashConnectorPackage(packageDirectory);
    await writeConnectorLock(connectorLockLocation(undefined, root), {
      lockfileVersion: 1,
      packages: { 'llmproxy-connector-acme': { version: '2.0.0', connectors: ['acme'], ...hash } },
    });
  }

  it('hashes every file of the package but its node_modules, and a rename changes the integrity', async () => {
    const before = await hashConnectorPackage(packageDirectory);
    expect(Object.keys(before.files)).toEqual(['dist/acme.js', 'package.json']);

    await mkdir(path.join(packageDirectory, 'node_modules/dependency'), { recursive: true });
    await writeFile(path.join(packageDirectory, 'node_modules/dependency/index.js'), 'hoisting decides where this lives');
    expect((await hashConnectorPackage(packageDirectory)).integrity).toBe(before.integrity);

    await rename(path.join(packageDirectory, 'dist/acme.js'), path.join(packageDirectory, 'dist/other.js'));
    const renamed = await hashConnectorPackage(packageDirectory);
    expect(renamed.integrity).not.toBe(before.integrity);
    expect(renamed.files['dist/other.js']).toBe(before.files['dist/acme.js']);
  });

  it('follows a symbolic link to a file and does not loop on a link back to the package', async () => {
    const outside = path.join(root, 'shared.js');
    await writeFile(outside, 'export const shared = 1;\n');
    await symlink(outside, path.join(packageDirectory, 'dist/shared.js'));
    await symlink(packageDirectory, path.join(packageDirectory, 'dist/loop'), 'dir');
    const hash = await hashConnectorPackage(packageDirectory);
    expect(Object.keys(hash.files)).toEqual(['dist/acme.js', 'dist/shared.js', 'package.json']);

    await writeFile(outside, 'export const shared = 2;\n');
    expect((await hashConnectorPackage(packageDirectory)).integrity).not.toBe(hash.integrity);
  });

  it('admits a package that matches, and hashes nothing when there is no lock file and none is required', async () => {
    expect(await checkPackageAgainstLock(installed(), policy())).toEqual({ verdict: 'unchecked', refused: false });
    await lockAsInstalled();
    expect(await checkPackageAgainstLock(installed(), policy())).toEqual({ verdict: 'locked', refused: false });
  });

  it('refuses every package when the lock file is malformed, saying what is wrong with it', async () => {
    const lockPath = path.join(root, 'llm-proxy.connectors.lock');
    await writeFile(lockPath, '{"lockfileVersion": 1, "packages": {');
    const truncated = await checkPackageAgainstLock(installed(), policy());
    expect(truncated).toMatchObject({ verdict: 'lock-file-invalid', refused: true, problem: { code: 'PLUGIN_LOCK_FILE_INVALID' } });
    expect(truncated.problem?.message).toContain(`the lock file ${lockPath} cannot be used: `);

    await lockAsInstalled();
    const lock = JSON.parse(await readFile(lockPath, 'utf8')) as {
      packages: Record<string, { files: Record<string, string> }>;
    };
    // A file list edited to hide a change no longer adds up to the integrity.
    lock.packages['llmproxy-connector-acme']!.files['dist/acme.js'] = 'sha512-edited';
    await writeFile(lockPath, JSON.stringify(lock));
    const edited = await checkPackageAgainstLock(installed(), policy());
    expect(edited.problem?.message).toContain('do not add up to its "integrity" (edited by hand?)');

    await writeFile(lockPath, JSON.stringify({ lockfileVersion: 2, packages: {} }));
    expect((await checkPackageAgainstLock(installed(), policy())).problem?.message).toContain('lockfileVersion is 2, this llm-proxy reads 1');
  });

  it('in Single User Mode reports the same verdict without refusing', async () => {
    await lockAsInstalled();
    await writeFile(path.join(packageDirectory, 'dist/extra.js'), 'added after locking');
    const check = await checkPackageAgainstLock(installed(), policy({ enforce: false }));
    expect(check).toMatchObject({ verdict: 'content-changed', refused: false, problem: { code: 'PLUGIN_LOCK_CONTENT_CHANGED' } });
    expect(check.problem?.message).toContain('(dist/extra.js (added))');
    expect(check.problem?.message).toContain('Loaded anyway: Single User Mode only warns');
  });

  it('puts the lock file beside the config file, or in the working directory without one', () => {
    expect(connectorLockLocation('/srv/proxy/llm-proxy.yaml', '/home/operator')).toEqual({
      path: '/srv/proxy/llm-proxy.connectors.lock',
      origin: 'beside the config file /srv/proxy/llm-proxy.yaml',
    });
    expect(connectorLockLocation(undefined, '/home/operator').path).toBe('/home/operator/llm-proxy.connectors.lock');
  });
});
