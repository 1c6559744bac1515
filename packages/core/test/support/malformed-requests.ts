/**
 * @fileoverview A small seeded generator of malformed client requests for the front-end fuzz
 * tests: valid requests mutated (wrong types, missing fields, huge numbers, odd unicode, nesting
 * up to 100 levels, prototype-pollution keys), broken JSON text, odd content types and
 * encodings, and random paths and query strings. Everything comes from one seeded PRNG, so a
 * seed and a case number reproduce a request exactly.
 */

/** mulberry32: tiny, fast and good enough to pick mutations. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Picker {
  constructor(readonly random: () => number) {}
  int(maxExclusive: number): number {
    return Math.floor(this.random() * maxExclusive);
  }
  chance(probability: number): boolean {
    return this.random() < probability;
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

export interface MalformedRequest {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The deepest nesting generated: well under any parse-time depth limit, so tests do not depend on one. */
export const MAXIMUM_GENERATED_DEPTH = 100;

const ODD_STRINGS = [
  '',
  ' ',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '🦄🏳️‍🌈'.repeat(20),
  'e\u0301\u0301\u0301\u0301',
  '\ufeff',
  '\r\n\r\n',
  'x'.repeat(5_000),
  '<script>alert(1)</script>',
  '{"a":',
  '../../../etc/passwd',
  'data:image/png;base64,@@@@',
  'https://127.0.0.1:1/',
  '%00%2F..%2F',
  'user',
  'assistant',
  'system',
  'tool',
  'model',
  'function',
  'text',
  'image',
  'image_url',
  'input_text',
  'tool_use',
  'tool_result',
  'function_call',
  'auto',
  'none',
  'required',
];

const ODD_NUMBERS = [0, -0, -1, 1.5, 2 ** 31, -(2 ** 31), 2 ** 53 + 2, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER * 1024, 0.1, 1e21];

/** Raw JSON number texts JSON.stringify cannot produce. */
const RAW_NUMBER_TEXTS = ['1e999', '-1e999', '123456789012345678901234567890', '-0.0', '1E-400', '0.0000000000000000000000001'];

const POLLUTION_PAYLOADS = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"__proto__":{"toString":"x","valueOf":1}}',
  '[{"__proto__":{"polluted":"yes"}}]',
];

function nested(pick: Picker, depth: number): unknown {
  let value: unknown = pick.one<unknown>([1, 'deep', null, {}, []]);
  for (let level = 0; level < depth; level += 1) {
    value = pick.chance(0.5) ? [value] : { [pick.one(['a', 'content', 'parts', 'text', 'properties', '__proto__'])]: value };
  }
  return value;
}

/** A value of any JSON type, often an unhelpful one. */
export function randomValue(pick: Picker, depth = 0): unknown {
  switch (pick.int(depth > 2 ? 4 : 9)) {
    case 0:
      return pick.one([null, true, false]);
    case 1:
      return pick.one(ODD_NUMBERS);
    case 2:
    case 3:
      return pick.one(ODD_STRINGS);
    case 4:
      // Long arrays hold scalars only, so a body stays small enough to send thousands quickly.
      return pick.chance(0.2)
        ? Array.from({ length: 300 }, () => pick.one<unknown>([...ODD_NUMBERS, null, 'x']))
        : Array.from({ length: pick.int(3) }, () => randomValue(pick, depth + 1));
    case 5: {
      const record: Record<string, unknown> = {};
      for (let index = pick.int(4); index > 0; index -= 1) record[pick.one(ODD_STRINGS).slice(0, 40)] = randomValue(pick, depth + 1);
      return record;
    }
    case 6:
      // Deep nesting once per value, never inside another deep value.
      return nested(pick, depth === 0 ? 1 + pick.int(MAXIMUM_GENERATED_DEPTH - 5) : 3);
    case 7:
      return JSON.parse(pick.one(POLLUTION_PAYLOADS)) as unknown;
    default:
      return pick.one<unknown>([{ type: 'text' }, [{}], { role: 'user' }, { parts: null }, { text: 1 }]);
  }
}

interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

function slotsOf(value: unknown, into: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      into.push({ parent: value, key: index });
      slotsOf(item, into);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      into.push({ parent: value as Record<string, unknown>, key });
      slotsOf((value as Record<string, unknown>)[key], into);
    }
  }
  return into;
}

/** One to three structural mutations of a deep copy of `valid`. */
export function mutateJson(valid: unknown, pick: Picker): unknown {
  const copy = JSON.parse(JSON.stringify(valid)) as unknown;
  const mutations = 1 + pick.int(3);
  for (let count = 0; count < mutations; count += 1) {
    const slots = slotsOf(copy);
    if (slots.length === 0) break;
    const slot = pick.one(slots);
    const operation = pick.int(4);
    if (Array.isArray(slot.parent)) {
      if (operation === 0) slot.parent.splice(slot.key as number, 1);
      else slot.parent[slot.key as number] = randomValue(pick);
    } else if (operation === 0) {
      delete slot.parent[slot.key];
    } else if (operation === 1) {
      // A new key next to an existing one; own "__proto__" keys are defined, not assigned.
      Object.defineProperty(slot.parent, pick.one(['__proto__', 'constructor', 'extra', 'prototype', ...ODD_STRINGS.slice(0, 12)]), {
        value: randomValue(pick),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    } else {
      slot.parent[slot.key] = randomValue(pick);
    }
  }
  return copy;
}

/** Text-level damage: broken JSON, raw numbers JSON.stringify never writes, odd top-level values. */
export function damageText(text: string, pick: Picker): string {
  switch (pick.int(8)) {
    case 0:
      return text.slice(0, pick.int(text.length));
    case 1: {
      const at = pick.int(text.length + 1);
      return `${text.slice(0, at)}${pick.one(['{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', 'NaN', '\ud800'])}${text.slice(at)}`;
    }
    case 2:
      return text.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/i, pick.one(RAW_NUMBER_TEXTS));
    case 3:
      return pick.one(['', ' ', 'null', '[]', '"text"', '123', 'true', '{}', '{"a":1}{"b":2}', '\ufeff{}', '{,}', "{'a':1}"]);
    case 4:
      // Duplicate keys: JSON.parse keeps the last.
      return text.replace(/^\{/, `{"model":${JSON.stringify(pick.one(ODD_STRINGS))},"stream":${pick.one(['1', '"yes"', 'null', 'true'])},`);
    case 5:
      return pick.one(POLLUTION_PAYLOADS).replace(/\}$/, `,${text.slice(1)}`);
    case 6:
      return `${text}${pick.one([',', ' garbage', '\n\n{}', '\u0000'])}`;
    default:
      return text.replace(/"(\w+)":/, (_match, key: string) => `"${key}\\u0000":`);
  }
}

/** Content types, encodings and charsets a client might send by mistake. */
export function oddHeaders(pick: Picker): Record<string, string> {
  const headers: Record<string, string> = {};
  const type = pick.one([
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    '*/*',
    'application/json;;;',
    '',
    undefined,
  ]);
  if (type !== undefined) headers['content-type'] = type;
  if (pick.chance(0.15)) headers['content-encoding'] = pick.one(['gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip']);
  if (pick.chance(0.1)) headers['accept'] = pick.one(['text/event-stream', 'application/xml', '*/*']);
  return headers;
}

/** A random query string, sometimes with parser-confusing keys. */
export function oddQuery(pick: Picker): string {
  if (pick.chance(0.7)) return '';
  return `?${pick.one([
    'alt=sse',
    'alt=json',
    'alt=',
    'stream=true',
    '__proto__[polluted]=yes',
    'constructor[prototype][polluted]=yes',
    'a[b][c][d][e][f]=1',
    'x=%E0%A4%A',
    'x=%00',
    '&&&==',
    'a=1&a=2&a[]=3',
    `x=${'y'.repeat(2000)}`,
  ])}`;
}
