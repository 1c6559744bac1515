/**
 * @fileoverview The opt-in rule for personal-credential (OAuth) connectors in Single User Mode.
 * Such a connector reuses credentials a vendor issued to its own CLI, which the vendor's terms
 * may forbid; so it is loaded but serves nothing until the user opts in for it, by the flag
 * `--enable-<id>-backend-debugging-override` or `backends.<name>.enable_debugging_override: true`.
 * Opting in also turns on that backend's wire-level debug log.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { debuggingOverrideFlag } from '../config/oauth-connector-ids.js';

/** The error code of a request to an OAuth backend the user has not opted in to. */
export const OAUTH_CONNECTOR_OPT_IN_REQUIRED = 'OAUTH_CONNECTOR_OPT_IN_REQUIRED';

/** The YAML key, in a backend's slice, that opts that backend in. */
export const OPT_IN_CONFIG_KEY = 'enable_debugging_override';

/** Said when the connector declares no notice of its own. */
const GENERIC_NOTICE =
  'This connector reuses personal OAuth credentials that a vendor issued to its own tools, which the vendor\'s terms may not allow for third-party software.';

const RISK =
  'Requests through it may get that account rate-limited, suspended or banned by the vendor, and the vendor may stop it working at any time.';

/** Whether a backend of an OAuth connector was opted in, and by what. */
export function optInSource(
  connectorId: string,
  backendName: string,
  config: Readonly<Record<string, unknown>>,
  debuggingOverrides: readonly string[],
): string | undefined {
  if (debuggingOverrides.includes(connectorId)) return debuggingOverrideFlag(connectorId);
  if (config[OPT_IN_CONFIG_KEY] === true) return `backends.${backendName}.${OPT_IN_CONFIG_KEY}`;
  return undefined;
}

/** The sentences a client and `llm-proxy connectors list` see for a backend that needs opt-in. */
export function optInRequirement(
  connectorId: string,
  backendName: string,
  optInNotice: string | undefined,
): { reason: string; fix: string } {
  const notice = optInNotice?.trim() || GENERIC_NOTICE;
  return {
    reason: `Backend "${backendName}" (connector ${connectorId}) serves no request until you opt in. ${ensureSentence(notice)} ${RISK}`,
    fix: `To accept that risk, start llm-proxy with ${debuggingOverrideFlag(connectorId)} or set backends.${backendName}.${OPT_IN_CONFIG_KEY}: true in the config (this also turns on its wire-level debug log)`,
  };
}

/** The 403 a request to a backend that needs opt-in gets, rendered in the client's error format. */
export function optInRequiredError(backendName: string, connectorId: string, reason: string, fix: string): LlmProxyError {
  return new LlmProxyError({
    code: OAUTH_CONNECTOR_OPT_IN_REQUIRED,
    message: reason,
    fix,
    httpStatus: 403,
    details: { backend: backendName, connector: connectorId, flag: debuggingOverrideFlag(connectorId) },
  });
}

function ensureSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
