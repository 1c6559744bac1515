/**
 * @fileoverview Startup checks of caller settings that no schema can see: budgets need usage
 * recording (they are summed from it), and `api-key#<n>` must name one of the configured keys.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { CallerSettings, ProxySettings } from '../config/proxy-settings.js';

/** The YAML key of the first caller setting that sets a budget, or undefined when none does. */
export function firstBudgetSetting(callers: ProxySettings['callers']): string | undefined {
  const entries: [string, CallerSettings][] = [
    ['caller_defaults', callers.defaults],
    ...Object.entries(callers.byGroup).map(([group, value]): [string, CallerSettings] => [`caller_groups.${group}`, value]),
    ...Object.entries(callers.byId).map(([id, value]): [string, CallerSettings] => [`callers.${id}`, value]),
  ];
  return entries.find(([, value]) => (value.budgets?.length ?? 0) > 0)?.[0];
}

/** Throws LlmProxyError CALLER_BUDGETS_NEED_USAGE or CALLER_KEY_UNKNOWN. */
export function checkCallerSettings(settings: Readonly<ProxySettings>): void {
  const { callers } = settings;
  const withBudget = firstBudgetSetting(callers);
  if (withBudget !== undefined && !settings.usage.enabled) {
    throw new LlmProxyError({
      code: 'CALLER_BUDGETS_NEED_USAGE',
      message: `${withBudget} sets a budget, but usage recording is off, and budgets are summed from the usage records`,
      currentValue: 'usage.enabled: false',
      fix: 'Turn usage on (remove --disable-usage, or set usage.enabled: true), or remove the budgets',
    });
  }
  if (settings.auth.disabled) return;
  const keyCount = settings.auth.apiKeys.length;
  for (const id of Object.keys(callers.byId)) {
    const match = /^api-key#(\d+)$/.exec(id);
    if (match !== null && Number(match[1]) > keyCount) {
      throw new LlmProxyError({
        code: 'CALLER_KEY_UNKNOWN',
        message: `callers.${id} names key ${match[1]}, but auth.api_keys has ${keyCount} key${keyCount === 1 ? '' : 's'}`,
        currentValue: `${keyCount} keys in auth.api_keys`,
        fix: `Use api-key#1 to api-key#${Math.max(keyCount, 1)} (the position of the key in auth.api_keys, from 1), or add the key`,
      });
    }
  }
}
