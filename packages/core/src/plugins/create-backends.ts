/**
 * @fileoverview Turns loaded connector definitions into named backends: one per connector that
 * creates a default backend, plus one per `backends.<name>` in the config. A backend that cannot
 * be created is reported on its own; the others still start.
 */
import { LlmProxyError, type Connector, type ConnectorContext, type ConnectorDefinition } from '@llmproxy/connector-sdk';
import type { AccessMode, BackendConfig } from '../config/proxy-settings.js';
import { KNOWN_OAUTH_CONNECTORS, OAUTH_CONNECTORS_PACKAGE } from '../config/oauth-connector-ids.js';
import { coreWireCodecs } from '../protocols/wire-codecs.js';
import type { Backend } from './backend-registry.js';
import {
  OAUTH_CONNECTOR_NOT_ALLOWED,
  isOAuthConnector,
  isOAuthConnectorId,
  staticCredentialAlternative,
} from './oauth-connector-gate.js';
import { OAUTH_CONNECTOR_OPT_IN_REQUIRED, OPT_IN_CONFIG_KEY, optInRequirement, optInSource } from './oauth-opt-in.js';
import type { BackendOrigin, BackendReport, ConnectorReport } from './plugin-report.js';
import { createWireDebugHttpClient } from './wire-debug-http-client.js';
import { TimeoutExceededError, withTimeout } from './with-timeout.js';

/** A connector that passed every check and was imported. */
export interface LoadedConnector {
  definition: ConnectorDefinition;
  packageName: string;
}

export interface CreateBackendsOptions {
  /** Loaded connectors by id, in discovery order. */
  loadedConnectors: ReadonlyMap<string, LoadedConnector>;
  /** Every connector core saw, including skipped and failed ones, to explain a missing type. */
  connectorReports: readonly ConnectorReport[];
  backendConfigs: Readonly<Record<string, BackendConfig>>;
  accessMode: AccessMode;
  /** Connector ids given as `--enable-<id>-backend-debugging-override`. */
  oauthDebuggingOverrides?: readonly string[];
  createContext(backendName: string, connectorId: string, config: Record<string, unknown>): ConnectorContext;
  timeoutMs: number;
}

export interface CreatedBackends {
  backends: Backend[];
  reports: BackendReport[];
}

interface BackendPlan {
  name: string;
  connectorId: string;
  origin: BackendOrigin;
  config: Record<string, unknown>;
}

type BackendOutcome = { ok: true; backend: Backend; report: BackendReport } | { ok: false; report: BackendReport };

/** Creates every planned backend concurrently; results keep plan order. */
export async function createBackends(options: CreateBackendsOptions): Promise<CreatedBackends> {
  const outcomes = await Promise.all(planBackends(options).map((plan) => createBackend(plan, options)));
  return {
    backends: outcomes.flatMap((outcome) => (outcome.ok ? [outcome.backend] : [])),
    reports: outcomes.map((outcome) => outcome.report),
  };
}

/** Default backends first (unless the config declares a backend of the same name), then the config's. */
function planBackends(options: CreateBackendsOptions): BackendPlan[] {
  const plans: BackendPlan[] = [];
  for (const [connectorId, loaded] of options.loadedConnectors) {
    if (!loaded.definition.createsDefaultBackend || Object.hasOwn(options.backendConfigs, connectorId)) continue;
    plans.push({ name: connectorId, connectorId, origin: 'default', config: {} });
  }
  for (const [name, backendConfig] of Object.entries(options.backendConfigs)) {
    const { type, ...config } = backendConfig;
    plans.push({ name, connectorId: typeof type === 'string' ? type : name, origin: 'yaml', config });
  }
  return plans;
}

