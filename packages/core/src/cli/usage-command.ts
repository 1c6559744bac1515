/**
 * @fileoverview `llm-proxy usage`: usage totals by caller, model or day over a date range, from
 * the database the server writes (`usage.database_file`), as a table, JSON or CSV. Works
 * whether or not the server is running (SQLite WAL lets it read while the server writes).
 * Binds no port.
 */
import fs from 'node:fs';

import { LlmProxyError } from '@llmproxy/connector-sdk';

import { CallerPolicies } from '../callers/caller-policies.js';
import { parseUsageQuery } from '../callers/usage-query.js';
import type { CommandLineArguments } from '../config/define-setting.js';
import { resolveSettings } from '../config/resolve-settings.js';
import { openSqliteUsageStore } from '../storage/sqlite-usage-store.js';
import type { UsageGrouping, UsageStore, UsageTotals } from '../storage/usage-store.js';
import type { UsageTotalsRow } from '../storage/usage-totals-sql.js';
import type { CommandEnvironment } from './command-environment.js';
import { formatStartupErrors } from './format-startup-errors.js';

export const USAGE_FORMATS = ['table', 'json', 'csv'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];

export interface UsageCommandOptions {
  by?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  caller?: string | undefined;
  format?: string | undefined;
}

/** A report row has the stores' column names; grouped by caller it also names the caller. */
interface ReportRow extends UsageTotalsRow {
  name?: string;
}

export async function usageCommand(environment: CommandEnvironment, commandLine: CommandLineArguments, options: UsageCommandOptions): Promise<number> {
  let store: UsageStore | undefined;
  try {
    const format = (options.format ?? 'table') as UsageFormat;
    if (!USAGE_FORMATS.includes(format)) {
      throw new LlmProxyError({
        code: 'CLI_ARGUMENT_INVALID',
        message: `Unknown usage format ${JSON.stringify(options.format)}`,
        currentValue: `--format ${options.format ?? ''}`,
        fix: `Use --format ${USAGE_FORMATS.join(', --format ')}`,
      });
    }
    const { query, groupBy } = parseUsageQuery({ groupBy: options.by, from: options.from, to: options.to, caller: options.caller });
    const settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    const databaseFile = settings.values.usage.databaseFile;
    const { databaseUrl } = settings.values.storage;
    let totals: UsageTotals[] = [];
    if (databaseUrl !== undefined) {
      const { openPostgresUsageStore } = await import('../storage/postgres-usage-store.js');
      store = await openPostgresUsageStore(databaseUrl);
      totals = await store.totals(query, groupBy);
    } else if (fs.existsSync(databaseFile)) {
      store = openSqliteUsageStore({ file: databaseFile, mustExist: true });
      totals = await store.totals(query, groupBy);
    } else if (format === 'table') {
      environment.stderr.write(`No usage yet: the usage database ${databaseFile} does not exist (it is created when llm-proxy starts with usage on).\n`);
    }
    const policies = new CallerPolicies(settings.values.callers);
    const rows = totals.map((total) => reportRow(total, groupBy, policies));
    environment.stdout.write(render(rows, groupBy, format));
    return 0;
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  } finally {
    await store?.close();
  }
}

function reportRow(total: UsageTotals, groupBy: UsageGrouping, policies: CallerPolicies): ReportRow {
  return {
    key: total.key,
    ...(groupBy === 'caller' ? { name: policies.policyFor(total.key).name } : {}),
    requests: total.requests,
    failed_requests: total.failedRequests,
    input_tokens: total.inputTokens,
    output_tokens: total.outputTokens,
    cached_input_tokens: total.cachedInputTokens,
    reasoning_tokens: total.reasoningTokens,
    cost_usd: total.costUsd,
    unpriced_requests: total.unpricedRequests,
  };
}

const COLUMNS = ['requests', 'failed_requests', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced_requests'] as const;

function render(rows: readonly ReportRow[], groupBy: UsageGrouping, format: UsageFormat): string {
  if (format === 'json') return `${JSON.stringify({ group_by: groupBy, totals: rows }, null, 2)}\n`;
  const head = [groupBy, ...(groupBy === 'caller' ? ['name'] : []), ...COLUMNS];
  const cells = (row: ReportRow): string[] => [
    row.key,
    ...(groupBy === 'caller' ? [row.name ?? row.key] : []),
    ...COLUMNS.map((column) => (column === 'cost_usd' ? row.cost_usd.toFixed(6) : String(row[column]))),
  ];
  if (format === 'csv') return [head, ...rows.map(cells)].map((line) => line.map(csvField).join(',')).join('\n') + '\n';
  const total: string[] = [
    'TOTAL',
    ...(groupBy === 'caller' ? [''] : []),
    ...COLUMNS.map((column) => {
      const sum = rows.reduce((accumulated, row) => accumulated + row[column], 0);
      return column === 'cost_usd' ? sum.toFixed(6) : String(sum);
    }),
  ];
  const lines = [head, ...rows.map(cells), total];
  const widths = head.map((_, index) => Math.max(...lines.map((line) => line[index]?.length ?? 0)));
  // Text columns left-aligned, numbers right-aligned.
  const textColumns = groupBy === 'caller' ? 2 : 1;
  return (
    lines
      .map((line) => line.map((cell, index) => (index < textColumns ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0))).join('  ').trimEnd())
      .join('\n') + '\n'
  );
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
