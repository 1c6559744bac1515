/**
 * @fileoverview Renders `llm-proxy config explain`: every effective setting with its source and
 * where it came from, the resolved access mode, and the verdict of each access-mode rule.
 * Secret values (API keys) are never shown: only how many there are, or that one is generated.
 */
import { describeCallerMap, describeCallerSettings, describePrices } from '../callers/describe-caller-settings.js';
import type { AccessModeRuleResult } from '../access-mode/access-mode-rules.js';
import { ACCESS_MODE_NAMES } from '../access-mode/describe-access-mode.js';
import type { ResolvedSettings } from '../config/proxy-settings.js';
import type { SettingDefinition } from '../config/define-setting.js';
import { SETTING_DEFINITIONS } from '../config/settings-table.js';

/** `connectorLock`: the lines of the connector lock section, when the caller inspected the packages. */
export function formatConfigExplanation(
  settings: ResolvedSettings,
  rules: readonly AccessModeRuleResult[],
  connectorLock: readonly string[] = [],
): string {
  const { values } = settings;
  const lines: string[] = [];

  lines.push(`Configuration file: ${values.configFile ?? '(none)'} (${originOf(settings, 'config')})`);
  lines.push(
    `Access mode: ${ACCESS_MODE_NAMES[values.accessMode]} (${values.accessMode}, ${describeSource(settings, 'access_mode.mode')})`,
  );

  lines.push('', 'Settings:');
  const rows = SETTING_DEFINITIONS.map((definition) => [
    definition.name,
    displayValue(settings, definition),
    describeSource(settings, definition.name),
  ]);
  lines.push(...alignColumns([['setting', 'value', 'source'], ...rows]).map((line) => `  ${line}`));

  if (connectorLock.length > 0) lines.push('', ...connectorLock);

  lines.push('', 'Access mode rules:');
  const verdictWidth = Math.max(...rules.map((rule) => rule.verdict.length));
  for (const rule of rules) {
    lines.push(`  ${rule.verdict.toUpperCase().padEnd(verdictWidth)}  ${rule.title}`);
    if (rule.error !== undefined) lines.push(`  ${' '.repeat(verdictWidth)}    ${rule.error.message} [${rule.error.code}]`);
  }

  const failing = rules.filter((rule) => rule.verdict === 'fail').length;
  lines.push(
    '',
    failing === 0
      ? 'Result: every access-mode rule passes; llm-proxy would start with these settings.'
      : `Result: ${failing} access-mode rule${failing === 1 ? '' : 's'} fail${failing === 1 ? 's' : ''}; llm-proxy would refuse to start.`,
  );
  return `${lines.join('\n')}\n`;
}

function displayValue(settings: ResolvedSettings, definition: SettingDefinition<unknown>): string {
  const value = definition.effectiveValue(settings.values);
  if (definition.secret) {
    if (settings.generatedApiKey !== undefined) return '(generated at startup)';
    const count = Array.isArray(value) ? value.length : 0;
    return count === 0 ? '(none)' : `${count} key${count === 1 ? '' : 's'}`;
  }
  switch (definition.name) {
    case 'server.body_limit':
      return `${String(value)} bytes`;
    case 'backends': {
      // Backend slices may hold credentials: show names and connector types only.
      const entries = Object.entries(settings.values.backends);
      if (entries.length === 0) return '(none)';
      return entries.map(([name, backend]) => `${name} (${backend.type ?? name})`).join(', ');
    }
    case 'sso.providers': {
      // Names and issuers only: the rest is detail, and secrets are never in the settings.
      const providers = settings.values.sso.providers ?? [];
      if (providers.length === 0) return '(none)';
      return providers.map((provider) => `${provider.id} (${provider.issuer === '' ? 'no issuer' : provider.issuer})`).join(', ');
    }
    case 'caller_defaults':
      return describeCallerSettings(settings.values.callers.defaults);
    case 'callers':
      return describeCallerMap(settings.values.callers.byId);
    case 'caller_groups':
      return describeCallerMap(settings.values.callers.byGroup);
    case 'prices':
      return describePrices(settings.values.prices);
    default:
      return formatPlain(value);
  }
}

function formatPlain(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (value === undefined) return '(none)';
  return String(value);
}

/** `cli (--host)`, `env (LLM_PROXY_PORT)`, `yaml (port in /srv/llm-proxy.yaml)`, `default`, `auto (...)`. */
function describeSource(settings: ResolvedSettings, name: string): string {
  const source = settings.sources[name] ?? 'default';
  const origin = originOf(settings, name).replace(/^auto: /, '');
  return origin === source ? source : `${source} (${origin})`;
}

function originOf(settings: ResolvedSettings, name: string): string {
  return settings.origins?.[name] ?? settings.sources[name] ?? 'default';
}

function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
