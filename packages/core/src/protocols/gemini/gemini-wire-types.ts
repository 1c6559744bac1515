/**
 * @fileoverview The Gemini API wire format (`generateContent`, `streamGenerateContent`, model
 * lists and errors), as far as llmproxy reads or writes it. Shared by the Gemini connector
 * (which sends requests and reads responses) and the Gemini front-end (which reads requests and
 * writes responses), so both sides agree on one shape. Field names are the REST API's
 * camelCase; the API also accepts snake_case in requests, which the front-end reads too.
 */

/** Inline bytes, base64-encoded (`inlineData`). */
export interface GeminiBlob {
  mimeType: string;
  data: string;
}

/** A file by URI (`fileData`): a Files API URI, or an http(s) URL the API fetches. */
export interface GeminiFileData {
  mimeType?: string;
  fileUri: string;
}

export interface GeminiFunctionCall {
  /** Set by some models and clients; the Generative Language API itself rarely sends one. */
  id?: string;
  name: string;
  /** The arguments as a JSON object, never as text. */
  args?: Record<string, unknown>;
}

export interface GeminiFunctionResponse {
  id?: string;
  name: string;
  /** The function's result as a JSON object (`output` / `error` keys by convention). */
  response?: Record<string, unknown>;
  /** Multimodal results (images), for models that accept them. */
  parts?: Array<{ inlineData?: GeminiBlob; fileData?: GeminiFileData }>;
}

/**
 * One part of a content. Exactly one data field is set; `thought` marks a thought summary and
 * `thoughtSignature` may ride on any part (text, functionCall, or an otherwise empty part).
 */
export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: GeminiBlob;
  fileData?: GeminiFileData;
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  [field: string]: unknown;
}

export type GeminiRole = 'user' | 'model';

export interface GeminiContent {
  role?: GeminiRole | string;
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** An OpenAPI 3.0 schema subset (types in upper case: `OBJECT`, `STRING`). */
  parameters?: Record<string, unknown>;
  /** A JSON Schema; the alternative to `parameters`. */
  parametersJsonSchema?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface GeminiTool {
  functionDeclarations?: GeminiFunctionDeclaration[];
  /** Other tool kinds (googleSearch, codeExecution, urlContext, ...). */
  [kind: string]: unknown;
}

export type GeminiFunctionCallingMode = 'MODE_UNSPECIFIED' | 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED';

export interface GeminiToolConfig {
  functionCallingConfig?: { mode?: GeminiFunctionCallingMode; allowedFunctionNames?: string[] };
  [field: string]: unknown;
}

export type GeminiThinkingLevel = 'MINIMAL' | 'LOW' | 'MEDIUM' | 'HIGH';

export interface GeminiThinkingConfig {
  thinkingBudget?: number;
  thinkingLevel?: GeminiThinkingLevel;
  includeThoughts?: boolean;
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  thinkingConfig?: GeminiThinkingConfig;
  [field: string]: unknown;
}

/** The body of `models/{model}:generateContent` and `:streamGenerateContent`. */
export interface GeminiGenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: GeminiContent;
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
  [field: string]: unknown;
}

export type GeminiFinishReason =
  | 'FINISH_REASON_UNSPECIFIED'
  | 'STOP'
  | 'MAX_TOKENS'
  | 'SAFETY'
  | 'RECITATION'
  | 'LANGUAGE'
  | 'OTHER'
  | 'BLOCKLIST'
  | 'PROHIBITED_CONTENT'
  | 'SPII'
  | 'MALFORMED_FUNCTION_CALL'
  | 'IMAGE_SAFETY'
  | 'UNEXPECTED_TOOL_CALL'
  | 'TOO_MANY_TOOL_CALLS'
  | (string & {});

export interface GeminiUsageMetadata {
  /** Every prompt token, cached ones included. */
  promptTokenCount?: number;
  /** Answer tokens, thoughts excluded. */
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
  [field: string]: unknown;
}

export interface GeminiCandidate {
  content?: GeminiContent;
  finishReason?: GeminiFinishReason;
  finishMessage?: string;
  index?: number;
  [field: string]: unknown;
}

/** A `generateContent` answer, and each chunk of a streamed one. */
export interface GeminiGenerateContentResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; [field: string]: unknown };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  [field: string]: unknown;
}

/** One entry of `GET /v1beta/models`. */
export interface GeminiModel {
  /** `models/<id>`. */
  name: string;
  baseModelId?: string;
  version?: string;
  displayName?: string;
  description?: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods?: string[];
  thinking?: boolean;
  [field: string]: unknown;
}

export interface GeminiModelList {
  models?: GeminiModel[];
  nextPageToken?: string;
}

/** A google.rpc.Status as the API sends it: `{"error":{code,message,status,details}}`. */
export interface GeminiErrorBody {
  error: {
    code: number;
    message: string;
    /** The google.rpc code name, e.g. `RESOURCE_EXHAUSTED`. */
    status: string;
    details?: Array<Record<string, unknown>>;
  };
}
