/**
 * @fileoverview Lists the connector packages to look at, from names alone: packages named in
 * the config, the project's dependencies that match the connector naming patterns, and
 * packages with such names installed beside @llmproxy/core (so a global install of core plus a
 * connector package works). Only node_modules directories on core's own resolution path are
 * listed, and only their top level and scope folders: there is no crawl.
 */
import { existsSync, readFileSync, readdirSync, type Dirent } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isConnectorPackageName } from '@llmproxy/connector-sdk';
import type { PluginSource } from './plugin-report.js';

export interface PluginCandidate {
  name: string;
  source: Exclude<PluginSource, 'core'>;
  /** Directories to resolve the package from, in order. */
  baseDirectories: readonly string[];
}

export interface PluginCandidateDiscovery {
  candidates: PluginCandidate[];
  /** Non-fatal observations worth a warning (e.g. an unreadable project package.json). */
  warnings: string[];
}

export interface DiscoverPluginCandidatesOptions {
  /** Package names from `plugins:` in the config. */
  plugins: readonly string[];
  /** The project directory whose package.json dependencies are considered. */
  cwd: string;
  coreDirectory: string;
  /** Names already accounted for (core itself), never listed again. */
  excludeNames?: readonly string[];
}

/** Candidates in priority order (config, then project, then beside core), each name once. */
export function discoverPluginCandidates(options: DiscoverPluginCandidatesOptions): PluginCandidateDiscovery {
  const warnings: string[] = [];
  const seen = new Set(options.excludeNames ?? []);
  const candidates: PluginCandidate[] = [];
  const add = (candidate: PluginCandidate): void => {
    if (seen.has(candidate.name)) return;
    seen.add(candidate.name);
    candidates.push(candidate);
  };

  for (const name of options.plugins) {
    add({ name, source: 'config', baseDirectories: [options.cwd, options.coreDirectory] });
  }
  for (const name of projectConnectorDependencies(options.cwd, warnings)) {
    add({ name, source: 'project', baseDirectories: [options.cwd] });
  }
  for (const name of connectorPackagesBesideCore(options.coreDirectory)) {
    add({ name, source: 'beside-core', baseDirectories: [options.coreDirectory] });
  }
  return { candidates, warnings };
}

function projectConnectorDependencies(cwd: string, warnings: string[]): string[] {
  const packageJsonPath = path.join(cwd, 'package.json');
  if (!existsSync(packageJsonPath)) return [];
  let packageJson: unknown;
  try {
    packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  } catch (error) {
    warnings.push(
      `The project's ${packageJsonPath} cannot be read as JSON (${error instanceof Error ? error.message : String(error)}); its dependencies were not searched for connector packages.`,
    );
    return [];
  }
  if (typeof packageJson !== 'object' || packageJson === null) return [];
  const names: string[] = [];
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const dependencies = (packageJson as Record<string, unknown>)[field];
    if (typeof dependencies !== 'object' || dependencies === null) continue;
    names.push(...Object.keys(dependencies).filter(isConnectorPackageName));
  }
  return names;
}

/** Connector-named packages in the node_modules directories Node would search from core. */
function connectorPackagesBesideCore(coreDirectory: string): string[] {
  const lookupDirectories = createRequire(path.join(coreDirectory, 'package.json')).resolve.paths('@llmproxy/core') ?? [];
  const names = new Set<string>();
  for (const nodeModulesDirectory of lookupDirectories) {
    for (const entry of listDirectory(nodeModulesDirectory)) {
      if (entry.name.startsWith('@')) {
        for (const scoped of listDirectory(path.join(nodeModulesDirectory, entry.name))) {
          const name = `${entry.name}/${scoped.name}`;
          if (isConnectorPackageName(name)) names.add(name);
        }
      } else if (isConnectorPackageName(entry.name)) {
        names.add(entry.name);
      }
    }
  }
  return [...names].sort();
}

function listDirectory(directory: string): Dirent[] {
  try {
    return readdirSync(directory, { withFileTypes: true }).filter((entry) => entry.isDirectory() || entry.isSymbolicLink());
  } catch {
    // Most directories on the lookup path do not exist; that is the normal case.
    return [];
  }
}
