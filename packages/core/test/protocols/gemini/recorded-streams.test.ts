import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from '@jest/globals';
import { parseGeminiEvents, readGeminiStream } from '../../../src/connectors/gemini/read-gemini-stream.js';
import { parseServerSentEvents } from '../../../src/upstream/parse-server-sent-events.js';
import { expectRecordedOutcome, readAll, recordedBody, recordedStreamNames } from '../../support/recorded-stream.js';

/** Real-shaped `streamGenerateContent?alt=sse` bodies of the Gemini API. */
const RECORDED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'recorded');

describe('recorded Gemini API streams', () => {
  it.each(recordedStreamNames(RECORDED))('%s', async (name) => {
    const options = { backendName: 'recorded', requestedModel: 'gemini-2.5-flash' };
    const events = readGeminiStream(parseGeminiEvents(parseServerSentEvents(recordedBody(RECORDED, name)), options), options);
    expectRecordedOutcome(RECORDED, name, await readAll(events));
  });
});
