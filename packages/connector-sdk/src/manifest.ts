/**
 * @fileoverview The connector manifest: the `llmproxy` key of a connector package's
 * package.json. Core reads and validates it before importing any plugin code, so discovery,
 * conflicts and the access-mode gate decide from data alone. The JSON Schema and the TS type
 * come from one TypeBox definition.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';

/** The package.json key that holds the manifest. */
export const MANIFEST_KEY = 'llmproxy';

/** Manifest format versions this SDK understands. */
export const SUPPORTED_MANIFEST_VERSIONS = [1] as const;

export const ConnectorDeclarationSchema = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z0-9][a-z0-9-]*$',
      minLength: 1,
      maxLength: 64,
      description: 'Connector id: lower-case letters, digits and dashes. Used as the backend name.',
    }),
    entry: Type.String({
      pattern: '^\\./',
      description: 'An `exports` subpath of the package (e.g. "./my-connector"), never a file path.',
    }),
    hasStaticCredentials: Type.Boolean({
      description:
        'true when the connector authenticates with operator-supplied static credentials (API keys); false for personal OAuth logins. Required, no default.',
    }),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ConnectorManifestSchema = Type.Object(
  {
    manifestVersion: Type.Literal(1),
    sdk: Type.String({ minLength: 1, description: 'semver range of @llmproxy/connector-sdk the package was built for.' }),
    connectors: Type.Array(ConnectorDeclarationSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type ConnectorDeclaration = Static<typeof ConnectorDeclarationSchema>;
export type ConnectorManifest = Static<typeof ConnectorManifestSchema>;

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile<ConnectorManifest>(ConnectorManifestSchema);

export type ManifestValidation =
  | { valid: true; manifest: ConnectorManifest }
  | { valid: false; problems: string[] };

/** Validates a manifest, reporting every problem at once as `path: message` lines. */
export function validateManifest(data: unknown): ManifestValidation {
  if (validate(data)) return { valid: true, manifest: data };
  return { valid: false, problems: (validate.errors ?? []).map(describeAjvError) };
}

function describeAjvError(error: ErrorObject): string {
  const where = `${MANIFEST_KEY}${error.instancePath.replaceAll('/', '.')}`;
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown property "${String(error.params['additionalProperty'])}"`;
  }
  if (error.keyword === 'required') {
    return `${where}: missing required property "${String(error.params['missingProperty'])}"`;
  }
  return `${where}: ${error.message ?? 'is invalid'}`;
}
