/**
 * @fileoverview Reads a connector package from its directory the way llmproxy core does:
 * package.json, the manifest, and each entry resolved through `exports` with the import
 * conditions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exports as resolveExportsTarget } from 'resolve.exports';
import { MANIFEST_KEY, validateManifest, type ManifestValidation } from '../manifest.js';

export interface ConnectorPackage {
  directory: string;
  packageJson: Record<string, unknown> & { name?: unknown; exports?: unknown };
  manifest: ManifestValidation;
}

/** Reads `<directory>/package.json` and validates its manifest. Throws when the file is unreadable. */
export function readConnectorPackage(directory: string): ConnectorPackage {
  const packageJson = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as ConnectorPackage['packageJson'];
  return { directory, packageJson, manifest: validateManifest(packageJson[MANIFEST_KEY]) };
}

/** The file an `exports` subpath resolves to with import conditions, or a reason it does not. */
export function resolveExportedFile(
  connectorPackage: ConnectorPackage,
  subpath: string,
): { ok: true; file: string } | { ok: false; reason: string } {
  const name = typeof connectorPackage.packageJson.name === 'string' ? connectorPackage.packageJson.name : 'package';
  if (connectorPackage.packageJson.exports === undefined) return { ok: false, reason: 'the package has no "exports" field' };
  let targets: string[] | void;
  try {
    targets = resolveExportsTarget({ ...connectorPackage.packageJson, name }, subpath);
  } catch {
    targets = undefined;
  }
  const target = targets?.[0];
  if (target === undefined) return { ok: false, reason: `"${subpath}" is not in the package's "exports"` };
  return { ok: true, file: path.resolve(connectorPackage.directory, target) };
}
