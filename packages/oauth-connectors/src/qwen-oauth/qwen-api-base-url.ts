/**
 * @fileoverview Where a Qwen login's OpenAI-compatible API lives. The token answer's
 * `resource_url` names it: a bare host gets `https://` and `/v1`; an explicit scheme is kept (and
 * `/v1` added when missing), as Qwen Code does. Without one, Qwen's portal.
 */
export const QWEN_PORTAL_HOST = 'portal.qwen.ai';

export function qwenApiBaseUrl(resourceUrl: unknown): string {
  const given = typeof resourceUrl === 'string' && resourceUrl.trim() !== '' ? resourceUrl.trim() : QWEN_PORTAL_HOST;
  const withScheme = /^https?:\/\//i.test(given) ? given : `https://${given}`;
  const trimmed = withScheme.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}
