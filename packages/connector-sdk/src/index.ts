/**
 * @fileoverview Public surface of @llmproxy/connector-sdk.
 */
export type * from './accounts.js';
export * from './canonical.js';
export * from './connector.js';
export * from './errors.js';
export * from './manifest.js';
export type * from './upstream-http-client.js';
export type * from './wire-codecs.js';
