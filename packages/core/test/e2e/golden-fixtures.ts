/**
 * @fileoverview Golden fixtures: what a client saw for one front-end × backend pair, stored as
 * JSON under fixtures/golden/ and compared exactly. Values the proxy makes up per request (ids
 * it generates, timestamps of now) are replaced by stable placeholders first; a generated id
 * keeps one placeholder wherever it appears in a case, so "the same id" is still checked.
 *
 * To re-record after an intended change: `LLMPROXY_UPDATE_GOLDEN=1` (the tests then write
 * the fixtures instead of comparing; review the diff before keeping it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@jest/globals';

const FIXTURES_DIRECTORY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'golden');
const UPDATING = process.env['LLMPROXY_UPDATE_GOLDEN'] === '1';

/** Ids the proxy generates, as its renderers and connectors make them (upstream ids pass through unchanged). */
const GENERATED_ID =
  /^(?:chatcmpl-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|msg_[0-9a-f]{32}|(?:resp|rs|msg|fc|ctc)_[0-9a-f]{48}|call_[0-9a-f]{24}|gemini-[A-Za-z0-9_-]{12})$/;
const TIMESTAMP_KEYS = new Set(['created', 'created_at', 'completed_at']);
const DAY_SECONDS = 86_400;

/** Replaces generated ids and current timestamps in a JSON value with placeholders. */
export class GoldenNormalizer {
  readonly #placeholders = new Map<string, string>();

  normalize(value: unknown): unknown {
    return this.#visit(JSON.parse(JSON.stringify(value)) as unknown, undefined);
  }

  #visit(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') return this.#string(value);
    if (typeof value === 'number' && key !== undefined && TIMESTAMP_KEYS.has(key)) {
      return Math.abs(value - Date.now() / 1000) < DAY_SECONDS ? '<now>' : value;
    }
    if (Array.isArray(value)) return value.map((item) => this.#visit(item, undefined));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, this.#visit(item, name)]));
    }
    return value;
  }

  #string(value: string): string {
    if (!GENERATED_ID.test(value)) return value;
    let placeholder = this.#placeholders.get(value);
    if (placeholder === undefined) {
      const prefix = /^[a-z]+/.exec(value)?.[0] ?? 'id';
      placeholder = `<generated ${prefix} ${this.#placeholders.size + 1}>`;
      this.#placeholders.set(value, placeholder);
    }
    return placeholder;
  }
}

/** The golden cases of one fixture file, e.g. `anthropic-messages/openai.json`. */
export class GoldenFile {
  readonly #file: string;
  readonly #stored: Record<string, unknown>;
  readonly #recorded: Record<string, unknown> = {};

  constructor(relativePath: string) {
    this.#file = path.join(FIXTURES_DIRECTORY, relativePath);
    this.#stored = fs.existsSync(this.#file) ? (JSON.parse(fs.readFileSync(this.#file, 'utf8')) as Record<string, unknown>) : {};
  }

  /** Compares `actual` (already normalized) with the stored case, or records it when updating. */
  check(caseName: string, actual: unknown): void {
    if (UPDATING) {
      this.#recorded[caseName] = actual;
      return;
    }
    if (!(caseName in this.#stored)) {
      throw new Error(`No golden case "${caseName}" in ${this.#file}: run the test with LLMPROXY_UPDATE_GOLDEN=1 and review the result`);
    }
    expect(actual).toEqual(this.#stored[caseName]);
  }

  /** Writes the recorded cases when updating (call from afterAll); does nothing otherwise. */
  save(): void {
    if (!UPDATING || Object.keys(this.#recorded).length === 0) return;
    const merged = { ...this.#stored, ...this.#recorded };
    const sorted = Object.fromEntries(Object.keys(merged).sort().map((name) => [name, merged[name]]));
    fs.mkdirSync(path.dirname(this.#file), { recursive: true });
    fs.writeFileSync(this.#file, `${JSON.stringify(sorted, null, 2)}\n`);
  }
}
