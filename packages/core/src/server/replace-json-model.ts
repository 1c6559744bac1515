/**
 * @fileoverview Rewrites the top-level `model` string of a JSON body in place, leaving every
 * other byte as the client sent it: the only change a same-API relay makes to a request body.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const MODEL_KEY = Buffer.from('"model"');

/**
 * `body` with the value of every top-level `"model"` key replaced by `model` (as a JSON
 * string), or undefined when there is none to replace (a missing, non-string or escaped key):
 * the caller then leaves the request to the canonical path. `body` must be valid JSON (the
 * body parser has parsed it already), which is why the scan only tracks strings and nesting.
 */
export function replaceTopLevelModel(body: Buffer, model: string): Buffer | undefined {
  const spans: Array<[number, number]> = [];
  let depth = 0;
  let expectKey = false;
  let index = 0;
  while (index < body.length) {
    const byte = body[index];
    if (byte === QUOTE) {
      const end = endOfString(body, index);
      if (depth === 1 && expectKey) {
        expectKey = false;
        if (end - index === MODEL_KEY.length && body.compare(MODEL_KEY, 0, MODEL_KEY.length, index, end) === 0) {
          const valueStart = skipWhitespace(body, skipWhitespace(body, end) + 1);
          if (body[skipWhitespace(body, end)] !== COLON || body[valueStart] !== QUOTE) return undefined;
          const valueEnd = endOfString(body, valueStart);
          spans.push([valueStart, valueEnd]);
          index = valueEnd;
          continue;
        }
      }
      index = end;
      continue;
    }
    if (byte === 0x7b /* { */ || byte === 0x5b /* [ */) {
      depth += 1;
      expectKey = depth === 1 && byte === 0x7b;
    } else if (byte === 0x7d /* } */ || byte === 0x5d /* ] */) {
      depth -= 1;
    } else if (byte === COMMA && depth === 1) {
      expectKey = true;
    }
    index += 1;
  }
  if (spans.length === 0) return undefined;
  const replacement = Buffer.from(JSON.stringify(model));
  const pieces: Buffer[] = [];
  let copied = 0;
  for (const [start, end] of spans) {
    pieces.push(body.subarray(copied, start), replacement);
    copied = end;
  }
  pieces.push(body.subarray(copied));
  return Buffer.concat(pieces);
}

/** The index just past the closing quote of the string that opens at `start`. */
function endOfString(body: Buffer, start: number): number {
  let index = start + 1;
  while (index < body.length && body[index] !== QUOTE) index += body[index] === BACKSLASH ? 2 : 1;
  return index + 1;
}

function skipWhitespace(body: Buffer, start: number): number {
  let index = start;
  while (index < body.length && (body[index] === 0x20 || body[index] === 0x0a || body[index] === 0x0d || body[index] === 0x09)) index += 1;
  return index;
}
