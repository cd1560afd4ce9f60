/**
 * Every event the agent logs, and how severe it is (issue #14 item 5). A logger takes only a `LogEvent`,
 * and `SEVERITY` is a `Record<LogEvent, Severity>`: a new event without a severity does not compile, so
 * none falls through to `info` unnoticed. The names are a contract with whoever reads the logs
 * (journald filters, a fleet's log shipper): rename one only on purpose.
 *
 * This module is plain data and imports nothing, so every layer may name its events with it, the pure
 * `pairing/` included.
 */

/** How a line is marked: journald's priority (sd-daemon(3)) in logfmt, `level` in JSON. */
export type Severity = 'error' | 'warning' | 'info' | 'debug';

/** Logged by the pure state machine (`pairing/step.ts`) as `log` effects. */
export type PairingLogEvent =
  | 'code_issued'
  | 'code_resumed'
  | 'offline'
  | 'poll_failed'
  | 'slow_down'
  | 'cancelled'
  | 'denied'
  | 'code_expired'
  | 'idp_error'
  | 'paired'
  | 'refreshed'
  | 'refreshed_rotated'
  | 'refresh_failed'
  | 'refresh_refused'
  | 'pairing_lost'
  | 'pairing_resumed'
  | 'clock_behind'
  | 'unpairing'
  | 'unpaired';

/** Logged by the OAuth layer (`oauth/`), when it is given a logger. */
export type OAuthLogEvent = 'oauth.http' | 'oauth.http.error' | 'oauth.discovery.cached' | 'oauth.discovery.skipped' | 'oauth.discovery.cache_write_failed';

/** Logged by the agent's shell (`agent/`) and its store (`store/`). */
export type AgentLogEvent =
  | 'agent_started'
  | 'state'
  | 'state_saved'
  | 'effect_failed'
  | 'io_failed'
  | 'display_failed'
  | 'panel'
  | 'stopped_with_request_in_flight'
  | 'endpoints_resolved'
  | 'dpop_supported'
  | 'dpop_not_advertised'
  | 'dpop_alg_not_advertised'
  | 'dpop_key_lost'
  | 'provider_clock_offset'
  | 'id_token_unchecked'
  | 'revoke_failed'
  | 'rejected_tokens_revoked'
  | 'userinfo_failed';

/** Logged by the daemon (`daemon/`) and `pairing-agent run`. */
export type DaemonLogEvent =
  | 'starting'
  | 'ready'
  | 'signal'
  | 'stopping'
  | 'fatal'
  | 'api_failed'
  | 'state_recovered'
  | 'state_temp_removed'
  | 'state_mode_tightened'
  | 'state_read_only'
  | 'control_socket_unavailable'
  | 'socket_fallback';

export type LogEvent = PairingLogEvent | OAuthLogEvent | AgentLogEvent | DaemonLogEvent;

/**
 * `error`: the agent cannot do its job without someone acting (a pairing lost, a request it cannot make).
 * `warning`: it works on, degraded or retrying. `info`: the normal course of things. `debug`: each
 * step of it, for someone looking into a problem.
 */
export const SEVERITY: Record<LogEvent, Severity> = {
  code_issued: 'info',
  code_resumed: 'info',
  offline: 'warning',
  poll_failed: 'warning',
  slow_down: 'info',
  cancelled: 'info',
  denied: 'warning',
  code_expired: 'warning',
  idp_error: 'error',
  paired: 'info',
  refreshed: 'info',
  refreshed_rotated: 'info',
  refresh_failed: 'warning',
  refresh_refused: 'info',
  pairing_lost: 'error',
  pairing_resumed: 'info',
  clock_behind: 'info',
  unpairing: 'info',
  unpaired: 'info',

  // Every request to the provider (a poll each interval while a code is shown): written only with
  // --debug or PAIRING_AGENT_DEBUG=1, so a card is not worn by lines nobody reads (issue #18).
  'oauth.http': 'debug',
  // A request that got no usable answer (timeout, reset, refused, 5xx, 429): the caller retries; the
  // line says which request and how it failed (issue #14 item 5).
  'oauth.http.error': 'warning',
  'oauth.discovery.cached': 'info',
  'oauth.discovery.skipped': 'info',
  'oauth.discovery.cache_write_failed': 'warning',

  agent_started: 'info',
  state: 'info',
  state_saved: 'info',
  effect_failed: 'error',
  io_failed: 'error',
  display_failed: 'error',
  panel: 'info',
  // Stopped before an answer came: a refresh's answer may be lost with its rotated token (issue #14 item 5).
  stopped_with_request_in_flight: 'warning',
  endpoints_resolved: 'info',
  dpop_supported: 'info',
  dpop_not_advertised: 'info',
  dpop_alg_not_advertised: 'info',
  dpop_key_lost: 'error',
  // The provider's clock differs from the device's (a Pi that booted without NTP): DPoP proofs are
  // stamped by the provider's, so the agent works on, but the device's clock is wrong (issue #19).
  // Said once per provider origin, again when it changes; 0 when the device's clock has caught up.
  provider_clock_offset: 'warning',
  id_token_unchecked: 'warning',
  revoke_failed: 'warning',
  // The tokens that came with a refused ID token, revoked at the provider (RFC 7009).
  rejected_tokens_revoked: 'info',
  userinfo_failed: 'warning',

  starting: 'info',
  ready: 'info',
  signal: 'info',
  stopping: 'info',
  fatal: 'error',
  // The local API answered 500: a failure the caller cannot act on (issue #14 item 5).
  api_failed: 'error',
  state_recovered: 'warning',
  state_temp_removed: 'info',
  state_mode_tightened: 'info',
  state_read_only: 'warning',
  control_socket_unavailable: 'warning',
  socket_fallback: 'info',
};

/**
 * Structured log: one event name and flat fields per line; never tokens or device codes. The event is one
 * of the `LogEvent`s, each with its severity (issue #14 item 5).
 */
export type Logger = (event: LogEvent, fields?: Record<string, string | number | boolean | undefined>) => void;
