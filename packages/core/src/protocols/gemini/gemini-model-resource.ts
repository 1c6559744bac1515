/**
 * @fileoverview The Gemini API's model resource name in a URL path: `models/<id>` or
 * `tunedModels/<id>`. The collection prefix is the one vendor-defined shape allowed to carry a
 * `/`; the id after it must be exactly one path segment, so that a model such as
 * `tunedModels/../../../other/x` or `../../admin/secret` can never reach another path on the
 * vendor's host with the operator's key.
 */
import { urlPathSegment } from '@llmproxy/connector-sdk';

/** Collections a Gemini model name may name explicitly. */
const GEMINI_MODEL_COLLECTIONS = ['models', 'tunedModels'] as const;

/**
 * The URL path of a model, each part encoded as one segment: `models/<id>` for a bare id,
 * `models/<id>` or `tunedModels/<id>` as given. Throws a 400 `MODEL_NAME_INVALID` for any other
 * shape (see the SDK's `urlPathSegment`).
 */
export function geminiModelResource(model: string): string {
  for (const collection of GEMINI_MODEL_COLLECTIONS) {
    if (model.startsWith(`${collection}/`)) return `${collection}/${urlPathSegment(model.slice(collection.length + 1), 'model', model)}`;
  }
  return `models/${urlPathSegment(model, 'model')}`;
}
