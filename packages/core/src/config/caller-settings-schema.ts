/**
 * @fileoverview The YAML of per-caller settings (`callers`, `caller_defaults`, `caller_groups`)
 * and of operator prices (`prices`): TypeBox schemas that are the rows' YAML leaves, and the
 * conversions of validated YAML into {@link CallerSettings} and {@link ModelPrice}.
 */
import { Type, type Static } from '@sinclair/typebox';

import type { BudgetPeriod, CallerSettings, ModelPrice } from './proxy-settings.js';

const closed = { additionalProperties: false } as const;

export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'month'];

/** `api-key#<n>` for the n-th static key, `<provider>:<subject>` for an SSO user. */
export const CALLER_ID_PATTERN = '^(api-key#[1-9][0-9]{0,5}|[a-z0-9][a-z0-9_-]{0,62}:\\S+)$';
export const CALLER_ID_ALLOWED =
  'a mapping of caller ids (api-key#<n> for the n-th key of auth.api_keys, <provider>:<subject> for an SSO user) to caller settings';

const positiveWhole = (description: string) => Type.Optional(Type.Integer({ minimum: 1, description }));

export const callerSettingsSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a display name for usage reports' })),
    admin: Type.Optional(Type.Boolean({ description: 'true or false: whether the caller may read /admin/usage' })),
    models: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
        description: 'a list of glob patterns over backend:model, e.g. ["openai:gpt-4o*", "anthropic:*"]',
      }),
    ),
    limits: Type.Optional(
      Type.Object(
        {
          requests_per_minute: positiveWhole('a whole number of requests per minute, at least 1'),
          tokens_per_minute: positiveWhole('a whole number of tokens (input and output) per minute, at least 1'),
          concurrent_streams: positiveWhole('a whole number of requests served at once, at least 1'),
        },
        { ...closed, description: 'a mapping with requests_per_minute, tokens_per_minute and concurrent_streams' },
      ),
    ),
    budgets: Type.Optional(
      Type.Array(
        Type.Object(
          {
            usd: Type.Number({ exclusiveMinimum: 0, description: 'an amount in US dollars, more than 0' }),
            period: Type.Unsafe<BudgetPeriod>({
              type: 'string',
              enum: [...BUDGET_PERIODS],
              description: 'day (resets at 00:00 UTC) or month (resets on the 1st, 00:00 UTC)',
            }),
          },
          { ...closed, required: ['usd', 'period'], description: 'a budget: usd and its reset period (day or month), e.g. { usd: 20, period: month }' },
        ),
        { description: 'a list of budgets, each { usd: <amount>, period: day | month }' },
      ),
    ),
  },
  { ...closed, description: 'caller settings: name, admin, models, limits, budgets' },
);

type CallerSettingsYaml = Static<typeof callerSettingsSchema>;

export function callerSettingsFromYaml(yaml: CallerSettingsYaml): CallerSettings {
  const settings: CallerSettings = {};
  if (yaml.name !== undefined) settings.name = yaml.name;
  if (yaml.admin !== undefined) settings.admin = yaml.admin;
  if (yaml.models !== undefined) settings.models = [...yaml.models];
  if (yaml.limits !== undefined) {
    const limits: NonNullable<CallerSettings['limits']> = {};
    if (yaml.limits.requests_per_minute !== undefined) limits.requestsPerMinute = yaml.limits.requests_per_minute;
    if (yaml.limits.tokens_per_minute !== undefined) limits.tokensPerMinute = yaml.limits.tokens_per_minute;
    if (yaml.limits.concurrent_streams !== undefined) limits.concurrentStreams = yaml.limits.concurrent_streams;
    settings.limits = limits;
  }
  if (yaml.budgets !== undefined) settings.budgets = yaml.budgets.map((budget) => ({ usd: budget.usd, period: budget.period }));
  return settings;
}

export function callerSettingsMapFromYaml(yaml: Record<string, CallerSettingsYaml>): Record<string, CallerSettings> {
  return Object.fromEntries(Object.entries(yaml).map(([id, settings]) => [id, callerSettingsFromYaml(settings)]));
}

/** `backend:model` keys of `prices`. */
export const PRICE_KEY_PATTERN = '^[^:\\s]+:\\S+$';
export const PRICE_KEY_ALLOWED = 'a mapping of backend:model (e.g. local:llama3) to prices in USD per million tokens';

const usdPerMillion = (what: string) => Type.Number({ minimum: 0, description: `US dollars per million ${what} tokens, 0 or more` });

export const modelPriceSchema = Type.Object(
  {
    input_usd_per_mtok: usdPerMillion('input'),
    output_usd_per_mtok: usdPerMillion('output'),
    cached_input_usd_per_mtok: Type.Optional(usdPerMillion('cached input')),
  },
  {
    ...closed,
    required: ['input_usd_per_mtok', 'output_usd_per_mtok'],
    description: 'prices: input_usd_per_mtok, output_usd_per_mtok and optionally cached_input_usd_per_mtok',
  },
);

export function modelPricesFromYaml(yaml: Record<string, Static<typeof modelPriceSchema>>): Record<string, ModelPrice> {
  return Object.fromEntries(
    Object.entries(yaml).map(([key, price]) => [
      key,
      {
        inputUsdPerMtok: price.input_usd_per_mtok,
        outputUsdPerMtok: price.output_usd_per_mtok,
        ...(price.cached_input_usd_per_mtok === undefined ? {} : { cachedInputUsdPerMtok: price.cached_input_usd_per_mtok }),
      },
    ]),
  );
}
