/**
 * @fileoverview Refuses request bodies whose JSON nests deeper than {@link MAX_JSON_DEPTH},
 * before they are parsed. `JSON.parse` copes with deep nesting, but every later recursive walk
 * does not: `JSON.stringify` of a forwarded field overflows the stack at a few thousand levels,
 * which turned a 25 KB request into a 5xx. One O(n) pass over the raw text, in body-parser's
 * `verify` hook, keeps such a body from reaching anything else.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** The deepest nesting of arrays and objects a request body may have; no API request needs a tenth of it. */
export const MAX_JSON_DEPTH = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The body parser's `verify` hook: throws a 400 `JSON_TOO_DEEP` when the body nests deeper than
 * {@link MAX_JSON_DEPTH}. Brackets inside strings do not count. UTF-8 bytes are scanned as they
 * are (no byte of a multi-byte character is ASCII); other charsets are decoded first.
 */
export function refuseDeepJson(body: Buffer, encoding: string): void {
  const depth = isUtf8(encoding) ? maxDepthOf(body, (index) => body[index]!) : decodedDepth(body, encoding);
  if (depth > MAX_JSON_DEPTH) {
    throw new LlmProxyError({
      code: 'JSON_TOO_DEEP',
      message: `The request body nests arrays and objects deeper than the limit of ${MAX_JSON_DEPTH} levels`,
      currentValue: `more than ${MAX_JSON_DEPTH} levels`,
      fix: `Send a body nested at most ${MAX_JSON_DEPTH} levels deep`,
      httpStatus: 400,
      details: { limit: MAX_JSON_DEPTH },
    });
  }
}

function isUtf8(encoding: string): boolean {
  const normalized = encoding.toLowerCase();
  return normalized === 'utf-8' || normalized === 'utf8';
}

function decodedDepth(body: Buffer, encoding: string): number {
  let text: string;
  try {
    text = new TextDecoder(encoding).decode(body);
  } catch {
    // A charset TextDecoder does not know: body-parser refuses it as unsupported anyway.
    return 0;
  }
  return maxDepthOf({ length: text.length }, (index) => text.charCodeAt(index));
}

/** The nesting depth, stopping early (and returning it) as soon as it passes the limit. */
function maxDepthOf(source: { length: number }, codeAt: (index: number) => number): number {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < source.length; index += 1) {
    const code = codeAt(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) return depth;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth -= 1;
    }
  }
  return depth > 0 ? depth : 0;
}
