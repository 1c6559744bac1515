/**
 * @fileoverview The checks made on a connector package before any of its code is imported:
 * the manifest (every schema problem at once), the SDK range against the installed SDK, and
 * each connector's entry against the package's `exports`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_KEY, validateManifest, type ConnectorDeclaration } from '@llmproxy/connector-sdk';
import { exports as resolveExportsTarget } from 'resolve.exports';
import semver from 'semver';
import type { PluginProblem } from './plugin-report.js';
import type { PluginPackageJson } from './resolve-plugin-package.js';

export interface InstalledPluginPackage {
  name: string;
  directory: string;
  packageJsonPath: string;
  packageJson: PluginPackageJson;
}

/** A declared connector whose entry resolved to a file of the package. */
export interface CheckedConnector {
  declaration: ConnectorDeclaration;
  /** Absolute path of the module the entry resolves to (import conditions). */
  entryFile: string;
}

export type ConnectorEntryCheck =
  | ({ ok: true } & CheckedConnector)
  | { ok: false; declaration: ConnectorDeclaration; problem: PluginProblem };

export type PackageCheck =
  | { ok: true; sdkRange: string; connectors: ConnectorEntryCheck[] }
  | { ok: false; problems: PluginProblem[] };

/** Checks one installed package against the installed SDK version. Reads data only. */
export function checkConnectorPackage(installed: InstalledPluginPackage, sdkVersion: string): PackageCheck {
  const where = `${installed.name} (${installed.packageJsonPath})`;
  const manifestData = installed.packageJson[MANIFEST_KEY];
  if (manifestData === undefined) {
    return {
      ok: false,
      problems: [
        {
          code: 'PLUGIN_MANIFEST_MISSING',
          message: `Package ${where} has no "${MANIFEST_KEY}" manifest, so it declares no connectors.`,
          fix: `Remove ${installed.name} from plugins if it is not a connector package; its author adds the "${MANIFEST_KEY}" key described in docs/connectors.md.`,
        },
      ],
    };
  }

  const validation = validateManifest(manifestData);
  if (!validation.valid) {
    return {
      ok: false,
      problems: [
        {
          code: 'PLUGIN_MANIFEST_INVALID',
          message: `Connector package ${where} has an invalid "${MANIFEST_KEY}" manifest: ${validation.problems.join('; ')}.`,
          fix: `Correct the manifest as described in docs/connectors.md (or upgrade ${installed.name} to a release with a valid manifest).`,
        },
      ],
    };
  }
  const manifest = validation.manifest;

  if (semver.validRange(manifest.sdk) === null) {
    return {
      ok: false,
      problems: [
        {
          code: 'PLUGIN_SDK_RANGE_INVALID',
          message: `Connector package ${where} declares sdk "${manifest.sdk}", which is not a semver range.`,
          fix: `Set "${MANIFEST_KEY}.sdk" to a semver range of @llmproxy/connector-sdk, e.g. "^${semver.major(sdkVersion)}.0.0".`,
        },
      ],
    };
  }
  if (!semver.satisfies(sdkVersion, manifest.sdk, { includePrerelease: true })) {
    return {
      ok: false,
      problems: [
        {
          code: 'PLUGIN_SDK_VERSION_MISMATCH',
          message: `Connector package ${where} requires @llmproxy/connector-sdk ${manifest.sdk}, but the installed version is ${sdkVersion}.`,
          fix: `Install a release of ${installed.name} built for @llmproxy/connector-sdk ${sdkVersion} (npm install ${installed.name}@latest), or a release of @llmproxy/core whose SDK satisfies ${manifest.sdk}.`,
        },
      ],
    };
  }

  const seenIds = new Set<string>();
  const connectors = manifest.connectors.map((declaration): ConnectorEntryCheck => {
    if (seenIds.has(declaration.id)) {
      return {
        ok: false,
        declaration,
        problem: {
          code: 'PLUGIN_CONNECTOR_DUPLICATE',
          message: `Connector package ${where} declares connector id "${declaration.id}" more than once; only the first is used.`,
          fix: `Give each connector in ${installed.name}'s manifest its own id.`,
        },
      };
    }
    seenIds.add(declaration.id);
    return checkEntry(installed, declaration, where);
  });
  return { ok: true, sdkRange: manifest.sdk, connectors };
}

function checkEntry(installed: InstalledPluginPackage, declaration: ConnectorDeclaration, where: string): ConnectorEntryCheck {
  const notExported = (detail: string): ConnectorEntryCheck => ({
    ok: false,
    declaration,
    problem: {
      code: 'PLUGIN_ENTRY_NOT_EXPORTED',
      message: `Connector "${declaration.id}" of package ${where} names entry "${declaration.entry}", which ${detail}.`,
      fix: `Add "${declaration.entry}" to the "exports" of ${installed.name}'s package.json, pointing at the module whose default export is the connector definition.`,
    },
  });
  if (installed.packageJson.exports === undefined) return notExported('cannot be exported: the package has no "exports" field');
  let targets: string[] | void;
  try {
    targets = resolveExportsTarget({ ...installed.packageJson, name: installed.name }, declaration.entry);
  } catch {
    return notExported('is not in its "exports"');
  }
  const target = targets?.[0];
  if (target === undefined) return notExported('is not in its "exports"');

  const entryFile = path.resolve(installed.directory, target);
  const relative = path.relative(installed.directory, entryFile);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return notExported(`is exported as "${target}", outside the package`);
  }
  if (!existsSync(entryFile)) {
    return {
      ok: false,
      declaration,
      problem: {
        code: 'PLUGIN_ENTRY_FILE_MISSING',
        message: `Connector "${declaration.id}" of package ${where}: entry "${declaration.entry}" is exported as ${target}, but ${entryFile} does not exist.`,
        fix: `Build ${installed.name} (its published files must include ${target}), or reinstall it.`,
      },
    };
  }
  return { ok: true, declaration, entryFile };
}
