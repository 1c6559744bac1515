/**
 * @fileoverview Protocol extras on the way to an upstream: forwarded unchanged to an upstream of
 * the client's own API; across APIs, the request's fidelity policy (translation-fidelity.ts)
 * drops hints and unknown fields, records what it dropped, and refuses content by name.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatRequest, WireProtocol } from '@llmproxy/connector-sdk';
import { classifyRequestField, limitedFieldList, translationFidelityOf } from './translation-fidelity.js';

/**
 * Returns the extra fields of `request` to forward to an upstream speaking `upstreamProtocol`,
 * or undefined when there are none. Across APIs nothing is forwarded: with a fidelity policy
 * attached, content fields (and unknown ones under `unknown_fields: refuse`) are refused with a
 * 400 `REQUEST_NOT_TRANSLATABLE` naming them and the pair, and everything else is dropped and
 * recorded; without one (a request that did not come through the chat route) every extra
 * field is refused, as nothing says which of them are hints.
 */
export function forwardableProtocolExtras(
  request: ChatRequest,
  upstreamProtocol: WireProtocol,
  backendName: string,
): Record<string, unknown> | undefined {
  const extras = request.protocolExtras;
  if (extras === undefined) return undefined;
  const names = Object.keys(extras.fields);
  const fidelity = translationFidelityOf(extras);
  if (extras.protocol === upstreamProtocol) {
    if (fidelity !== undefined) fidelity.dropped = undefined;
    return names.length === 0 ? undefined : extras.fields;
  }
  if (fidelity === undefined) {
    if (names.length === 0) return undefined;
    throw notTranslatable(names, extras.protocol, upstreamProtocol, backendName);
  }
  const refused: string[] = [];
  const dropped: string[] = [];
  for (const path of [...names, ...fidelity.vendorOnlyFields]) {
    const kind = classifyRequestField(fidelity.table, path);
    if (kind === 'content' || (kind === undefined && fidelity.unknownFields === 'refuse')) refused.push(path);
    else dropped.push(path);
  }
  if (refused.length > 0) throw notTranslatable(refused, extras.protocol, upstreamProtocol, backendName);
  fidelity.dropped = dropped.length === 0 ? undefined : { fields: dropped, from: extras.protocol, to: upstreamProtocol, backend: backendName };
  return undefined;
}

function notTranslatable(names: readonly string[], from: WireProtocol, to: WireProtocol, backendName: string): LlmProxyError {
  // Unknown keys are the client's choice: the message names a bounded number of them.
  const { shown, more } = limitedFieldList(names);
  const listed = shown.map((name) => `\`${name}\``).join(', ') + (more > 0 ? ` and ${more} more` : '');
  return new LlmProxyError({
    code: 'REQUEST_NOT_TRANSLATABLE',
    message: `The request field${names.length === 1 ? '' : 's'} ${listed} cannot be translated from ${from} to ${to} (backend ${backendName})`,
    fix: `Remove ${names.length === 1 ? 'that field' : 'those fields'} from the request, or use a backend that speaks ${from}`,
    httpStatus: 400,
    details: { fields: shown, from, to, backend: backendName },
  });
}
