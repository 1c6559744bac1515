import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from '@jest/globals';
import { readOpenAIChatStream } from '../../../src/connectors/openai/read-openai-chat-stream.js';
import { parseServerSentEvents } from '../../../src/upstream/parse-server-sent-events.js';
import { expectRecordedOutcome, readAll, recordedBody, recordedStreamNames } from '../../support/recorded-stream.js';

/** Real-shaped Chat Completions streams from OpenAI-compatible servers, with their quirks. */
const RECORDED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'recorded');

describe('recorded OpenAI Chat Completions streams', () => {
  it.each(recordedStreamNames(RECORDED))('%s', async (name) => {
    const events = readOpenAIChatStream(parseServerSentEvents(recordedBody(RECORDED, name)), 'recorded');
    expectRecordedOutcome(RECORDED, name, await readAll(events));
  });
});