async function createBackend(plan: BackendPlan, options: CreateBackendsOptions): Promise<BackendOutcome> {
  const base = { name: plan.name, connectorId: plan.connectorId, origin: plan.origin };
  const failed = (code: string, reason: string, fix: string): BackendOutcome => ({
    ok: false,
    report: { ...base, status: 'failed', code, reason, fix },
  });
  const where = plan.origin === 'yaml' ? `Backend "${plan.name}" (backends.${plan.name})` : `Backend "${plan.name}"`;

  const loaded = options.loadedConnectors.get(plan.connectorId);
  if (loaded === undefined) {
    const unresolved = explainMissingConnector(plan, where, options);
    return failed(unresolved.code, unresolved.reason, unresolved.fix);
  }

  // A personal-credential connector is not even created (so it reads no credentials) until opted in.
  const { [OPT_IN_CONFIG_KEY]: _optIn, ...connectorConfig } = plan.config;
  let optedInBy: string | undefined;
  if (options.accessMode === 'single_user' && isOAuthConnector(loaded.definition)) {
    optedInBy = optInSource(plan.connectorId, plan.name, plan.config, options.oauthDebuggingOverrides ?? []);
    if (optedInBy === undefined) {
      const { reason, fix } = optInRequirement(plan.connectorId, plan.name, loaded.definition.optInNotice);
      return { ok: false, report: { ...base, status: 'needs-opt-in', code: OAUTH_CONNECTOR_OPT_IN_REQUIRED, reason, fix } };
    }
  }

  let connector: Connector;
  try {
    const context = completeContext(options.createContext(plan.name, plan.connectorId, connectorConfig), optedInBy);
    if (optedInBy !== undefined) {
      context.logger.warn(
        `Backend ${plan.name} (OAuth connector ${plan.connectorId}) is opted in by ${optedInBy}: it uses personal credentials at your own risk, and its wire-level debug log is on (credentials redacted)`,
      );
    }
    connector = await withTimeout(Promise.resolve(loaded.definition.create(context)), options.timeoutMs);
  } catch (error) {
    if (error instanceof TimeoutExceededError) {
      return failed(
        'BACKEND_CREATE_TIMEOUT',
        `${where}: connector "${plan.connectorId}" (package ${loaded.packageName}) did not finish create() within ${options.timeoutMs} ms.`,
        `Check what the connector waits for at start-up (network, credentials file); report it to the author of ${loaded.packageName}.`,
      );
    }
    return failed(
      'BACKEND_CREATE_FAILED',
      `${where}: connector "${plan.connectorId}" (package ${loaded.packageName}) failed to start: ${LlmProxyError.is(error) ? error.summary : error instanceof Error ? error.message : String(error)}`,
      LlmProxyError.is(error) && error.fix !== undefined
        ? error.fix
        : `Check backends.${plan.name} in the config and the connector's documentation.`,
    );
  }
  if (typeof connector?.chat !== 'function' || typeof connector.listModels !== 'function') {
    return failed(
      'BACKEND_CREATE_FAILED',
      `${where}: connector "${plan.connectorId}" (package ${loaded.packageName}) returned something that is not a connector from create() (it needs chat() and listModels()).`,
      `Report this to the author of ${loaded.packageName}.`,
    );
  }
  return {
    ok: true,
    backend: {
      name: plan.name,
      connectorId: plan.connectorId,
      packageName: loaded.packageName,
      hasStaticCredentials: loaded.definition.hasStaticCredentials,
      connector,
    },
    report: { ...base, status: 'ready', ...(optedInBy === undefined ? {} : { optedInBy }) },
  };
}

/**
 * Adds what core gives every connector whatever the caller built: the wire codecs, and for an
 * opted-in OAuth backend an HTTP client that writes the wire-level debug log.
 */
function completeContext(context: ConnectorContext, optedInBy: string | undefined): ConnectorContext {
  return {
    ...context,
    codecs: context.codecs ?? coreWireCodecs,
    ...(optedInBy === undefined ? {} : { http: createWireDebugHttpClient(context.http, context.logger) }),
  };
}

function explainMissingConnector(
  plan: BackendPlan,
  where: string,
  options: CreateBackendsOptions,
): { code: string; reason: string; fix: string } {
  const connectorReport = options.connectorReports.find((report) => report.id === plan.connectorId);
  const gated =
    connectorReport?.code === OAUTH_CONNECTOR_NOT_ALLOWED ||
    (connectorReport === undefined && options.accessMode === 'multi_user' && isOAuthConnectorId(plan.connectorId));
  if (gated) {
    return {
      code: OAUTH_CONNECTOR_NOT_ALLOWED,
      reason: `${where} uses connector "${plan.connectorId}", an OAuth connector, which is not available in Multi User Mode (OAuth not allowed in production).`,
      fix: `${staticCredentialAlternative(plan.connectorId)}, or remove backends.${plan.name} from the config.`,
    };
  }
  if (connectorReport !== undefined) {
    return {
      code: 'BACKEND_CONNECTOR_UNAVAILABLE',
      reason: `${where} uses connector "${plan.connectorId}", which did not load: ${connectorReport.reason ?? connectorReport.status}`,
      fix: connectorReport.fix ?? 'See `llm-proxy connectors list`.',
    };
  }
  const loadedIds = [...options.loadedConnectors.keys()];
  const fix = Object.hasOwn(KNOWN_OAUTH_CONNECTORS, plan.connectorId)
    ? `Run npm install ${OAUTH_CONNECTORS_PACKAGE} to add it, then restart llm-proxy.`
    : `Set backends.${plan.name}.type to one of the loaded connectors (${loadedIds.join(', ') || 'none'}), or install the package that provides "${plan.connectorId}".`;
  return {
    code: 'BACKEND_CONNECTOR_NOT_FOUND',
    reason: `${where} uses connector "${plan.connectorId}", which no installed connector package provides.`,
    fix,
  };
}
