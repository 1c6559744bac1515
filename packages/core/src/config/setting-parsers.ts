/**
 * @fileoverview Parsers that turn the text of a command-line flag or environment variable into a
 * setting value. Each returns `undefined` when the text is not allowed; the resolver then reports
 * the flag or variable, the value and the allowed values from the settings table.
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);
const FALSEY = new Set(['0', 'false', 'no', 'off']);

/** The truthy/falsey words accepted for boolean environment variables, for messages. */
export const BOOLEAN_TEXT_ALLOWED = `one of ${[...TRUTHY].join(', ')} (on) or ${[...FALSEY].join(', ')} (off)`;

export function parseBooleanText(text: string): boolean | undefined {
  const normalized = text.trim().toLowerCase();
  if (TRUTHY.has(normalized)) return true;
  if (FALSEY.has(normalized)) return false;
  return undefined;
}

export function parsePort(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return undefined;
  const port = Number(trimmed);
  return port <= 65535 ? port : undefined;
}

/** A whole number of at least `minimum`. */
export function parseWholeNumber(text: string, minimum: number): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) && value >= minimum ? value : undefined;
}

/** Text matching `pattern` (a JSON Schema pattern shared with the YAML schema), trimmed. */
export function parsePatternText(text: string, pattern: string): string | undefined {
  const trimmed = text.trim();
  return new RegExp(pattern).test(trimmed) ? trimmed : undefined;
}

export function parseOneOf<T extends string>(text: string, allowed: readonly T[]): T | undefined {
  const trimmed = text.trim();
  return allowed.find((candidate) => candidate === trimmed);
}

/**
 * A comma-separated list; blanks around and between commas are ignored. Every item must match
 * `itemPattern`.
 */
export function parseCommaList(text: string, itemPattern: string): string[] | undefined {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const matcher = new RegExp(itemPattern);
  return items.every((item) => matcher.test(item)) ? items : undefined;
}

const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10mb`, `512kb`, `2048` (bytes) or a number from YAML. Units are binary (1kb = 1024 bytes). */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
  const match = /^\s*(\d+)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1;
  const bytes = amount * unit;
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}
