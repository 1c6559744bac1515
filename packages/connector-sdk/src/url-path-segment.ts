/**
 * @fileoverview The one way a connector puts a client-chosen value (a model name, mostly) into
 * an upstream URL: as exactly one path segment. A value that could steer the request to another
 * path on the vendor's host is refused rather than encoded, because reverse proxies and some
 * vendor front doors decode `%2F` and `%2E` before routing: `..`, `/`, `\`, `?`, `#` and control
 * characters are judged on the value after percent-decoding as well as on the value as given.
 */
import { LlmProxyError } from './errors.js';

/** The code of the 400 a client gets for a value that cannot be one URL path segment. */
export const MODEL_NAME_INVALID = 'MODEL_NAME_INVALID';

/** Characters that end or escape a path segment, or that no model name needs: C0 controls, DEL, C1 controls. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[/\\?#\u0000-\u001f\u007f-\u009f]/;

/**
 * Returns `value` percent-encoded as one URL path segment, or throws a 400
 * {@link MODEL_NAME_INVALID} naming it. `what` says what the value is (e.g. `model`), for the
 * message; `shownAs` is the whole value the client sent when `value` is only its last part
 * (e.g. the id of `tunedModels/<id>`), so the client sees what it sent. The value is refused when it is empty, `.` or `..`, or holds `/`, `\`, `?`, `#` or a
 * control character, either as given or after percent-decoding (repeatedly, so `%252F` counts).
 */
export function urlPathSegment(value: string, what = 'model', shownAs = value): string {
  const problem = segmentProblem(value);
  if (problem !== undefined) throw invalidSegment(shownAs, what, problem);
  return encodeURIComponent(value);
}

/** Why `value` cannot be one path segment, or undefined when it can. */
export function segmentProblem(value: string): string | undefined {
  let current = value;
  // Each round undoes one layer of percent-encoding; a few layers are all any proxy chain applies.
  for (let round = 0; round < 4; round += 1) {
    if (current === '') return 'it is empty';
    if (current === '.' || current === '..') return `it is the path segment ${JSON.stringify(current)}`;
    if (FORBIDDEN_CHARACTERS.test(current)) return 'it holds a path separator, "?", "#" or a control character';
    const decoded = decodeOnce(current);
    if (decoded === current) return undefined;
    current = decoded;
  }
  return 'it is percent-encoded more than three times over';
}

function decodeOnce(value: string): string {
  // decodeURIComponent throws on a lone '%'; decode what decodes and keep the rest literally.
  return value.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** The 400 for a client-chosen value that cannot go into an upstream URL. */
function invalidSegment(value: string, what: string, problem: string): LlmProxyError {
  return new LlmProxyError({
    code: MODEL_NAME_INVALID,
    message: `The ${what} name ${JSON.stringify(value)} cannot be sent to the upstream: ${problem}`,
    currentValue: value,
    fix: `Use the ${what} name the backend lists (GET /v1/models), without "/", "\\", "?", "#", ".." or control characters`,
    httpStatus: 400,
    details: { [what]: value },
  });
}
