/**
 * @fileoverview Checks that a connector's chat result has the canonical shape: a response with
 * valid content parts, or a stream whose events are valid and in the documented order. Returns
 * problems as sentences instead of throwing, so a test can show all of them at once.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import type { ChatEvent, ChatResult } from '../canonical.js';

const FinishReasonSchema = Type.Union(
  ['stop', 'length', 'tool-calls', 'content-filter', 'error', 'other'].map((reason) => Type.Literal(reason)),
);

const ProtocolExtrasSchema = Type.Object({
  protocol: Type.Union(
    ['openai-chat', 'openai-responses', 'anthropic-messages', 'gemini'].map((protocol) => Type.Literal(protocol)),
  ),
  fields: Type.Record(Type.String(), Type.Unknown()),
});

const UsageSchema = Type.Object({
  inputTokens: Type.Integer({ minimum: 0 }),
  outputTokens: Type.Integer({ minimum: 0 }),
  totalTokens: Type.Optional(Type.Integer({ minimum: 0 })),
  cachedInputTokens: Type.Optional(Type.Integer({ minimum: 0 })),
  reasoningTokens: Type.Optional(Type.Integer({ minimum: 0 })),
});

const ResponsePartSchema = Type.Union([
  Type.Object({ type: Type.Literal('text'), text: Type.String() }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('reasoning'),
      text: Type.String(),
      signature: Type.Optional(Type.String()),
      redactedData: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('tool-call'), id: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1 }), arguments: Type.String() },
    { additionalProperties: false },
  ),
]);

const ChatResponseSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    model: Type.String({ minLength: 1 }),
    created: Type.Integer({ minimum: 0 }),
    content: Type.Array(ResponsePartSchema),
    finishReason: FinishReasonSchema,
    usage: Type.Optional(UsageSchema),
    protocolExtras: Type.Optional(ProtocolExtrasSchema),
  },
  { additionalProperties: false },
);

/** One schema per event type, so a bad event gets a precise message rather than an anyOf dump. */
const EVENT_SCHEMAS: Record<ChatEvent['type'], TSchema> = {
  'response-start': Type.Object(
    {
      type: Type.Literal('response-start'),
      id: Type.String({ minLength: 1 }),
      model: Type.String({ minLength: 1 }),
      created: Type.Integer({ minimum: 0 }),
      protocolExtras: Type.Optional(ProtocolExtrasSchema),
    },
    { additionalProperties: false },
  ),
  'text-delta': Type.Object({ type: Type.Literal('text-delta'), text: Type.String() }, { additionalProperties: false }),
  'reasoning-delta': Type.Object(
    { type: Type.Literal('reasoning-delta'), text: Type.String(), signature: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
  'tool-call-start': Type.Object(
    {
      type: Type.Literal('tool-call-start'),
      index: Type.Integer({ minimum: 0 }),
      id: Type.String({ minLength: 1 }),
      name: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
  'tool-call-delta': Type.Object(
    { type: Type.Literal('tool-call-delta'), index: Type.Integer({ minimum: 0 }), argumentsDelta: Type.String() },
    { additionalProperties: false },
  ),
  finish: Type.Object({ type: Type.Literal('finish'), finishReason: FinishReasonSchema }, { additionalProperties: false }),
  usage: Type.Object({ type: Type.Literal('usage'), usage: UsageSchema }, { additionalProperties: false }),
};

const ajv = new Ajv({ allErrors: true, strict: true });
const validateResponse = ajv.compile(ChatResponseSchema);
const eventValidators = Object.fromEntries(
  Object.entries(EVENT_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
) as Record<ChatEvent['type'], ReturnType<typeof ajv.compile>>;

/**
 * Lists what is wrong with a chat result (an empty list means it conforms). A stream is read to
 * its end; an error thrown by the stream is reported as a problem.
 */
export async function chatResultProblems(result: unknown): Promise<string[]> {
  if (typeof result !== 'object' || result === null) return ['the chat result is not an object'];
  const typed = result as Partial<ChatResult> & { type?: unknown };
  if (typed.type === 'response') {
    return validateResponse(typed.response)
      ? []
      : (validateResponse.errors ?? []).map((error) => describe('response', error));
  }
  if (typed.type === 'stream') {
    const events = (typed as { events?: unknown }).events;
    if (typeof events !== 'object' || events === null || !(Symbol.asyncIterator in events)) {
      return ['a stream result must have `events`, an async iterable'];
    }
    const collected: unknown[] = [];
    try {
      for await (const event of events as AsyncIterable<unknown>) collected.push(event);
    } catch (error) {
      return [`the event stream threw: ${error instanceof Error ? error.message : String(error)}`];
    }
    return chatEventSequenceProblems(collected);
  }
  return [`the chat result's type must be "response" or "stream", got ${JSON.stringify(typed.type)}`];
}

/** Checks each event's shape and the documented order of a streamed answer. */
export function chatEventSequenceProblems(events: readonly unknown[]): string[] {
  const problems: string[] = [];
  if (events.length === 0) return ['the stream yielded no events'];
  const startedToolCalls = new Set<number>();
  let finished = false;
  events.forEach((event, position) => {
    const where = `event ${position}`;
    const type = (event as { type?: unknown } | null)?.type;
    const validator = typeof type === 'string' ? eventValidators[type as ChatEvent['type']] : undefined;
    if (validator === undefined) {
      problems.push(`${where}: unknown event type ${JSON.stringify(type)}`);
      return;
    }
    if (!validator(event)) {
      problems.push(...(validator.errors ?? []).map((error) => describe(where, error)));
      return;
    }
    const valid = event as ChatEvent;
    if (position === 0 && valid.type !== 'response-start') problems.push(`${where}: the first event must be "response-start"`);
    if (position > 0 && valid.type === 'response-start') problems.push(`${where}: "response-start" may only come first`);
    if (finished && valid.type !== 'usage') problems.push(`${where}: only "usage" may follow "finish", got "${valid.type}"`);
    if (valid.type === 'finish') {
      if (finished) problems.push(`${where}: a second "finish"`);
      finished = true;
    }
    if (valid.type === 'tool-call-start') {
      if (startedToolCalls.has(valid.index)) problems.push(`${where}: tool call ${valid.index} started twice`);
      startedToolCalls.add(valid.index);
    }
    if (valid.type === 'tool-call-delta' && !startedToolCalls.has(valid.index)) {
      problems.push(`${where}: a delta for tool call ${valid.index} before its "tool-call-start"`);
    }
  });
  if (!finished) problems.push('the stream ended without a "finish" event');
  return problems;
}

function describe(where: string, error: ErrorObject): string {
  const path = error.instancePath === '' ? '' : error.instancePath.replaceAll('/', '.');
  if (error.keyword === 'additionalProperties') {
    return `${where}${path}: unknown property "${String(error.params['additionalProperty'])}"`;
  }
  return `${where}${path}: ${error.message ?? 'is invalid'}`;
}
