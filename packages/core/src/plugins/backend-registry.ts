/**
 * @fileoverview The frozen set of backends a proxy process serves, and the one place that
 * explains why a backend name is not among them (unknown, gated in Multi User Mode, failed to
 * start, or provided by a package that is not installed).
 */
import { LlmProxyError, type Connector } from '@llmproxy/connector-sdk';
import type { AccessMode } from '../config/proxy-settings.js';
import { KNOWN_OAUTH_CONNECTORS, OAUTH_CONNECTORS_PACKAGE } from '../config/oauth-connector-ids.js';
import { OAUTH_CONNECTOR_NOT_ALLOWED, isOAuthConnectorId, staticCredentialAlternative } from './oauth-connector-gate.js';
import { optInRequiredError } from './oauth-opt-in.js';
import type { PluginReport } from './plugin-report.js';

/** One named backend: a connector instance with its own config slice. */
export interface Backend {
  /** The name clients use as the model prefix (`name:model`). */
  name: string;
  connectorId: string;
  /** The package that provides the connector. */
  packageName: string;
  hasStaticCredentials: boolean;
  connector: Connector;
}

export interface BackendRegistry {
  get(name: string): Backend | undefined;
  list(): readonly Backend[];
  /**
   * The error for a backend name that is not registered: code BACKEND_NOT_FOUND, status 404,
   * message beginning `Backend not found` and listing the available backends, with the reason
   * when core knows it (not available in Multi User Mode, configured but failed, package not
   * installed). A personal-credential (OAuth) backend that waits for opt-in is not registered
   * either: for it this is `OAUTH_CONNECTOR_OPT_IN_REQUIRED`, status 403, naming the vendor's
   * terms, the risk and the flag that opts in.
   */
  notFoundError(name: string): LlmProxyError;
}

export interface CreateBackendRegistryOptions {
  backends: readonly Backend[];
  report: PluginReport;
  accessMode: AccessMode;
}

export function createBackendRegistry(options: CreateBackendRegistryOptions): BackendRegistry {
  const backends = Object.freeze(options.backends.map((backend) => Object.freeze({ ...backend })));
  const byName = new Map(backends.map((backend) => [backend.name, backend]));
  const { report, accessMode } = options;

  return Object.freeze({
    get: (name: string) => byName.get(name),
    list: () => backends,
    notFoundError: (name: string) => backendNotFoundError(name, [...byName.keys()], report, accessMode),
  });
}

function backendNotFoundError(
  name: string,
  availableNames: readonly string[],
  report: PluginReport,
  accessMode: AccessMode,
): LlmProxyError {
  const available =
    availableNames.length > 0 ? `Available backends: ${availableNames.join(', ')}.` : 'No backends are available.';
  const waitingBackend = report.backends.find((backend) => backend.name === name && backend.status === 'needs-opt-in');
  if (waitingBackend !== undefined) {
    return optInRequiredError(name, waitingBackend.connectorId, waitingBackend.reason ?? '', waitingBackend.fix ?? '');
  }
  const failedBackend = report.backends.find((backend) => backend.name === name && backend.status === 'failed');
  const declared = report.connectors.find((candidate) => candidate.id === name);
  const connector = declared?.status === 'loaded' ? undefined : declared;
  const error = (message: string, fix: string): LlmProxyError =>
    new LlmProxyError({
      code: 'BACKEND_NOT_FOUND',
      message: `Backend not found: ${message} ${available}`,
      fix,
      httpStatus: 404,
      details: { backend: name, availableBackends: [...availableNames] },
    });

  const gated =
    failedBackend?.code === OAUTH_CONNECTOR_NOT_ALLOWED ||
    connector?.code === OAUTH_CONNECTOR_NOT_ALLOWED ||
    isOAuthConnectorId(name);
  if (accessMode === 'multi_user' && gated) {
    const connectorId = failedBackend?.connectorId ?? name;
    const subject =
      connectorId === name ? `"${name}" is an OAuth connector` : `"${name}" uses the OAuth connector "${connectorId}"`;
    return error(
      `${subject} and is not available in Multi User Mode (OAuth not allowed in production).`,
      `${staticCredentialAlternative(connectorId)}.`,
    );
  }
  if (failedBackend !== undefined) {
    return error(
      `"${name}" is configured but did not start: ${failedBackend.reason ?? 'unknown reason'}`,
      failedBackend.fix ?? 'See `llm-proxy connectors list`.',
    );
  }
  if (connector?.status === 'needs-config') {
    return error(`"${name}" is a connector that serves requests only once configured.`, connector.fix ?? '');
  }
  if (connector !== undefined) {
    return error(`connector "${name}" did not load: ${connector.reason ?? connector.status}`, connector.fix ?? '');
  }
  if (Object.hasOwn(KNOWN_OAUTH_CONNECTORS, name) && declared === undefined) {
    return error(
      `"${name}" is provided by ${OAUTH_CONNECTORS_PACKAGE}, which is not installed.`,
      `Run npm install ${OAUTH_CONNECTORS_PACKAGE} to add it, then restart llm-proxy.`,
    );
  }
  return error(
    `"${name}".`,
    `Prefix the model with one of the available backends (backend:model), or declare "${name}" under backends in the config.`,
  );
}
