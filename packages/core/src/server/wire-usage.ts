/**
 * @fileoverview Token usage read on the side of a relayed answer: the usage objects in a JSON
 * body or a run of stream events are found by their key and only those objects are parsed, so
 * a relayed answer is never parsed whole. Later objects override earlier fields (Anthropic
 * reports input tokens at the start of a stream and output tokens at its end; Gemini and
 * OpenAI report running or final totals).
 */

/** Merges every `"<key>": { … }` object in `text` into `into`; null and non-object values are skipped. */
export function mergeWireUsage(text: string, key: string, into: Record<string, unknown>): void {
  const needle = `"${key}"`;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
    let index = skipWhitespace(text, at + needle.length);
    if (text[index] !== ':') continue;
    index = skipWhitespace(text, index + 1);
    if (text[index] !== '{') continue;
    const end = endOfObject(text, index);
    if (end === -1) continue;
    try {
      const usage = JSON.parse(text.slice(index, end)) as Record<string, unknown>;
      for (const field in usage) if (usage[field] !== null && usage[field] !== undefined) into[field] = usage[field];
    } catch {
      // Not JSON after all (the key inside some other text): not usage.
    }
  }
}

/** The index just past the object that opens at `start`, or -1 when it does not close. */
function endOfObject(text: string, start: number): number {
  let depth = 0;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index];
    if (character === '"') {
      index += 1;
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    } else if (character === '{') {
      depth += 1;
    } else if (character === '}') {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

function skipWhitespace(text: string, start: number): number {
  let index = start;
  while (index < text.length && (text[index] === ' ' || text[index] === '\n' || text[index] === '\r' || text[index] === '\t')) index += 1;
  return index;
}
