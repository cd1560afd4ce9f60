/**
 * `status` as JSON (issue #7, a public contract): the state name, and what a person or a script needs
 * to act on it. Never a secret: no device code, no token.
 */
import type { State, StateName } from '../pairing/state.js';
import { printable } from '../text/printable.js';

/**
 * Every public state name, as `status` reports it (issue #17: `pairing-agent wait <state>` checks its
 * argument against this list). The `Record` makes the compiler reject a state added to `State` but
 * not here.
 */
const STATE_NAME_SET: Record<StateName, true> = {
  unpaired: true,
  requesting_code: true,
  awaiting_user: true,
  paired: true,
  refreshing: true,
  unpairing: true,
  denied: true,
  code_expired: true,
  offline: true,
  failed: true,
};
export const STATE_NAMES = Object.keys(STATE_NAME_SET) as readonly StateName[];

export const isStateName = (name: string): name is StateName => Object.hasOwn(STATE_NAME_SET, name);

export interface Status {
  state: State['name'];
  user_code?: string;
  verification_uri?: string;
  verification_uri_complete?: string | null;
  /** When the shown code expires (ISO 8601). */
  expires_at?: string;
  subject?: string | null;
  who?: string | null;
  /** When the current access token expires (ISO 8601), or null when the provider did not say. */
  access_token_expires_at?: string | null;
  /**
   * When the refresh token stops working if the agent does not refresh first (ISO 8601): its idle or
   * absolute window (issue #12). Absent when the provider stated none and none is configured.
   */
  refresh_expires_at?: string;
  /** Why the agent is where it is: `pairing_lost`, `cancelled`, `unpaired`, or an IdP error text. */
  reason?: string;
  /** With `pairing_lost`: what the identity provider answered (issue #12). */
  lost_reason?: string;
  /** Paired, but the last refresh was refused: it is asked once more before the pairing counts as lost (issue #12). */
  refresh_refused?: string;
  /**
   * `false` after an unpairing whose tokens the provider did not confirm revoking (they stay valid
   * there until they expire), until the next pairing; absent otherwise (issue #13).
   */
  revoked?: false;
  /** The provider's answer to the revocation, when `revoked` is false. */
  revoke_reason?: string;
  /** When the agent retries on its own (offline, kiosk restarts). */
  retry_at?: string;
  /**
   * The state directory, when it cannot be written (issue #13): the saved token is served but never
   * renewed (a refresh whose new tokens could not be saved is not sent), and no pairing can start.
   */
  read_only_state_dir?: string;
  /** The token API's socket, when a daemon serves it (issue #13). */
  socket?: string;
  /** Whether a daemon is running this state right now. */
  daemon: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The status of `state`, and `readOnlyDir` when the state directory cannot be written. Every text in
 * it came from the provider (a user code, a name, an error description) and is made printable here,
 * for the terminal, the log and scripts alike (issue #13).
 */
export function statusOf(state: State, daemon: boolean, readOnlyDir?: string): Status {
  return printableStatus({ ...describe(state, daemon), ...(readOnlyDir === undefined ? {} : { read_only_state_dir: readOnlyDir }) });
}

/** `status` with its texts made printable: also for a status read back from a daemon's answer. */
export function printableStatus(status: Status): Status {
  const entries = Object.entries(status).map(([key, value]) => [key, typeof value === 'string' ? printable(value) : value]);
  return Object.fromEntries(entries) as unknown as Status;
}

function describe(state: State, daemon: boolean): Status {
  switch (state.name) {
    case 'awaiting_user':
      return {
        state: state.name,
        user_code: state.code.userCode,
        verification_uri: state.code.verificationUri,
        verification_uri_complete: state.code.verificationUriComplete ?? null,
        expires_at: iso(state.code.expiresAt),
        daemon,
      };
    case 'paired':
    case 'refreshing':
      return {
        state: state.name,
        subject: state.identity.subject ?? null,
        who: state.identity.who ?? null,
        access_token_expires_at: state.tokens.accessExpiresAt === undefined ? null : iso(state.tokens.accessExpiresAt),
        ...(state.refused === undefined ? {} : { refresh_refused: state.refused }),
        ...(state.tokens.refreshExpiresAt === undefined ? {} : { refresh_expires_at: iso(state.tokens.refreshExpiresAt) }),
        daemon,
      };
    case 'unpaired':
      return {
        state: state.name,
        ...(state.notice === undefined ? {} : { reason: state.notice }),
        ...(state.lostReason === undefined ? {} : { lost_reason: state.lostReason }),
        ...(state.revoked === false ? { revoked: false as const, revoke_reason: state.revokeReason ?? 'unknown' } : {}),
        daemon,
      };
    case 'offline':
      return { state: state.name, reason: state.reason, retry_at: iso(state.retryAt), daemon };
    case 'failed':
      return { state: state.name, reason: state.reason, ...(state.autoRetryAt === undefined ? {} : { retry_at: iso(state.autoRetryAt) }), daemon };
    case 'denied':
    case 'code_expired':
      return { state: state.name, ...(state.autoRetryAt === undefined ? {} : { retry_at: iso(state.autoRetryAt) }), daemon };
    case 'requesting_code':
    case 'unpairing':
      return { state: state.name, daemon };
  }
}

/** One line for people. */
export function statusLine(status: Status): string {
  const readOnly = status.read_only_state_dir;
  return readOnly === undefined ? stateLine(status) : `${stateLine(status)}; the state directory ${readOnly} is read-only: ${isPaired(status) ? 'the token cannot be renewed' : 'no pairing can start'}`;
}

const isPaired = (status: Status) => status.state === 'paired' || status.state === 'refreshing';

function stateLine(status: Status): string {
  switch (status.state) {
    case 'awaiting_user':
      return `awaiting_user: enter code ${status.user_code} at ${status.verification_uri} (expires ${status.expires_at})`;
    case 'paired':
    case 'refreshing':
      return `paired${status.who ? ` as ${status.who}` : ''}${status.subject ? ` (subject ${status.subject})` : ''}; access token expires ${status.access_token_expires_at ?? 'unknown'}`;
    default: {
      const notRevoked = status.revoked === false ? `; tokens not revoked (${status.revoke_reason ?? 'unknown'})` : '';
      return `${status.state}${status.reason ? `: ${status.reason}` : ''}${notRevoked}${status.retry_at ? ` (retry at ${status.retry_at})` : ''}`;
    }
  }
}
