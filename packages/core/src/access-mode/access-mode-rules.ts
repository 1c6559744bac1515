/**
 * @fileoverview The startup validation rules of the access modes. Each rule's error begins with
 * the sentence users search for (kept verbatim from the access-mode reference), then says what
 * the current configuration is and how to fix it.
 *
 * Every rule is evaluated, so one run reports every problem; `llm-proxy config explain` shows the
 * verdict of each.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { isLoopbackHost } from '../config/is-loopback-host.js';
import { debuggingOverrideFlag } from '../config/oauth-connector-ids.js';
import type { AccessMode, ResolvedSettings } from '../config/proxy-settings.js';
import { throwStartupErrors } from '../config/startup-errors.js';
import { ssoProviderProblems } from '../sso/sso-provider-problems.js';

export type AccessModeRuleVerdict = 'pass' | 'fail' | 'not applicable';

export interface AccessModeRuleResult {
  /** Stable id of the rule. */
  id: string;
  /** The rule in words. */
  title: string;
  verdict: AccessModeRuleVerdict;
  /** Present when the verdict is `fail`. */
  error?: LlmProxyError;
}

interface AccessModeRule {
  id: string;
  title: string;
  /** Modes the rule applies to. */
  modes: readonly AccessMode[];
  /** The failure, or undefined when the settings satisfy the rule. */
  check(settings: ResolvedSettings): LlmProxyError | undefined;
}

const MULTI_USER_ONLY = 'OAuth connectors are blocked in production deployments';

