/**
 * The agent's configuration. Key names are a public contract (issue #2): tests and deployments outside
 * this repository use them, in `config.json` and as `PAIRING_AGENT_<KEY>` environment overrides.
 */

export type HalKind =
  /** Raspberry Pi: button on GPIO (onoff), OLED on I2C (oled-i2c-bus + i2c-bus). */
  | 'rpi'
  /** Simulated device: virtual button and framebuffer, driven through a control socket (CI, demos). */
  | 'sim'
  /** Kiosk without an OLED: the screen drawn in the terminal with half-block characters. */
  | 'terminal';

export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

export type DisplayController = 'ssd1306' | 'sh1106';

export interface Config {
  /**
   * The identity provider's issuer; endpoints are discovered from it (OpenID Connect discovery, then
   * RFC 8414). The discovered `issuer` must equal this value exactly.
   * @example "https://login.example.com/realms/core"
   */
  issuer?: string;
  /** Overrides or replaces discovery. @see RFC 8628 §3.1 */
  device_authorization_endpoint?: string;
  /** Overrides or replaces discovery. @see RFC 6749 §3.2 */
  token_endpoint?: string;
  /** Where `logout` and a long press revoke tokens. @see RFC 7009 */
  revocation_endpoint?: string;
  /** Where the agent learns who paired. @see OpenID Connect Core §5.3 */
  userinfo_endpoint?: string;
  /** The OAuth client registered for this device model. Required. */
  client_id: string;
  /** Only for confidential clients. Keep the config file 0640 root:pairing-agent. */
  client_secret?: string;
  /**
   * How the client authenticates at the token endpoint: never both Basic and a body secret.
   * @default "client_secret_basic" when `client_secret` is set, otherwise "none"
   */
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  /**
   * Scopes requested in the device authorization request.
   * @default "openid profile offline_access"
   */
  scope: string;
  /** Auth0-style API identifier sent as `audience`. @example "https://api.example.com" */
  audience?: string;
  /** Extra form parameters for the device authorization request (provider-specific). */
  extra_params: Record<string, string>;
  /**
   * Where tokens and pairing state live (0700). Relative paths are resolved against the config file.
   * @default $STATE_DIRECTORY (set by systemd's StateDirectory=), else "/var/lib/pairing-agent"
   */
  state_dir: string;
  /** Which hardware layer to run. @default "rpi" */
  hal: HalKind;
  /** Button-less kiosks: start pairing without a press, and restart expired codes with growing pauses. @default false */
  auto_pair: boolean;
  /**
   * Sender-constrained tokens (RFC 9449 DPoP): the agent creates an ES256 key at pairing time, keeps
   * it 0600 in `state_dir`, and proves possession of it on every token request; the tokens it gets are
   * useless without that key (issue #19). Apps get proofs from `POST /dpop-proof`.
   * @default false
   */
  dpop: boolean;
  /** How long a press must be held to count as a long press (unpair / cancel), in ms. @default 5000 */
  long_press_ms: number;
  /** BCM GPIO number of the button. @default 17 */
  button_gpio: number;
  /** The button pulls the line to ground when pressed (wired with the internal pull-up). @default true */
  button_active_low: boolean;
  /** I2C bus number: /dev/i2c-N. @default 1 */
  i2c_bus: number;
  /** OLED I2C address, 0x3C (60) or 0x3D (61). @default 60 */
  i2c_address: number;
  /** OLED controller. @default "ssd1306" */
  display_controller: DisplayController;
  /** Panel width in pixels. @default 128 */
  display_width: 128;
  /** Panel height in pixels. @default 64 */
  display_height: 64 | 32;
  /** Panel rotation in degrees. @default 0 */
  display_rotation: 0 | 180;
  /**
   * Seconds the paired screen stays on while idle before the panel switches off (it dims after a minute);
   * a short press wakes it for 30 s. Codes, errors and countdowns are never dimmed or blanked. 0 = never off.
   * @default 600
   * @example 120
   */
  screen_timeout: number;
  /** Timeout of one HTTP request to the identity provider, in ms. @default 10000 */
  http_timeout_ms: number;
  /**
   * The provider's refresh-token inactivity lifetime in seconds, for providers that enforce one without
   * stating it in their token answers (Auth0's "inactivity lifetime"): the agent refreshes before it
   * runs out. Keycloak's `refresh_expires_in` and GitHub's `refresh_token_expires_in` are read from the
   * answers; the soonest window wins. @example 2592000
   */
  refresh_idle_timeout?: number;
  /**
   * The local token API's Unix socket (mode 0660): the device's apps ask it for access tokens.
   * @default $RUNTIME_DIRECTORY/agent.sock (systemd's RuntimeDirectory=), else /run/pairing-agent/agent.sock
   * for the default state_dir, else <state_dir>/agent.sock (the agent's user only)
   */
  socket_path: string;
  /**
   * How log lines look: `logfmt` (`event=state from=… to=…`, with journald's priority prefix) for
   * people and journald, `json` (one object per line, with `time` and `level`) for fleets that ship
   * logs (issue #15). `--log-format` overrides it.
   * @default "logfmt"
   * @example "json"
   */
  log_format: 'logfmt' | 'json';
}
