export type { Config, HalKind, TokenEndpointAuthMethod, DisplayController } from './types.js';
export { KEYS, DEFAULTS, ENV_PREFIX, ENV_CONFIG_PATH, ENV_DEBUG, envName, type ConfigKey } from './schema.js';
export { validateConfig, type ConfigInput } from './validate.js';
export { loadConfig, DEFAULT_CONFIG_PATH, ENV_ONLY_SOURCE, type LoadOptions } from './load.js';
