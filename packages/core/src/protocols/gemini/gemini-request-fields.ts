/**
 * @fileoverview The Gemini front-end's declared request fields, for the fidelity policy
 * (canonical/translation-fidelity.ts, docs/translation.md). Content changes what the model is
 * asked; a hint changes safety filtering, labels, media resolution or retrieval, and is dropped
 * for another API, as are the built-in tools only Google runs. Gemini extras are named by
 * their path (`generationConfig.seed`, `tools.googleSearch`), and so are these entries.
 */
import type { RequestFieldTable } from '../../canonical/translation-fidelity.js';

export const GEMINI_REQUEST_FIELDS: RequestFieldTable = Object.freeze({
  model: 'content',
  contents: 'content',
  systemInstruction: 'content',
  tools: 'content',
  toolConfig: 'content',
  generationConfig: 'content',
  cachedContent: 'content',
  'generationConfig.temperature': 'content',
  'generationConfig.topP': 'content',
  'generationConfig.topK': 'content',
  'generationConfig.maxOutputTokens': 'content',
  'generationConfig.stopSequences': 'content',
  'generationConfig.candidateCount': 'content',
  'generationConfig.thinkingConfig': 'content',
  'generationConfig.seed': 'content',
  'generationConfig.presencePenalty': 'content',
  'generationConfig.frequencyPenalty': 'content',
  'generationConfig.responseMimeType': 'content',
  'generationConfig.responseSchema': 'content',
  'generationConfig.responseJsonSchema': 'content',
  'generationConfig._responseJsonSchema': 'content',
  'generationConfig.responseModalities': 'content',
  'generationConfig.responseLogprobs': 'content',
  'generationConfig.logprobs': 'content',
  'generationConfig.speechConfig': 'content',
  'generationConfig.imageConfig': 'content',
  safetySettings: 'hint',
  labels: 'hint',
  'generationConfig.mediaResolution': 'hint',
  'generationConfig.enableEnhancedCivicAnswers': 'hint',
  'toolConfig.retrievalConfig': 'hint',
  // Built-in tools only Google runs.
  'tools.googleSearch': 'hint',
  'tools.googleSearchRetrieval': 'hint',
  'tools.codeExecution': 'hint',
  'tools.urlContext': 'hint',
  'tools.retrieval': 'hint',
  'tools.fileSearch': 'hint',
  'tools.googleMaps': 'hint',
  'tools.computerUse': 'hint',
  'tools.enterpriseWebSearch': 'hint',
});
