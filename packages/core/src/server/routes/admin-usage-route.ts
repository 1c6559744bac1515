/**
 * @fileoverview `GET /admin/usage`: usage totals as JSON for callers marked `admin: true` in
 * their caller settings; 403 for every other caller. Query: `group_by` (caller, model, day),
 * `from`, `to` (UTC days or ISO times) and `caller`.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { RequestHandler } from 'express';

import { parseUsageQuery } from '../../callers/usage-query.js';
import type { CallerAccounting } from '../caller-accounting.js';
import { ANONYMOUS_CALLER } from '../chat-metering.js';
import { requestContextOf } from '../request-context.js';
import { sendJson } from '../send-json.js';

export const ADMIN_USAGE_PATH = '/admin/usage';

export function adminUsageRoute(options: { accounting: CallerAccounting | undefined }): RequestHandler {
  const { accounting } = options;
  return async (request, response) => {
    const context = requestContextOf(response);
    const callerId = context.userId ?? ANONYMOUS_CALLER;
    const policy = accounting?.policies.policyFor(callerId, context.callerGroups);
    if (policy?.admin !== true) {
      throw new LlmProxyError({
        code: 'ADMIN_REQUIRED',
        message: `Forbidden: ${ADMIN_USAGE_PATH} is for admin callers, and ${callerId} is not one`,
        currentValue: callerId,
        fix: `Mark the caller admin in the config (callers: { "${callerId}": { admin: true } }), or use an admin key`,
        httpStatus: 403,
      });
    }
    const store = accounting?.usageStore;
    if (store === undefined) {
      throw new LlmProxyError({
        code: 'USAGE_DISABLED',
        message: 'Usage recording is off, so there is no usage to report',
        currentValue: 'usage.enabled: false',
        fix: 'Turn usage on (usage.enabled: true, LLM_PROXY_USAGE_ENABLED=true or --enable-usage)',
        httpStatus: 404,
      });
    }
    const text = (name: string): string | undefined => (typeof request.query[name] === 'string' ? request.query[name] : undefined);
    const { query, groupBy } = parseUsageQuery({ groupBy: text('group_by'), from: text('from'), to: text('to'), caller: text('caller') });
    // Records still queued are written first, so the answer includes every finished request.
    await accounting?.recorder?.flush();
    const totals = await store.totals(query, groupBy);
    sendJson(response, {
      group_by: groupBy,
      from: query.from === undefined ? null : new Date(query.from).toISOString(),
      to: query.to === undefined ? null : new Date(query.to).toISOString(),
      totals: totals.map((row) => ({
        key: row.key,
        ...(groupBy === 'caller' ? { name: accounting?.policies.policyFor(row.key).name ?? row.key } : {}),
        requests: row.requests,
        failed_requests: row.failedRequests,
        input_tokens: row.inputTokens,
        output_tokens: row.outputTokens,
        cached_input_tokens: row.cachedInputTokens,
        reasoning_tokens: row.reasoningTokens,
        cost_usd: row.costUsd,
        unpriced_requests: row.unpricedRequests,
      })),
    });
  };
}
