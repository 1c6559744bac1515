/**
 * @fileoverview The conformance kit's path-traversal check: what a connector sent when a chat
 * request's model held a traversal probe. A conforming connector either refuses the model
 * (the SDK's `urlPathSegment` does) or keeps it out of URLs; it never sends a URL whose path,
 * read as a reverse proxy would after percent-decoding, has a `.`/`..` segment or the probe as a
 * segment of its own.
 */

/** A marker no real path holds, so its appearance in a URL can only come from the model name. */
export const TRAVERSAL_PROBE_MARKER = 'llmproxy-conformance-probe';

/** Model names that try to leave the path a connector puts them in, plainly and percent-encoded. */
export const TRAVERSAL_PROBE_MODELS: readonly string[] = [
  `../../${TRAVERSAL_PROBE_MARKER}`,
  `..%2F..%2F${TRAVERSAL_PROBE_MARKER}`,
  `x/../../${TRAVERSAL_PROBE_MARKER}`,
];

/** Why `url`'s path escapes, or undefined when it does not. */
export function urlEscapeProblem(url: string): string | undefined {
  const afterScheme = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const path = afterScheme.split(/[?#]/, 1)[0] ?? '';
  for (const segment of path.split('/')) {
    const decoded = fullyDecoded(segment);
    if (decoded === '.' || decoded === '..') return `${url} has the path segment "${segment}", which reads as "${decoded}"`;
    if (decoded.includes(TRAVERSAL_PROBE_MARKER) && /[/\\]/.test(decoded)) {
      return `${url} has the segment "${segment}", which a reverse proxy decodes to the path "${decoded}"`;
    }
    if (decoded.startsWith(TRAVERSAL_PROBE_MARKER)) return `${url} carries the model's "${TRAVERSAL_PROBE_MARKER}" as a path segment of its own`;
  }
  return undefined;
}

function fullyDecoded(value: string): string {
  let current = value;
  for (let round = 0; round < 4; round += 1) {
    const next = current.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
    if (next === current) return current;
    current = next;
  }
  return current;
}
