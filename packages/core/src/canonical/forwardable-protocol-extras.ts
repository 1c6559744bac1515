/**
 * @fileoverview The rule for protocol extras a connector cannot forward: fields that came from
 * a client protocol other than the upstream's are refused by name, never dropped silently.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatRequest, WireProtocol } from '@llmproxy/connector-sdk';

/**
 * Throws a 400 `REQUEST_NOT_TRANSLATABLE` naming every extra field of `request` when those
 * fields came from a protocol other than `upstreamProtocol`. Returns the fields to forward
 * unchanged when the protocols match, or undefined when there are none.
 */
export function forwardableProtocolExtras(
  request: ChatRequest,
  upstreamProtocol: WireProtocol,
  backendName: string,
): Record<string, unknown> | undefined {
  const extras = request.protocolExtras;
  if (extras === undefined) return undefined;
  const names = Object.keys(extras.fields);
  if (names.length === 0) return undefined;
  if (extras.protocol === upstreamProtocol) return extras.fields;
  throw new LlmProxyError({
    code: 'REQUEST_NOT_TRANSLATABLE',
    message:
      `The request field${names.length === 1 ? '' : 's'} ${names.map((name) => `\`${name}\``).join(', ')} ` +
      `cannot be translated from ${extras.protocol} to ${upstreamProtocol} (backend ${backendName})`,
    fix: `Remove ${names.length === 1 ? 'that field' : 'those fields'} from the request, or use a backend that speaks ${extras.protocol}`,
    httpStatus: 400,
    details: { fields: names, from: extras.protocol, to: upstreamProtocol, backend: backendName },
  });
}
