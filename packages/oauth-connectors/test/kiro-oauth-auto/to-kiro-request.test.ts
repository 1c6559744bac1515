/**
 * Canonical requests → Kiro's conversationState: system prompt, history, tool calls and
 * results, tools, images, and what cannot be translated.
 */
import { describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatRequest } from '@llmproxy/connector-sdk';
import { toKiroRequest } from '../../src/kiro-oauth-auto/to-kiro-request.js';

const options = { backendName: 'kiro-oauth-auto', conversationId: 'conversation-1' };

describe('toKiroRequest', () => {
  it('builds history, the current message with tool results and tools, and a profileArn only when given', () => {
    const request: ChatRequest = {
      model: 'claude-sonnet-4.5',
      stream: true,
      maxOutputTokens: 100,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool-call', id: 't1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't1', content: [{ type: 'text', text: 'Sunny' }] }] },
      ],
      tools: [{ name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    };
    expect(toKiroRequest(request, options)).toEqual({
      conversationState: {
        chatTriggerType: 'MANUAL',
        conversationId: 'conversation-1',
        history: [
          { userInputMessage: { content: 'Be brief.\n\nWeather in Paris?', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } },
          { assistantResponseMessage: { content: 'Checking.', toolUses: [{ toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } }] } },
        ],
        currentMessage: {
          userInputMessage: {
            content: 'Tool results are attached.',
            modelId: 'claude-sonnet-4.5',
            origin: 'AI_EDITOR',
            userInputMessageContext: {
              toolResults: [{ toolUseId: 't1', content: [{ text: 'Sunny' }], status: 'success' }],
              tools: [{ toolSpecification: { name: 'get_weather', description: 'Weather of a city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }],
            },
          },
        },
      },
    });
    const withArn = toKiroRequest({ model: 'auto', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }, { ...options, profileArn: 'arn:x' });
    expect(withArn['profileArn']).toBe('arn:x');
  });

  it('sends base64 images and refuses what Kiro cannot take, by name', () => {
    const image = toKiroRequest(
      { model: 'auto', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } }] }] },
      options,
    );
    expect(image).toMatchObject({ conversationState: { currentMessage: { userInputMessage: { images: [{ format: 'png', source: { bytes: 'AAAA' } }] } } } });

    const refused = (request: ChatRequest): LlmProxyError => {
      try {
        toKiroRequest(request, options);
      } catch (error) {
        if (LlmProxyError.is(error)) return error;
      }
      throw new Error('expected a refusal');
    };
    const byUrl = refused({ model: 'auto', stream: true, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] });
    expect(byUrl.code).toBe('REQUEST_NOT_TRANSLATABLE');
    expect(byUrl.message).toContain('messages[0].content[0]');
    expect(refused({ model: 'auto', stream: true, toolChoice: 'required', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }).message).toContain('tool_choice');
    expect(refused({ model: 'auto', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }, { role: 'assistant', content: [{ type: 'text', text: 'prefill' }] }] }).message).toContain(
      'does not end with a user message',
    );
    expect(
      refused({ model: 'auto', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], protocolExtras: { protocol: 'anthropic-messages', fields: { metadata: {} } } })
        .message,
    ).toContain('`metadata`');
  });
});
