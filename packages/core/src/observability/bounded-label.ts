/**
 * @fileoverview Label values that clients choose (model names, callers) bounded in number: a
 * Prometheus series lives as long as the process, so a client sending random model names must
 * not grow the registry (and every scrape) without end. The first values seen are kept as they
 * are; after that, every new value is reported as {@link OTHER_LABEL_VALUE}.
 */

export const OTHER_LABEL_VALUE = '(other)';

export class BoundedLabel {
  readonly #seen = new Set<string>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** `value` itself while it is one of the first `limit` distinct values seen, `(other)` after. */
  valueOf(value: string): string {
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.#limit) return OTHER_LABEL_VALUE;
    this.#seen.add(value);
    return value;
  }
}