const RULES: readonly AccessModeRule[] = [
  {
    id: 'single-user-host',
    title: 'Single User Mode: host must be 127.0.0.1',
    modes: ['single_user'],
    check(settings) {
      const { host } = settings.values;
      if (host === '127.0.0.1') return undefined;
      return new LlmProxyError({
        code: 'ACCESS_MODE_HOST_NOT_ALLOWED',
        message: 'Single User Mode requires binding to 127.0.0.1 only',
        currentValue: `host ${host} (from ${origin(settings, 'host')}), access mode single_user (from ${origin(settings, 'access_mode.mode')})`,
        fix: 'Use --multi-user-mode for remote access (with --api-keys), or bind to 127.0.0.1 with --host 127.0.0.1',
        details: { host },
      });
    },
  },
  {
    // The metrics port has no authentication: in Single User Mode it stays on this machine, as the proxy does.
    id: 'single-user-metrics-host',
    title: 'Single User Mode: a metrics port must bind 127.0.0.1',
    modes: ['single_user'],
    check(settings) {
      const { port, host } = settings.values.metrics;
      if (port === undefined || host === '127.0.0.1') return undefined;
      return new LlmProxyError({
        code: 'METRICS_HOST_NOT_ALLOWED',
        message: 'Single User Mode serves its metrics port on 127.0.0.1 only: the port has no authentication',
        currentValue: `metrics.host ${host} (from ${origin(settings, 'metrics.host')}), metrics.port ${port}, access mode single_user (from ${origin(settings, 'access_mode.mode')})`,
        fix: 'Bind the metrics port to 127.0.0.1 (--metrics-host 127.0.0.1), or use --multi-user-mode behind a firewall that admits only the scraper',
        details: { host },
      });
    },
  },
  {
    id: 'multi-user-authentication',
    title: 'Multi User Mode: a non-localhost host requires authentication (API keys or SSO)',
    modes: ['multi_user'],
    check(settings) {
      const { host, auth, sso } = settings.values;
      if (isLoopbackHost(host)) return undefined;
      // Fail closed: authentication "enabled" with an empty key list protects nothing.
      const authenticated = !auth.disabled && (auth.apiKeys.length > 0 || sso.enabled);
      if (authenticated) return undefined;
      const authState = auth.disabled
        ? `authentication disabled (from ${origin(settings, 'auth.disable_auth')})`
        : `no API keys configured (${origin(settings, 'auth.api_keys')}), SSO off`;
      return new LlmProxyError({
        code: 'ACCESS_MODE_AUTH_REQUIRED',
        message: 'Multi User Mode requires authentication when binding to non-localhost addresses',
        currentValue: `host ${host} (from ${origin(settings, 'host')}), ${authState}`,
        fix:
          'Enable authentication via API keys or SSO: --api-keys key1,key2, LLM_PROXY_API_KEYS or auth.api_keys in YAML' +
          (auth.disabled ? ', and remove --disable-auth / auth.disable_auth / LLM_PROXY_DISABLE_AUTH' : '') +
          '. Or bind to 127.0.0.1',
        details: { host },
      });
    },
  },
  {
    id: 'multi-user-oauth-debugging-flags',
    title: 'Multi User Mode: OAuth debugging override flags are rejected',
    modes: ['multi_user'],
    check(settings) {
      const flags = settings.values.oauthDebuggingOverrides.map(debuggingOverrideFlag);
      if (flags.length === 0) return undefined;
      return new LlmProxyError({
        code: 'ACCESS_MODE_OAUTH_DEBUGGING_FLAGS_REJECTED',
        message: `OAuth debugging override flags are not allowed in Multi User Mode: ${flags.join(', ')}. ${MULTI_USER_ONLY}`,
        currentValue: `access mode multi_user (from ${origin(settings, 'access_mode.mode')})`,
        fix: `Remove ${flags.length === 1 ? 'the flag' : 'these flags'}, or use ${flags.length === 1 ? 'it' : 'them'} in Single User Mode (--single-user-mode) on 127.0.0.1`,
        details: { flags },
      });
    },
  },
  {
    id: 'multi-user-oauth-auto-replacement',
    title: 'Multi User Mode: --allow-oauth-auto-replacement is rejected',
    modes: ['multi_user'],
    check(settings) {
      if (!settings.values.allowOauthAutoReplacement) return undefined;
      return new LlmProxyError({
        code: 'ACCESS_MODE_OAUTH_AUTO_REPLACEMENT_REJECTED',
        message: `OAuth auto-replacement (--allow-oauth-auto-replacement) is not allowed in Multi User Mode. ${MULTI_USER_ONLY}`,
        currentValue: `access mode multi_user (from ${origin(settings, 'access_mode.mode')})`,
        fix: 'Remove --allow-oauth-auto-replacement, or use it in Single User Mode (--single-user-mode) on 127.0.0.1',
      });
    },
  },
  {
    id: 'multi-user-notifications',
    title: 'Multi User Mode: desktop notifications must be off',
    modes: ['multi_user'],
    check(settings) {
      if (!settings.values.notifications.enabled) return undefined;
      const automatic = settings.sources['notifications.enabled'] === 'auto';
      return new LlmProxyError({
        code: 'ACCESS_MODE_NOTIFICATIONS_REJECTED',
        message:
          'Desktop notifications are not allowed in Multi User Mode. Multi User Mode is for dedicated servers, not desktop computers',
        currentValue: `notifications enabled (${automatic ? '' : 'from '}${origin(settings, 'notifications.enabled')})`,
        fix:
          'Use --disable-notifications (or notifications.enabled: false in YAML, or LLM_PROXY_ENABLE_NOTIFICATIONS=false) or switch to Single User Mode' +
          (automatic ? '. On a loopback host, leaving notifications unset is not enough: they are on automatically' : ''),
      });
    },
  },
  {
    id: 'sso-providers',
    title: 'SSO: at least one OpenID Connect provider is configured when SSO is enabled',
    modes: ['single_user', 'multi_user'],
    check(settings) {
      const { sso } = settings.values;
      if (!sso.enabled || (sso.providers ?? []).length > 0) return undefined;
      return new LlmProxyError({
        code: 'SSO_NO_PROVIDERS',
        message: 'SSO is enabled but no OpenID Connect provider is configured',
        currentValue: `sso.enabled true (from ${origin(settings, 'sso.enabled')}), sso.providers empty (${origin(settings, 'sso.providers')})`,
        fix:
          'Add a provider under sso.providers in the YAML file, e.g. "sso: { providers: { keycloak: { issuer: https://keycloak.example.com/realms/acme, ' +
          'client_id: llm-proxy, client_secret_env: KEYCLOAK_CLIENT_SECRET, allowed_users: { email_domains: [example.com] } } } }" (see docs/sso.md), ' +
          'or turn SSO off by removing --sso-enabled, sso.enabled and LLM_PROXY_SSO_ENABLED',
      });
    },
  },
  {
    id: 'sso-provider-settings',
    title: 'SSO: every provider has an issuer (https, or http on loopback), a client id, a client secret source and allowed users',
    modes: ['single_user', 'multi_user'],
    check(settings) {
      const { sso } = settings.values;
      if (!sso.enabled) return undefined;
      const problems = (sso.providers ?? []).flatMap(ssoProviderProblems);
      if (problems.length === 0) return undefined;
      return new LlmProxyError({
        code: 'SSO_PROVIDER_INVALID',
        message: `SSO provider settings are incomplete: ${problems.map((problem) => `${problem.key} ${problem.problem}`).join('; ')}`,
        currentValue: `sso.providers (${origin(settings, 'sso.providers')})`,
        fix: `${[...new Set(problems.map((problem) => problem.fix))].join('. ')}. See docs/sso.md`,
        details: { keys: problems.map((problem) => problem.key) },
      });
    },
  },
  {
    id: 'sso-authentication-on',
    title: 'SSO: client authentication must not be disabled while SSO is enabled',
    modes: ['single_user', 'multi_user'],
    check(settings) {
      const { sso, auth } = settings.values;
      if (!sso.enabled || !auth.disabled) return undefined;
      return new LlmProxyError({
        code: 'SSO_AUTH_DISABLED',
        message: 'SSO cannot be enabled while client authentication is disabled',
        currentValue: `sso.enabled true (from ${origin(settings, 'sso.enabled')}), auth.disable_auth true (from ${origin(settings, 'auth.disable_auth')})`,
        fix: 'Remove --disable-auth / auth.disable_auth / LLM_PROXY_DISABLE_AUTH so SSO tokens are required, or turn SSO off',
      });
    },
  },
];

/** The verdict of every rule for these settings. */
export function evaluateAccessModeRules(settings: ResolvedSettings): AccessModeRuleResult[] {
  return RULES.map((rule) => {
    if (!rule.modes.includes(settings.values.accessMode)) {
      return { id: rule.id, title: rule.title, verdict: 'not applicable' };
    }
    const error = rule.check(settings);
    return error === undefined
      ? { id: rule.id, title: rule.title, verdict: 'pass' }
      : { id: rule.id, title: rule.title, verdict: 'fail', error };
  });
}

/** Throws every failing rule's error (an AggregateError when several fail). */
export function validateAccessMode(settings: ResolvedSettings): void {
  throwStartupErrors(
    evaluateAccessModeRules(settings).flatMap((result) => (result.error === undefined ? [] : [result.error])),
  );
}

function origin(settings: ResolvedSettings, name: string): string {
  return settings.origins?.[name] ?? settings.sources[name] ?? 'default';
}
