/**
 * @fileoverview Installs the client CLIs from the npm registry into a cache folder outside the
 * workspaces, one folder per package and version, so each version is downloaded once per
 * machine. The cache is `$LLMPROXY_COMPAT_CACHE`, else `$XDG_CACHE_HOME/llmproxy-compat`, else
 * `~/.cache/llmproxy-compat`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const VERSION_CHECK_TIMEOUT_MS = 60_000;

export function cacheRoot() {
  if (process.env.LLMPROXY_COMPAT_CACHE) return path.resolve(process.env.LLMPROXY_COMPAT_CACHE);
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'llmproxy-compat');
}

/**
 * The newest version the registry has of `packageName` (`npm view <package> version`).
 * @param {string} packageName
 */
export async function latestVersion(packageName) {
  const { stdout } = await run('npm', ['view', packageName, 'version'], { timeout: VERSION_CHECK_TIMEOUT_MS });
  const version = stdout.trim();
  if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error(`npm view ${packageName} version answered "${version}"`);
  return version;
}

/**
 * @typedef {object} InstalledClient
 * @property {string} bin Absolute path of the executable.
 * @property {string} version
 * @property {boolean} fromCache
 */

/**
 * Installs `packageName@version` unless the cache holds it, then checks that its executable
 * starts (`--version`): Codex and Claude Code ship native binaries as optional dependencies for
 * each platform, and a missing one shows here rather than as a failed cell.
 * @param {{ package: string, version: string, bin: string }} client
 * @returns {Promise<InstalledClient>}
 */
export async function installClient(client) {
  const directory = path.join(cacheRoot(), `${client.package.replace(/^@/, '').replace('/', '__')}@${client.version}`);
  const bin = path.join(directory, 'node_modules', '.bin', client.bin);
  const installedVersion = await readInstalledVersion(directory, client.package);
  const fromCache = installedVersion === client.version && existsSync(bin);
  if (!fromCache) {
    await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true });
    await writeFile(path.join(directory, 'package.json'), '{ "private": true }\n');
    try {
      await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `${client.package}@${client.version}`], {
        cwd: directory,
        timeout: INSTALL_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        env: clientInstallEnvironment(),
      });
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      throw new Error(`npm install ${client.package}@${client.version} failed: ${lastLines(error)}`, { cause: error });
    }
  }
  try {
    await run(bin, ['--version'], { timeout: VERSION_CHECK_TIMEOUT_MS, env: { ...process.env, DISABLE_AUTOUPDATER: '1' } });
  } catch (error) {
    throw new Error(`${client.package}@${client.version} is installed in ${directory} but \`${client.bin} --version\` fails: ${lastLines(error)}`, { cause: error });
  }
  return { bin, version: client.version, fromCache };
}

/** The environment without the repository's npm settings (CI builds native modules from source; the clients ship theirs prebuilt). */
function clientInstallEnvironment() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name.toLowerCase() !== 'npm_config_build_from_source'));
}

async function readInstalledVersion(directory, packageName) {
  try {
    return JSON.parse(await readFile(path.join(directory, 'node_modules', packageName, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function lastLines(error) {
  const text = `${error?.stderr ?? ''}${error?.stdout ?? ''}`.trim() || String(error?.message ?? error);
  return text.split('\n').slice(-5).join(' | ');
}
