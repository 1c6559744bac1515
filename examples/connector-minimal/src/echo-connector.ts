/**
 * @fileoverview The echo connector: it answers every chat request with the text of the last
 * user message, streamed word by word when the client asks for a stream. It needs no
 * credentials and no network, which makes it a template for a real connector and a handy
 * backend for trying out llmproxy.
 */
import { randomUUID } from 'node:crypto';
import { defineConnector, type ChatEvent, type ChatRequest, type ChatResult, type Usage } from '@llmproxy/connector-sdk';

/** The one model this connector offers. */
export const ECHO_MODEL = 'echo';

export default defineConnector({
  id: 'echo',
  hasStaticCredentials: true,
  createsDefaultBackend: true,
  create(context) {
    context.logger.debug('echo backend ready', { backend: context.backendName });
    return {
      async listModels() {
        return [{ id: ECHO_MODEL, ownedBy: 'llmproxy-connector-minimal' }];
      },
      async chat(request, { signal }): Promise<ChatResult> {
        signal.throwIfAborted();
        const text = lastUserText(request);
        const answer = {
          id: `echo-${randomUUID()}`,
          model: request.model === '' ? ECHO_MODEL : request.model,
          created: Math.floor(Date.now() / 1000),
        };
        const usage: Usage = {
          inputTokens: countWords(text),
          outputTokens: countWords(text),
          totalTokens: 2 * countWords(text),
        };
        if (!request.stream) {
          return {
            type: 'response',
            response: { ...answer, content: [{ type: 'text', text }], finishReason: 'stop', usage },
          };
        }
        return { type: 'stream', events: streamWords(answer, text, usage, signal) };
      },
    };
  },
});

/** The text parts of the last user message, joined; empty when there is none. */
function lastUserText(request: ChatRequest): string {
  const lastUserMessage = request.messages.findLast((message) => message.role === 'user');
  if (lastUserMessage === undefined) return '';
  return lastUserMessage.content
    .flatMap((part) => (part.type === 'text' ? [part.text] : []))
    .join('\n');
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

/**
 * One text delta per word, each carrying its trailing whitespace, so the deltas concatenate to
 * exactly the original text. The signal is checked before every event: a client that went away
 * stops the stream.
 */
async function* streamWords(
  answer: { id: string; model: string; created: number },
  text: string,
  usage: Usage,
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  signal.throwIfAborted();
  yield { type: 'response-start', ...answer };
  const words = text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
  for (const word of words) {
    // Yield to the event loop between words, as a real upstream stream would.
    await new Promise<void>((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
    yield { type: 'text-delta', text: word };
  }
  yield { type: 'finish', finishReason: 'stop' };
  yield { type: 'usage', usage };
}
