/**
 * @fileoverview The one place secrets are removed from log entries: a winston format applied to
 * every entry of every logger, so call sites (core and connectors alike) cannot forget it.
 *
 * It removes the values of secret-named keys at any depth (headers, token responses, configs),
 * bearer tokens, provider-style keys and token fields inside free text, and the exact API keys
 * the proxy is configured with. Errors nested in metadata become plain objects whose message and
 * stack are redacted too.
 */
import { format } from 'winston';
import type { Logform } from 'winston';

export const REDACTED = '[REDACTED]';

/** Key names (lower-cased, without `-` and `_`) whose values are always secrets. */
const SECRET_KEY_NAMES = new Set([
  'authorization',
  'proxyauthorization',
  'xapikey',
  'xgoogapikey',
  'apikey',
  'apikeys',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'password',
  'token',
  'secret',
  'cookie',
  'setcookie',
]);

/** Secret shapes inside free text; each keeps its non-secret prefix (group 1) where it has one. */
const SECRET_TEXT_PATTERNS: readonly RegExp[] = [
  // Authorization header values.
  /(\bBearer\s+)[^\s"',;]+/gi,
  // `"access_token": "..."`, `api_key=...` and friends inside JSON, query strings or messages.
  /((?:access_?token|refresh_?token|id_?token|client_?secret|api_key|apikey|password|x-api-key|x-goog-api-key)["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
  // OpenAI/Anthropic-style keys (sk-..., sk-ant-...).
  /()\bsk-[A-Za-z0-9_-]{8,}/g,
  // Google API keys.
  /()\bAIza[0-9A-Za-z_-]{30,}/g,
];

export interface RedactOptions {
  /**
   * The exact secrets to remove: the API keys the proxy accepts (including one generated for
   * this run) and, through known-secrets.ts, the credentials it sent upstream. Read on every
   * call, so a live collection keeps redacting values learnt after startup.
   */
  apiKeys: Iterable<string>;
}

/**
 * Configured keys shorter than this are not searched for in free text: replacing every
 * occurrence of a short word would garble the logs. They are still redacted wherever they
 * travel as a header, a bearer token or a secret-named field.
 */
export const MINIMUM_REDACTED_KEY_LENGTH = 8;

/**
 * Answers by name already seen: every upstream request asks about each of its header names, and
 * the lower-casing and stripping cost more than the lookup. Bounded, because query parameter
 * and body field names come from outside.
 */
const secretKeyNameAnswers = new Map<string, boolean>();
const MAXIMUM_REMEMBERED_KEY_NAMES = 1024;

export function isSecretKeyName(key: string): boolean {
  const remembered = secretKeyNameAnswers.get(key);
  if (remembered !== undefined) return remembered;
  const secret = SECRET_KEY_NAMES.has(key.toLowerCase().replaceAll(/[-_]/g, ''));
  if (secretKeyNameAnswers.size >= MAXIMUM_REMEMBERED_KEY_NAMES) secretKeyNameAnswers.clear();
  secretKeyNameAnswers.set(key, secret);
  return secret;
}

/** Removes secrets from free text. */
export function redactText(text: string, options: RedactOptions): string {
  let redacted = text;
  for (const key of options.apiKeys) {
    if (key.length >= MINIMUM_REDACTED_KEY_LENGTH) redacted = redacted.replaceAll(key, REDACTED);
  }
  for (const pattern of SECRET_TEXT_PATTERNS) {
    redacted = redacted.replace(pattern, (_match, prefix: string) => `${prefix}${REDACTED}`);
  }
  return redacted;
}

/** A redacted copy of any value; the original is never modified. */
export function redactValue(value: unknown, options: RedactOptions, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value, options);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);

  if (Array.isArray(value)) return value.map((item) => redactValue(item, options, seen));
  const source = value instanceof Error ? errorAsObject(value) : (value as Record<string, unknown>);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(source)) {
    copy[key] = isSecretKeyName(key) && item !== undefined && item !== null ? REDACTED : redactValue(item, options, seen);
  }
  return copy;
}

function errorAsObject(error: Error): Record<string, unknown> {
  return { ...error, name: error.name, message: error.message, stack: error.stack };
}

/**
 * The winston format. It rewrites the entry in place (winston hands each format its own `info`
 * object) but never touches objects the caller passed in: nested values are copied.
 */
export function redactSecrets(options: RedactOptions): Logform.Format {
  return format((info: Logform.TransformableInfo) => {
    for (const key of Object.keys(info)) {
      const value = info[key];
      info[key] = isSecretKeyName(key) && value !== undefined && value !== null ? REDACTED : redactValue(value, options);
    }
    return info;
  })();
}
