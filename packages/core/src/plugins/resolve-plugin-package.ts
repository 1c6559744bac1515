/**
 * @fileoverview Finds one connector package the way Node would: by resolving
 * `<name>/package.json` from a base directory. Only that file is read; no plugin code runs.
 * When resolution fails, the node_modules directories Node searched are checked for the
 * package folder, to tell "not installed" from "installed but broken".
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PluginProblem } from './plugin-report.js';

/** The parsed package.json of a connector package (only the fields core reads are typed). */
export interface PluginPackageJson extends Record<string, unknown> {
  name?: unknown;
  version?: unknown;
  exports?: unknown;
}

export type PackageResolution =
  | { status: 'found'; directory: string; packageJsonPath: string; packageJson: PluginPackageJson }
  | { status: 'not-installed'; searchedDirectories: string[] }
  | { status: 'broken'; directory: string; version?: string; problem: PluginProblem }
  | { status: 'invalid-name'; problem: PluginProblem };

/** An npm package name, optionally scoped: a path or URL is refused before Node resolves it relative to a base. */
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i;

/**
 * Resolves `packageName` from each base directory in turn (the first that finds it wins).
 * A package found but broken is reported as such, even if a later base might hold another copy,
 * so that the user fixes the copy Node would actually load.
 */
export function resolvePluginPackage(packageName: string, baseDirectories: readonly string[]): PackageResolution {
  if (!PACKAGE_NAME.test(packageName)) {
    return {
      status: 'invalid-name',
      problem: {
        code: 'PLUGIN_NAME_INVALID',
        message: `"${packageName}" is not an npm package name, so it cannot be loaded as a connector package.`,
        fix: 'List installed package names under plugins (e.g. llmproxy-connector-acme or @acme/llmproxy-connector-chat), not paths.',
      },
    };
  }
  const searchedDirectories: string[] = [];
  for (const baseDirectory of baseDirectories) {
    const requireFromBase = createRequire(path.join(baseDirectory, 'package.json'));
    let packageJsonPath: string;
    try {
      packageJsonPath = requireFromBase.resolve(`${packageName}/package.json`);
    } catch (error) {
      const lookupDirectories = requireFromBase.resolve.paths(packageName) ?? [];
      searchedDirectories.push(...lookupDirectories.filter((directory) => !searchedDirectories.includes(directory)));
      const directory = lookupDirectories
        .map((nodeModulesDirectory) => path.join(nodeModulesDirectory, packageName))
        .find((candidate) => existsSync(path.join(candidate, 'package.json')));
      if (directory === undefined) continue;
      return diagnoseUnresolvablePackage(packageName, directory, error);
    }
    return readPluginPackageJson(packageName, packageJsonPath);
  }
  return { status: 'not-installed', searchedDirectories };
}

/** Reads and parses a package.json already located on disk. */
export function readPluginPackageJson(packageName: string, packageJsonPath: string): PackageResolution {
  const directory = path.dirname(packageJsonPath);
  try {
    const packageJson: unknown = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
    if (typeof packageJson !== 'object' || packageJson === null || Array.isArray(packageJson)) {
      throw new Error('the file does not hold a JSON object');
    }
    return { status: 'found', directory, packageJsonPath, packageJson: packageJson as PluginPackageJson };
  } catch (error) {
    return { status: 'broken', directory, problem: unreadablePackageJsonProblem(packageName, packageJsonPath, error) };
  }
}

function diagnoseUnresolvablePackage(packageName: string, directory: string, resolveError: unknown): PackageResolution {
  const packageJsonPath = path.join(directory, 'package.json');
  const read = readPluginPackageJson(packageName, packageJsonPath);
  if (read.status !== 'found') return read;
  const version = typeof read.packageJson.version === 'string' ? read.packageJson.version : undefined;
  if (read.packageJson.exports !== undefined) {
    return {
      status: 'broken',
      directory,
      ...(version === undefined ? {} : { version }),
      problem: {
        code: 'PLUGIN_PACKAGE_JSON_NOT_EXPORTED',
        message: `Connector package ${packageName} (${directory}) does not export "./package.json", so its manifest cannot be read.`,
        fix: `Add "./package.json": "./package.json" to the "exports" of ${packageName}'s package.json (ask its author, or upgrade it).`,
      },
    };
  }
  return {
    status: 'broken',
    directory,
    ...(version === undefined ? {} : { version }),
    problem: unreadablePackageJsonProblem(packageName, packageJsonPath, resolveError),
  };
}

function unreadablePackageJsonProblem(packageName: string, packageJsonPath: string, error: unknown): PluginProblem {
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: 'PLUGIN_PACKAGE_JSON_UNREADABLE',
    message: `Connector package ${packageName}: ${packageJsonPath} cannot be read as JSON (${detail}).`,
    fix: `Reinstall ${packageName} (npm install ${packageName}).`,
  };
}
