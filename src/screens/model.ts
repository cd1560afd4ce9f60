/**
 * What the panel shows: one variant per state of the pairing agent. Plain data, so the state machine can
 * emit `{ type: 'show', screen }` effects and tests can compare them.
 */
export type Screen =
  /**
   * Not paired. Kiosks without a button start pairing by themselves and say so. `notice` says why when it matters
   * (issue #16): the server ended the pairing, or unpairing could not revoke the tokens.
   */
  | { kind: 'press_to_pair'; hasButton: boolean; notice?: 'pairing_lost' | 'not_revoked' | undefined }
  /** Asking the authorization server for a device code (RFC 8628 §3.1–3.2). */
  | { kind: 'connecting' }
  /**
   * The user code and where to enter it (RFC 8628 §3.3). `verificationUriComplete` goes into the QR code when
   * it fits; the code and `verificationUri` are shown as text either way (§3.3.1).
   */
  | {
      kind: 'code';
      userCode: string;
      verificationUri: string;
      verificationUriComplete?: string | undefined;
      /** Seconds until the device code expires (`expires_in` counted down). */
      secondsLeft: number;
      /** The `expires_in` the countdown started from. */
      totalSeconds: number;
      /**
       * Which page to show when the URL needs a text page of its own (issue #16): 0 is the QR page; counting on
       * past the last page starts over, so the shell simply adds one every `CODE_PAGE_SECONDS`. @default 0
       */
      page?: number | undefined;
    }
  /** Paired; `who` names the account (e.g. from the ID token) when known. */
  | { kind: 'paired'; who?: string | undefined }
  /** No network; the agent retries by itself. `paired` tells whether it still holds a refresh token. */
  | { kind: 'offline'; retryInSeconds: number; paired: boolean }
  /** The user refused the request (`access_denied`, RFC 8628 §3.5). */
  | { kind: 'denied' }
  /** The device code expired before the user acted (`expired_token`, RFC 8628 §3.5). */
  | { kind: 'expired' }
  /** Revoking tokens and forgetting the account. */
  | { kind: 'unpairing' }
  /** Anything else that stops pairing; `reason` is a short human-readable cause. */
  | { kind: 'error'; reason: string };

/** The kinds of {@link Screen}, for tables and exhaustive tests. */
export type ScreenKind = Screen['kind'];

/** The panel sizes the layouts are made for: the common 0.96" (128x64) and 0.91" (128x32) SSD1306 modules. */
export interface PanelSize {
  readonly width: 128;
  readonly height: 64 | 32;
}
