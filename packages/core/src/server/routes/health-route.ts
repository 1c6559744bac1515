/**
 * @fileoverview `GET /internal/health`. Anyone may read whether the proxy is up, its version,
 * uptime and access mode; the loaded connector packages and their versions, the loaded backends,
 * and the packages refused by the connector lock and connectors that were skipped or failed are
 * shown only to an authenticated client. Nothing here is a secret either way.
 */
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import type { ProxySettings } from '../../config/proxy-settings.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import type { PluginReport } from '../../plugins/plugin-report.js';
import { requestContextOf } from '../request-context.js';

export interface HealthRouteOptions {
  settings: Readonly<ProxySettings>;
  registry: BackendRegistry;
  report: PluginReport;
  version: string;
}

export function healthRoute(options: HealthRouteOptions): RequestHandler {
  const { settings, registry, report, version } = options;
  const startedAt = performance.now();
  return (_request, response) => {
    const basics = {
      status: 'ok',
      version,
      uptime_seconds: Math.floor((performance.now() - startedAt) / 1000),
      access_mode: settings.accessMode,
      ...(settings.sso.enabled ? { sso: 'enabled' } : {}),
    };
    if (!requestContextOf(response).authenticated) {
      response.json(basics);
      return;
    }
    response.json({
      ...basics,
      // What code is running in the process: the packages whose connectors were imported.
      packages: report.packages
        .filter((packageReport) => packageReport.status === 'loaded')
        .map((packageReport) => ({
          name: packageReport.name,
          version: packageReport.version ?? null,
          source: packageReport.source,
          ...(packageReport.lock === undefined ? {} : { lock: packageReport.lock.verdict }),
        })),
      ...(report.lock === undefined
        ? {}
        : { connector_lock: { file: report.lock.path, status: report.lock.status, required: report.lock.required, enforced: report.lock.enforced } }),
      refused_packages: report.packages
        .filter((packageReport) => packageReport.status === 'refused')
        .map((packageReport) => ({
          name: packageReport.name,
          version: packageReport.version ?? null,
          verdict: packageReport.lock?.verdict,
          problems: packageReport.problems.map((problem) => ({ code: problem.code, message: problem.message })),
        })),
      backends: registry.list().map((backend) => ({
        name: backend.name,
        connector: backend.connectorId,
        package: backend.packageName,
        has_static_credentials: backend.hasStaticCredentials,
        // Each key's state by number (active, resting, retired), never a value.
        ...(backend.connector.describeCredentials === undefined ? {} : { credentials: backend.connector.describeCredentials() }),
      })),
      opt_in_required_backends: report.backends
        .filter((backend) => backend.status === 'needs-opt-in')
        .map((backend) => ({ name: backend.name, connector: backend.connectorId, code: backend.code })),
      failed_backends: report.backends
        .filter((backend) => backend.status === 'failed')
        .map((backend) => ({ name: backend.name, connector: backend.connectorId, code: backend.code, reason: backend.reason })),
      skipped_connectors: report.connectors
        .filter((connector) => connector.status === 'skipped')
        .map((connector) => ({ id: connector.id, package: connector.packageName, code: connector.code, reason: connector.reason })),
      failed_connectors: report.connectors
        .filter((connector) => connector.status === 'failed')
        .map((connector) => ({ id: connector.id, package: connector.packageName, code: connector.code, reason: connector.reason })),
      failed_packages: report.packages
        .filter((packageReport) => packageReport.status === 'failed' || packageReport.status === 'invalid' || packageReport.status === 'not-installed')
        .map((packageReport) => ({
          name: packageReport.name,
          status: packageReport.status,
          problems: packageReport.problems.map((problem) => ({ code: problem.code, message: problem.message })),
        })),
    });
  };
}
