/**
 * @fileoverview Finds, reads and validates the YAML configuration file.
 *
 * cosmiconfig is told exactly where to look: YAML files only, and never `package.json`, whose
 * `llmproxy` key is a connector manifest rather than user configuration. It searches the working
 * directory alone (`searchStrategy: 'none'`): a proxy started in a project must not pick up a
 * file from a parent directory the user did not mean to use. An explicit path wins.
 */
import path from 'node:path';

import { Ajv } from 'ajv';
import { cosmiconfig, defaultLoaders } from 'cosmiconfig';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { configFileSchema, SECRET_YAML_KEYS, type ConfigFile } from './config-file-schema.js';
import { describeSchemaErrors } from './describe-schema-errors.js';
import { throwStartupErrors } from './startup-errors.js';

/** Where the configuration file is looked for, in order, relative to the working directory. */
export const CONFIG_SEARCH_PLACES: readonly string[] = Object.freeze([
  'llm-proxy.yaml',
  'llm-proxy.yml',
  '.llm-proxy.yaml',
  'config/config.yaml',
]);

const YAML_EXTENSIONS = new Set(['.yaml', '.yml', '']);

const validateConfigFile = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true }).compile<ConfigFile>(
  configFileSchema,
);

export interface LoadedConfigFile {
  /** Absolute path of the file that was read. */
  filepath: string;
  config: ConfigFile;
}

export interface LoadConfigFileOptions {
  cwd: string;
  /** A path given explicitly (relative to `cwd`); when set, no search happens. */
  explicitPath: string | undefined;
  /** How the explicit path was given, for messages (e.g. `--config`, `LLM_PROXY_CONFIG`). */
  explicitPathOrigin: string;
}

/**
 * Reads the explicit file or the first file found in {@link CONFIG_SEARCH_PLACES}; `undefined`
 * when no path was given and none exists. Every schema violation is reported at once.
 */
export async function loadConfigFile(options: LoadConfigFileOptions): Promise<LoadedConfigFile | undefined> {
  const explorer = createExplorer(options.cwd);
  let result: { filepath: string; config: unknown } | null;
  if (options.explicitPath !== undefined) {
    const filepath = path.resolve(options.cwd, options.explicitPath);
    if (!YAML_EXTENSIONS.has(path.extname(filepath).toLowerCase())) {
      throw new LlmProxyError({
        code: 'CONFIG_FILE_NOT_YAML',
        message: `Configuration file ${filepath} is not a YAML file`,
        currentValue: `${options.explicitPathOrigin} ${options.explicitPath}`,
        fix: 'Configuration files are YAML: name a file ending in .yaml or .yml',
      });
    }
    result = await readWithExplanation(() => explorer.load(filepath), filepath, options);
  } else {
    result = await readWithExplanation(() => explorer.search(options.cwd), undefined, options);
  }
  if (result === null) return undefined;

  const config = result.config ?? {};
  if (!validateConfigFile(config)) {
    throwStartupErrors(describeSchemaErrors(validateConfigFile.errors ?? [], result.filepath, SECRET_YAML_KEYS));
  }
  return { filepath: result.filepath, config: config as ConfigFile };
}

function createExplorer(cwd: string) {
  try {
    return cosmiconfig('llm-proxy', {
      searchPlaces: [...CONFIG_SEARCH_PLACES],
      searchStrategy: 'none',
      ignoreEmptySearchPlaces: false,
      cache: false,
      loaders: { '.yaml': defaultLoaders['.yaml'], '.yml': defaultLoaders['.yml'], noExt: defaultLoaders['.yaml'] },
    });
  } catch (error) {
    // cosmiconfig first reads its own options from package.json and .config/config.* here.
    const reason = (String((error as Error).message).split('\n')[0] ?? '').replace(/:\s*$/, '');
    throw new LlmProxyError({
      code: 'CONFIG_FILE_UNREADABLE',
      message: `The configuration search in ${cwd} cannot start`,
      currentValue: reason,
      fix: 'The configuration loader reads package.json and .config/config.* in the working directory for its own options; fix the file named',
      cause: error,
    });
  }
}

async function readWithExplanation<T>(
  read: () => Promise<T>,
  explicitFilepath: string | undefined,
  options: LoadConfigFileOptions,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw explainReadFailure(error, explicitFilepath, options);
  }
}

function explainReadFailure(error: unknown, explicitFilepath: string | undefined, options: LoadConfigFileOptions): LlmProxyError {
  const failure = error as NodeJS.ErrnoException & { name?: string; reason?: string; mark?: { line: number; column: number } };
  // cosmiconfig prefixes YAML errors with the file; the search case only knows the file from there.
  const filepath = explicitFilepath ?? /in (.+):\n/.exec(String(failure.message))?.[1] ?? options.cwd;

  if (failure.name === 'YAMLException') {
    const position = failure.mark === undefined ? '' : ` at line ${failure.mark.line + 1}, column ${failure.mark.column + 1}`;
    return new LlmProxyError({
      code: 'CONFIG_FILE_INVALID_YAML',
      message: `Configuration file ${filepath} is not valid YAML`,
      currentValue: `${failure.reason ?? 'parse error'}${position}`,
      fix: 'Fix the YAML syntax at the position shown',
      cause: error,
    });
  }
  if (failure.code === 'ENOENT' && explicitFilepath !== undefined) {
    return new LlmProxyError({
      code: 'CONFIG_FILE_NOT_FOUND',
      message: `Configuration file ${explicitFilepath} does not exist`,
      currentValue: `${options.explicitPathOrigin} ${options.explicitPath ?? ''}`,
      fix: `Check the path (relative paths start at the working directory ${options.cwd}), or leave out ${options.explicitPathOrigin} to search ${CONFIG_SEARCH_PLACES.join(', ')}`,
      cause: error,
    });
  }
  return new LlmProxyError({
    code: 'CONFIG_FILE_UNREADABLE',
    message: `Configuration file ${filepath} cannot be read`,
    currentValue: failure.code === undefined ? String(failure.message) : `${failure.code}: ${failure.message}`,
    fix: 'Make sure the path names a readable file',
    cause: error,
  });
}
