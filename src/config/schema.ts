/**
 * The configuration keys, their types and limits: one table, read by the validator (`validate.ts`),
 * the environment overrides and `--help`. Pure data.
 */

export type KeySpec =
  /** `emptyMeans`: an empty string is allowed and means this (issue #15: `"scope": ""`). */
  | { type: 'string'; maxLength?: number; emptyMeans?: string }
  | { type: 'url' }
  | { type: 'path' }
  | { type: 'boolean' }
  | { type: 'integer'; min: number; max: number }
  | { type: 'enum'; values: readonly (string | number)[] }
  | { type: 'string-map' };

/** Every accepted key. A key not listed here is rejected (issue #2: an unknown key is an error). */
export const KEYS = {
  issuer: { type: 'url' },
  device_authorization_endpoint: { type: 'url' },
  token_endpoint: { type: 'url' },
  revocation_endpoint: { type: 'url' },
  userinfo_endpoint: { type: 'url' },
  // RFC 6749 §2.2 gives no limit; 512 is far above any real provider's ids and keeps junk out of logs.
  client_id: { type: 'string', maxLength: 512 },
  client_secret: { type: 'string', maxLength: 4096 },
  token_endpoint_auth_method: { type: 'enum', values: ['none', 'client_secret_basic', 'client_secret_post'] },
  // Empty: the request carries no scope parameter (RFC 8628 §3.1 makes it optional); Keycloak's
  // device clients are set up that way (issue #15).
  scope: { type: 'string', maxLength: 2048, emptyMeans: 'send no scope parameter' },
  audience: { type: 'string', maxLength: 2048 },
  extra_params: { type: 'string-map' },
  state_dir: { type: 'path' },
  hal: { type: 'enum', values: ['rpi', 'sim', 'terminal'] },
  auto_pair: { type: 'boolean' },
  dpop: { type: 'boolean' },
  // Below 0.5 s a long press is hard to tell from a slow short press; above 60 s nobody holds a button.
  long_press_ms: { type: 'integer', min: 500, max: 60_000 },
  // The Pi's header exposes BCM 0–27.
  button_gpio: { type: 'integer', min: 0, max: 27 },
  button_active_low: { type: 'boolean' },
  i2c_bus: { type: 'integer', min: 0, max: 255 },
  // SSD1306/SH1106 answer at 0x3C or 0x3D (SA0 pin).
  i2c_address: { type: 'enum', values: [0x3c, 0x3d] },
  display_controller: { type: 'enum', values: ['ssd1306', 'sh1106'] },
  display_width: { type: 'enum', values: [128] },
  display_height: { type: 'enum', values: [64, 32] },
  display_rotation: { type: 'enum', values: [0, 180] },
  // Seconds; 0 = never off. A week is far beyond any use and keeps the timer within setTimeout's range.
  screen_timeout: { type: 'integer', min: 0, max: 604_800 },
  http_timeout_ms: { type: 'integer', min: 500, max: 120_000 },
  // Seconds (issue #12). Below a minute the agent would refresh more often than its floor allows; a
  // year is the longest refresh-token lifetime the agent accepts from a provider (MAX_TOKEN_LIFETIME_S).
  refresh_idle_timeout: { type: 'integer', min: 60, max: 366 * 24 * 3600 },
  socket_path: { type: 'path' },
  log_format: { type: 'enum', values: ['logfmt', 'json'] },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof KEYS;

export const URL_KEYS = [
  'issuer',
  'device_authorization_endpoint',
  'token_endpoint',
  'revocation_endpoint',
  'userinfo_endpoint',
] as const satisfies readonly ConfigKey[];

/** Default values; `state_dir` and `token_endpoint_auth_method` are derived in `validate.ts`. */
export const DEFAULTS = {
  scope: 'openid profile offline_access',
  extra_params: {},
  hal: 'rpi',
  auto_pair: false,
  // Issue #19: opt-in, since not every provider accepts DPoP proofs.
  dpop: false,
  // Issue #4: "Long press (default 5 s hold)".
  long_press_ms: 5000,
  button_gpio: 17,
  button_active_low: true,
  i2c_bus: 1,
  i2c_address: 0x3c,
  display_controller: 'ssd1306',
  display_width: 128,
  display_height: 64,
  display_rotation: 0,
  // Issue #16: "switch it off after screen_timeout (seconds, default 600)".
  screen_timeout: 600,
  http_timeout_ms: 10_000,
  log_format: 'logfmt',
} as const;

/** The token API's socket under systemd's RuntimeDirectory= (exported as $RUNTIME_DIRECTORY). */
export const SOCKET_NAME = 'agent.sock';

/** Fallback when systemd's StateDirectory= has not exported $STATE_DIRECTORY. */
export const DEFAULT_STATE_DIR = '/var/lib/pairing-agent';

/**
 * The token socket's directory for the default state directory when systemd's RuntimeDirectory= has
 * not exported $RUNTIME_DIRECTORY (the agent started by hand): the same place the unit uses, outside
 * the 0700 state directory, so apps in the agent's group reach it as the README says (issue #13).
 */
export const DEFAULT_RUNTIME_DIR = '/run/pairing-agent';

/** Environment overrides are `PAIRING_AGENT_` + the key in upper case, e.g. `PAIRING_AGENT_CLIENT_ID`. */
export const ENV_PREFIX = 'PAIRING_AGENT_';

/** Names the config file through the environment (the `--config` flag wins). Not a config key. */
export const ENV_CONFIG_PATH = 'PAIRING_AGENT_CONFIG';

/** Adds stack traces to the CLI's error messages (issue #15). Not a config key. */
export const ENV_DEBUG = 'PAIRING_AGENT_DEBUG';

/** `PAIRING_AGENT_*` variables that are about the command line, not configuration keys. */
export const NOT_CONFIG_KEYS: ReadonlySet<string> = new Set([ENV_CONFIG_PATH, ENV_DEBUG]);

export function envName(key: ConfigKey): string {
  return ENV_PREFIX + key.toUpperCase();
}
