/**
 * @fileoverview Tells, as JSON text streams in piece by piece, when its top-level object or
 * array has closed: from then on nothing more can validly follow. The Anthropic stream renderer
 * uses it to know a tool call's arguments are complete without waiting for the end of the
 * answer. It scans each character once and keeps three numbers of state; it does not validate.
 */
export class JsonCompletionTracker {
  #depth = 0;
  #opened = false;
  #inString = false;
  #escaped = false;
  #complete = false;

  /** True once the first object or array has been closed. */
  get complete(): boolean {
    return this.#complete;
  }

  feed(text: string): void {
    if (this.#complete) return;
    for (let position = 0; position < text.length; position += 1) {
      const character = text.charCodeAt(position);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (character === BACKSLASH) this.#escaped = true;
        else if (character === QUOTE) this.#inString = false;
        continue;
      }
      if (character === QUOTE) {
        this.#inString = true;
      } else if (character === OPEN_BRACE || character === OPEN_BRACKET) {
        this.#depth += 1;
        this.#opened = true;
      } else if (character === CLOSE_BRACE || character === CLOSE_BRACKET) {
        this.#depth -= 1;
        if (this.#opened && this.#depth === 0) {
          this.#complete = true;
          return;
        }
      }
    }
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
