/**
 * @fileoverview Helpers for building a tool call that fits the schema the client itself sent,
 * so a client release that renames a parameter is followed instead of breaking the suite.
 */

/**
 * The first of `candidates` that the tool's JSON schema declares as a property, or undefined.
 * @param {any} parameters @param {string[]} candidates
 */
export function firstDeclaredProperty(parameters, candidates) {
  const properties = parameters && typeof parameters === 'object' ? (parameters.properties ?? {}) : {};
  return candidates.find((name) => Object.hasOwn(properties, name));
}

/**
 * Whether the schema's property is an array (Codex's older `shell` takes the command as argv).
 * @param {any} parameters @param {string} property
 */
export function isArrayProperty(parameters, property) {
  const type = parameters?.properties?.[property]?.type;
  return type === 'array' || (Array.isArray(type) && type.includes('array'));
}
