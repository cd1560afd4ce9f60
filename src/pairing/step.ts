/**
 * The pairing state machine: a pure `step(state, event, ctx) → [state, effects]` (issue #4; xstate's
 * `transition`, redux-loop). No timers, no I/O: the shell (`agent.ts`) runs the effects in order and
 * feeds their results back as events. A `persist` effect always comes before the effects that depend
 * on the persisted data (a device code is on disk before it is shown; a rotated refresh token before
 * it is used).
 */
import type { Effect, Event, Identity, PendingCode, PollOutcome, RefreshOutcome, State, StepContext, Tokens, TokenSet } from './state.js';
import {
  autoPairPause, clockIsBehind, freshEnough, MIN_LIFETIME_MS, ON_DEMAND_REFRESH_SPACING_MS, REFRESH_BACKOFF_BASE_MS, REFUSAL_RECHECK_JITTER_MS, REFUSAL_RECHECK_MS, refreshPlan, resumeRefreshTime, retryDelay, SECOND_MS, slowDownInterval, windowEnd,
} from './timing.js';

export type StepResult = [State, Effect[]];

export function step(state: State, event: Event, ctx: StepContext): StepResult {
  if (event.type === 'clock_stepped') return onClockStepped(state, event.byMs);
  if (event.type === 'logout') return onLogout(state, ctx);
  switch (state.name) {
    case 'unpaired':
      return fromIdle(state, event, ctx);
    case 'denied':
    case 'code_expired':
    case 'failed':
      return fromStopped(state, event, ctx);
    case 'offline':
      return fromOffline(state, event, ctx);
    case 'requesting_code':
      return fromRequesting(state, event, ctx);
    case 'awaiting_user':
      return fromAwaiting(state, event, ctx);
    case 'paired':
    case 'refreshing':
      return fromPaired(state, event, ctx);
    case 'unpairing':
      return fromUnpairing(state, event, ctx);
  }
}

const stay = (state: State): StepResult => [state, []];

function requestCode(attempt = 0, restarts = 0): StepResult {
  return [{ name: 'requesting_code', attempt, restarts }, [{ type: 'wake', at: undefined }, { type: 'request_code' }]];
}

type Resting = Extract<State, { name: 'unpaired' | 'denied' | 'code_expired' | 'failed' }>;

/**
 * Enter a state that waits for a person, running `before`, the wake-up, then `after`. A button-less
 * kiosk (`auto_pair`) has no one to press, so it schedules its own restart after the `pause`-th
 * automatic pause (issue #4); everyone else cancels the wake-up. The one place this tail is written.
 */
function rest(state: Resting, pause: number, ctx: StepContext, before: Effect[], after: Effect[] = []): StepResult {
  if (!ctx.autoPair) return [state, [...before, { type: 'wake', at: undefined }, ...after]];
  const autoRetryAt = ctx.now + autoPairPause(pause, ctx.random);
  return [{ ...state, autoRetryAt }, [...before, { type: 'wake', at: autoRetryAt }, ...after]];
}

/** The IdP refused in a way retrying will not fix now; a kiosk still tries again after a long pause. */
function failed(reason: string, restarts: number, ctx: StepContext): StepResult {
  return rest({ name: 'failed', reason, restarts }, restarts + 1, ctx, [{ type: 'persist' }, { type: 'log', event: 'idp_error', fields: { reason } }]);
}

/**
 * Back to `unpaired`, with `before` effects first (wipe, persist). A button-less kiosk has no other way
 * to pair again, so it asks for a new code after a pause (issue #4 `auto_pair`).
 */
function toUnpaired(notice: 'pairing_lost' | 'cancelled' | 'unpaired', ctx: StepContext, before: Effect[], after: Effect[] = [], lostReason?: string): StepResult {
  return rest({ name: 'unpaired', notice, ...(lostReason === undefined ? {} : { lostReason }) }, 0, ctx, before, after);
}

/**
 * `pairing-agent logout` (issue #7): a pairing is revoked and forgotten, a code on the screen given up,
 * as with a long press. An unpairing already under way is left to its revocation (a one-shot command
 * resumes an interrupted one with `start`). Every other state has neither pairing nor code to forget and
 * is left as it is, a stopped flow included (the command reports the state); a long press would
 * dismiss it to `unpaired`.
 */
function onLogout(state: State, ctx: StepContext): StepResult {
  switch (state.name) {
    case 'paired':
    case 'refreshing':
      return fromPaired(state, { type: 'long_press' }, ctx);
    case 'awaiting_user':
      return fromAwaiting(state, { type: 'long_press' }, ctx);
    default:
      return stay(state);
  }
}

/** The pairing is gone at the server: forget it, and say why (issue #4, #12). */
function pairingLost(state: Extract<State, { name: 'refreshing' }>, reason: string, code: string, ctx: StepContext): StepResult {
  return toUnpaired('pairing_lost', ctx, [{ type: 'wipe' }, { type: 'persist' }], [
    { type: 'log', event: 'pairing_lost', fields: { reason, code, after_lost_answer: state.refreshUncertain ?? false } },
  ], reason);
}

function fromIdle(state: Extract<State, { name: 'unpaired' }>, event: Event, ctx: StepContext): StepResult {
  if (event.type === 'press') return requestCode();
  if (event.type === 'start' && ctx.autoPair) return requestCode();
  if (event.type === 'timer' && ctx.autoPair && state.autoRetryAt !== undefined) {
    return ctx.now >= state.autoRetryAt ? requestCode() : [state, [{ type: 'wake', at: state.autoRetryAt }]];
  }
  return stay(state);
}

/** denied, code_expired, failed: a press starts over; a kiosk starts over on its own after a pause. */
function fromStopped(state: Extract<State, { name: 'denied' | 'code_expired' | 'failed' }>, event: Event, ctx: StepContext): StepResult {
  switch (event.type) {
    case 'press':
      return requestCode();
    case 'long_press':
      return toUnpaired('cancelled', ctx, [{ type: 'persist' }]);
    case 'start':
      if (!ctx.autoPair) return stay(state);
      return scheduleAutoRestart(state, ctx);
    case 'timer':
      if (state.autoRetryAt !== undefined && ctx.now >= state.autoRetryAt) return requestCode(0, state.restarts + 1);
      return [state, [{ type: 'wake', at: state.autoRetryAt }]];
    default:
      return stay(state);
  }
}

function scheduleAutoRestart(state: Extract<State, { name: 'denied' | 'code_expired' | 'failed' }>, ctx: StepContext): StepResult {
  return rest(state, state.restarts, ctx, []);
}

/** Enter a stopped state after a flow ended; `restarts` counts automatic restarts in a row. */
function stopped(name: 'denied' | 'code_expired', restarts: number, ctx: StepContext, fields: Record<string, string>): StepResult {
  return rest({ name, restarts }, restarts, ctx, [{ type: 'persist' }, { type: 'log', event: name, fields }]);
}

function fromOffline(state: Extract<State, { name: 'offline' }>, event: Event, ctx: StepContext): StepResult {
  switch (event.type) {
    case 'press':
    case 'start':
      return requestCode(state.attempt, state.restarts);
    case 'long_press':
      return toUnpaired('cancelled', ctx, [{ type: 'persist' }]);
    case 'timer':
      return ctx.now >= state.retryAt ? requestCode(state.attempt, state.restarts) : [state, [{ type: 'wake', at: state.retryAt }]];
    default:
      return stay(state);
  }
}

function fromRequesting(state: Extract<State, { name: 'requesting_code' }>, event: Event, ctx: StepContext): StepResult {
  switch (event.type) {
    case 'start':
      // The request was in flight when the agent stopped: ask again.
      return requestCode(state.attempt, state.restarts);
    case 'long_press':
      return toUnpaired('cancelled', ctx, [{ type: 'persist' }]);
    case 'device_authorization': {
      const { result } = event;
      if (result.kind === 'ok') {
        const a = result.authorization;
        const code: PendingCode = {
          deviceCode: a.deviceCode,
          userCode: a.userCode,
          verificationUri: a.verificationUri,
          ...(a.verificationUriComplete === undefined ? {} : { verificationUriComplete: a.verificationUriComplete }),
          expiresAt: ctx.now + a.expiresIn * SECOND_MS,
          expiresIn: a.expiresIn,
          interval: a.interval,
        };
        const nextPollAt = ctx.now + code.interval * SECOND_MS;
        return [
          { name: 'awaiting_user', code, nextPollAt, failures: 0, deadlineTrusted: true, restarts: state.restarts },
          [
            { type: 'persist' },
            { type: 'log', event: 'code_issued', fields: { user_code: code.userCode, expires_in: code.expiresIn, interval: code.interval } },
            { type: 'wake', at: nextPollAt },
          ],
        ];
      }
      if (result.kind === 'transient') {
        const delay = Math.max(result.retryAfterMs ?? 0, retryDelay(state.attempt, ctx.random));
        const retryAt = ctx.now + delay;
        return [
          { name: 'offline', retryAt, attempt: state.attempt + 1, reason: result.reason, restarts: state.restarts },
          [{ type: 'persist' }, { type: 'log', event: 'offline', fields: { reason: result.reason, retry_in_ms: delay } }, { type: 'wake', at: retryAt }],
        ];
      }
      return failed(result.reason, state.restarts, ctx);
    }
    default:
      return stay(state);
  }
}

function fromAwaiting(state: Extract<State, { name: 'awaiting_user' }>, event: Event, ctx: StepContext): StepResult {
  const { code } = state;
  switch (event.type) {
    case 'start': {
      // Resumed after a restart: show the same code, let the server judge its expiry, and wait a full
      // interval first since the previous poll's time is unknown (RFC 8628 §3.5: never faster).
      const nextPollAt = ctx.now + code.interval * SECOND_MS;
      return [
        { ...state, nextPollAt, deadlineTrusted: false },
        [{ type: 'log', event: 'code_resumed', fields: { user_code: code.userCode } }, { type: 'wake', at: nextPollAt }],
      ];
    }
    case 'long_press':
      return toUnpaired('cancelled', ctx, [{ type: 'persist' }], [{ type: 'log', event: 'cancelled', fields: { user_code: code.userCode } }]);
    case 'timer':
      if (state.deadlineTrusted && ctx.now >= code.expiresAt) {
        // RFC 8628 §3.5: stop polling once the code has expired.
        return stopped('code_expired', state.restarts, ctx, { user_code: code.userCode });
      }
      if (ctx.now < state.nextPollAt) return [state, [{ type: 'wake', at: state.nextPollAt }]];
      return [state, [{ type: 'poll', deviceCode: code.deviceCode, interval: code.interval }]];
    case 'poll':
      if (event.deviceCode !== undefined && event.deviceCode !== code.deviceCode) return stay(state);
      return onPollResult(state, event.result, event.identity, ctx);
    default:
      return stay(state);
  }
}

function onPollResult(state: Extract<State, { name: 'awaiting_user' }>, result: PollOutcome, identity: Identity | undefined, ctx: StepContext): StepResult {
  const { code } = state;
  // Every wait is measured from this response (RFC 8628 §3.5).
  const afterInterval = (interval: number, failures: number, floorMs = 0): StepResult => {
    const nextPollAt = ctx.now + Math.max(interval * SECOND_MS, floorMs);
    const next: State = { ...state, code: { ...code, interval }, nextPollAt, failures };
    const effects: Effect[] = interval !== code.interval ? [{ type: 'persist' }] : [];
    return [next, [...effects, { type: 'wake', at: nextPollAt }]];
  };
  /** A failed poll: the same interval, backed off further, and at least `retryAfterMs`. */
  const pollAgainLater = (reason: string, retryAfterMs: number): StepResult => {
    const floor = Math.max(retryAfterMs, retryDelay(state.failures, ctx.random));
    const [next, effects] = afterInterval(code.interval, state.failures + 1, floor);
    return [next, [...effects, { type: 'log', event: 'poll_failed', fields: { reason, failures: state.failures + 1 } }]];
  };
  switch (result.kind) {
    case 'pending':
      return afterInterval(code.interval, 0);
    case 'slow_down': {
      const interval = slowDownInterval(code.interval, result.interval);
      const [next, effects] = afterInterval(interval, 0);
      return [next, [...effects, { type: 'log', event: 'slow_down', fields: { interval } }]];
    }
    case 'transient':
      return pollAgainLater(result.reason, result.retryAfterMs ?? 0);
    case 'malformed':
      // A garbled answer (an HTML page from a proxy, a cut-off body) says nothing about the code: keep
      // polling, backing off, and let the server say `expired_token` if it is gone.
      return pollAgainLater(result.reason, 0);
    case 'denied':
      return stopped('denied', state.restarts, ctx, { user_code: code.userCode });
    case 'expired':
      return stopped('code_expired', state.restarts, ctx, { user_code: code.userCode });
    case 'refused':
      // A real refusal (invalid_client, unauthorized_client…) ends the flow.
      return failed(result.reason, state.restarts, ctx);
    case 'tokens':
      return paired(tokensFrom(result.tokens, ctx), identity ?? {}, ctx, 'paired');
  }
}

function tokensFrom(set: TokenSet, ctx: StepContext, previous?: Tokens): Tokens {
  const { now } = ctx;
  const refreshToken = set.refreshToken ?? previous?.refreshToken;
  const idToken = set.idToken ?? previous?.idToken;
  const scope = set.scope ?? previous?.scope;
  // Lifetimes under a second count as not stated (issue #12); Keycloak's `refresh_expires_in` of 0 is an
  // offline token without an idle window. Each answer restates the windows: an idle window restarts
  // with every refresh, so a window of an earlier answer is not carried over.
  const accessExpiresAt = windowEnd(now, set.expiresIn);
  const refreshWindows = [
    windowEnd(now, set.refreshExpiresIn),
    windowEnd(now, set.refreshTokenExpiresIn),
    ctx.refreshIdleTimeoutMs === undefined ? undefined : now + ctx.refreshIdleTimeoutMs,
  ].filter((at): at is number => at !== undefined);
  const refreshExpiresAt = refreshToken === undefined || refreshWindows.length === 0 ? undefined : Math.min(...refreshWindows);
  return {
    accessToken: set.accessToken,
    tokenType: set.tokenType,
    issuedAt: now,
    ...(accessExpiresAt === undefined ? {} : { accessExpiresAt }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(refreshExpiresAt === undefined ? {} : { refreshExpiresAt }),
    ...(idToken === undefined ? {} : { idToken }),
    ...(scope === undefined ? {} : { scope }),
  };
}

/**
 * When to refresh: ahead of whichever window closes first, the access token's or the refresh token's
 * (issue #12); never without a refresh token.
 */
function refreshAtFor(tokens: Tokens, random: number): number | undefined {
  if (tokens.refreshToken === undefined) return undefined;
  return refreshPlan(tokens.issuedAt, [tokens.accessExpiresAt, tokens.refreshExpiresAt], random);
}

/** The span from issue to the first window that closes, for spreading resumed refreshes. */
function shortestLifetime(tokens: Tokens, now: number): number {
  const closes = Math.min(tokens.accessExpiresAt ?? now, tokens.refreshExpiresAt ?? Number.POSITIVE_INFINITY);
  return Math.max(MIN_LIFETIME_MS, closes - tokens.issuedAt);
}

/** Enter `paired` with fresh tokens: persist first, then learn who, then schedule the refresh. */
function paired(tokens: Tokens, identity: Identity, ctx: StepContext, logEvent: 'paired' | 'refreshed' | 'refreshed_rotated'): StepResult {
  const refreshAt = refreshAtFor(tokens, ctx.random);
  const state: State = { name: 'paired', tokens, identity, failures: 0, ...(refreshAt === undefined ? {} : { refreshAt }) };
  const effects: Effect[] = [
    { type: 'persist' },
    { type: 'log', event: logEvent, fields: { subject: identity.subject, expires_at: tokens.accessExpiresAt, refresh_expires_at: tokens.refreshExpiresAt } },
  ];
  if (identity.who === undefined && ctx.hasUserinfo) effects.push({ type: 'fetch_identity', accessToken: tokens.accessToken });
  effects.push({ type: 'wake', at: refreshAt });
  return [state, effects];
}

/**
 * The wall clock stepped forward (issue #12). Waits measured in this run (a poll interval, a backoff, a
 * kiosk's pause) and a shown code's age are elapsed time: they move with the clock, so a code does not
 * "expire" because NTP set the clock. The refresh plan follows the tokens' own times: the timer is
 * re-armed, and a refresh the step made due happens now.
 */
function onClockStepped(state: State, by: number): StepResult {
  switch (state.name) {
    case 'awaiting_user': {
      const next: State = { ...state, code: { ...state.code, expiresAt: state.code.expiresAt + by }, nextPollAt: state.nextPollAt + by };
      return [next, [{ type: 'persist' }, { type: 'wake', at: next.nextPollAt }]];
    }
    case 'offline':
      return [{ ...state, retryAt: state.retryAt + by }, [{ type: 'persist' }, { type: 'wake', at: state.retryAt + by }]];
    case 'unpaired':
    case 'denied':
    case 'code_expired':
    case 'failed': {
      if (state.autoRetryAt === undefined) return [state, []];
      const autoRetryAt = state.autoRetryAt + by;
      return [{ ...state, autoRetryAt }, [{ type: 'persist' }, { type: 'wake', at: autoRetryAt }]];
    }
    case 'paired': {
      if (state.refreshAt === undefined) return [state, []];
      // A backoff is a wait; a planned refresh follows the tokens' times.
      if (state.failures > 0) {
        const refreshAt = state.refreshAt + by;
        return [{ ...state, refreshAt }, [{ type: 'persist' }, { type: 'wake', at: refreshAt }]];
      }
      return [state, [{ type: 'wake', at: state.refreshAt }]];
    }
    case 'requesting_code':
    case 'refreshing':
    case 'unpairing':
      return [state, []];
  }
}

/**
 * Tokens stored "in the future" mean the wall clock is behind (no RTC, before NTP; issue #12): how long
 * ago they were issued is unknown, so the access token is taken as spent — never handed out as valid
 * for longer than it may have left — and every time is moved by the same amount, which keeps the
 * refresh window's length. A refresh is then due at once (spread at start-up).
 */
export function replanBehindClock(tokens: Tokens, now: number): Tokens {
  const shift = now - (tokens.accessExpiresAt ?? tokens.issuedAt);
  return {
    ...tokens,
    issuedAt: tokens.issuedAt + shift,
    ...(tokens.accessExpiresAt === undefined ? {} : { accessExpiresAt: tokens.accessExpiresAt + shift }),
    ...(tokens.refreshExpiresAt === undefined ? {} : { refreshExpiresAt: tokens.refreshExpiresAt + shift }),
  };
}

function fromPaired(state: Extract<State, { name: 'paired' | 'refreshing' }>, event: Event, ctx: StepContext): StepResult {
  if (clockIsBehind(state.tokens.issuedAt, ctx.now)) {
    const tokens = replanBehindClock(state.tokens, ctx.now);
    const replanned = state.name === 'paired' && state.refreshAt !== undefined ? { ...state, tokens, refreshAt: ctx.now } : { ...state, tokens };
    const [next, effects] = fromPaired(replanned, event, ctx);
    const note: Effect = { type: 'log', event: 'clock_behind', fields: { by_ms: state.tokens.issuedAt - ctx.now } };
    return [next, effects.some((e) => e.type === 'persist') ? [note, ...effects] : [note, { type: 'persist' }, ...effects]];
  }
  switch (event.type) {
    case 'long_press':
      return [
        { name: 'unpairing', tokens: state.tokens },
        [
          { type: 'persist' },
          { type: 'wake', at: undefined },
          { type: 'log', event: 'unpairing', fields: { subject: state.identity.subject } },
          { type: 'revoke', accessToken: state.tokens.accessToken, ...(state.tokens.refreshToken === undefined ? {} : { refreshToken: state.tokens.refreshToken }) },
        ],
      ];
    case 'identity':
      return [{ ...state, identity: { ...state.identity, ...event.identity } }, [{ type: 'persist' }]];
    case 'refresh':
      return state.name === 'refreshing' ? onRefreshResult(state, event.result, ctx) : stay(state);
    default:
      break;
  }
  if (state.name === 'refreshing') {
    // A refresh was in flight when the agent stopped: its answer is lost, so the refresh token may be
    // consumed. Go back to `paired` and retry deliberately after a pause (issue #3).
    if (event.type === 'start') return backToPaired(state, state.failures, true, ctx, 0);
    return stay(state);
  }
  switch (event.type) {
    case 'start': {
      const { tokens } = state;
      if (state.refreshAt === undefined) return [state, [{ type: 'wake', at: undefined }]];
      const refreshAt = resumeRefreshTime(state.refreshAt, ctx.now, shortestLifetime(tokens, ctx.now), ctx.random);
      return [{ ...state, refreshAt }, [{ type: 'log', event: 'pairing_resumed', fields: { subject: state.identity.subject } }, { type: 'wake', at: refreshAt }]];
    }
    case 'timer': {
      if (state.refreshAt === undefined) return stay(state);
      if (ctx.now < state.refreshAt) return [state, [{ type: 'wake', at: state.refreshAt }]];
      // After a failure every attempt, on a timer or on demand, keeps its distance (issue #12).
      const spaced = spacedUntil(state);
      if (ctx.now < spaced) return [state, [{ type: 'wake', at: spaced }]];
      return startRefresh(state);
    }
    case 'token_wanted':
      // Many callers may ask at once: only a token that is really near expiry is refreshed, and a
      // refresh that failed waits out its backoff (or its deliberate pause after a lost answer) —
      // unless the token has expired and an app is waiting for one (issue #12, `mayRefreshOnDemand`).
      if (freshEnough(state.tokens.issuedAt, state.tokens.accessExpiresAt, ctx.now)) return stay(state);
      if (ctx.now < spacedUntil(state)) return stay(state);
      if (state.failures > 0 && state.refreshAt !== undefined && ctx.now < state.refreshAt && !mayRefreshOnDemand(state, ctx.now)) return stay(state);
      // However short the provider's lifetimes, apps cannot make the agent refresh in a loop (issue #12).
      if (ctx.now < state.tokens.issuedAt + ON_DEMAND_REFRESH_SPACING_MS) return stay(state);
      return startRefresh(state);
    default:
      return stay(state);
  }
}

/** After a failed refresh, nothing goes out again before this (ms). */
function spacedUntil(state: Extract<State, { name: 'paired' }>): number {
  return state.lastFailureAt === undefined ? Number.NEGATIVE_INFINITY : state.lastFailureAt + ON_DEMAND_REFRESH_SPACING_MS;
}

/**
 * Inside a refresh backoff, an app waiting for a token whose stored one has expired may send one
 * refresh early, so the agent recovers within seconds of the provider's return instead of when the
 * backoff says (issue #12): at most one every `ON_DEMAND_REFRESH_SPACING_MS`, never before a
 * `Retry-After` ran out (RFC 9110 §10.2.3), never in the pause before a refusal is confirmed. One at a
 * time: `refreshing` ignores `token_wanted`.
 */
function mayRefreshOnDemand(state: Extract<State, { name: 'paired' }>, now: number): boolean {
  const { accessExpiresAt } = state.tokens;
  if (accessExpiresAt === undefined || accessExpiresAt > now) return false;
  if (state.refused !== undefined) return false;
  if (state.retryAfterUntil !== undefined && now < state.retryAfterUntil) return false;
  return now >= spacedUntil(state);
}

function startRefresh(state: Extract<State, { name: 'paired' }>): StepResult {
  const refreshToken = state.tokens.refreshToken;
  if (refreshToken === undefined) return stay(state);
  const next: State = {
    name: 'refreshing',
    tokens: state.tokens,
    identity: state.identity,
    failures: state.failures,
    ...(state.refreshUncertain ? { refreshUncertain: true } : {}),
    ...(state.unreachable ? { unreachable: true } : {}),
    ...(state.refused === undefined ? {} : { refused: state.refused }),
  };
  // Persisted so that a crash mid-refresh is known at start-up to have maybe consumed the token.
  return [next, [{ type: 'persist' }, { type: 'refresh', refreshToken }]];
}

function backToPaired(
  state: Extract<State, { name: 'refreshing' }>,
  failures: number,
  uncertain: boolean,
  ctx: StepContext,
  floorMs: number,
  unreachable = state.unreachable ?? false,
): StepResult {
  const refreshAt = ctx.now + Math.max(floorMs, retryDelay(failures, ctx.random, REFRESH_BACKOFF_BASE_MS));
  const next: State = {
    name: 'paired',
    tokens: state.tokens,
    identity: state.identity,
    failures: failures + 1,
    refreshAt,
    lastFailureAt: ctx.now,
    ...(floorMs > 0 ? { retryAfterUntil: ctx.now + floorMs } : {}),
    ...(uncertain ? { refreshUncertain: true } : {}),
    // Issue #16: the offline-while-paired screen shows while refreshes cannot reach the provider.
    ...(unreachable ? { unreachable: true } : {}),
  };
  return [next, [{ type: 'persist' }, { type: 'wake', at: refreshAt }]];
}

/** Refusals of the grant itself by the token endpoint (a 4xx other than 408/429), as opposed to refused tokens. */
const DEFINITIVE_REFUSALS: ReadonlySet<string> = new Set(['oauth_error', 'http_refusal']);

function onRefreshResult(state: Extract<State, { name: 'refreshing' }>, result: RefreshOutcome, ctx: StepContext): StepResult {
  switch (result.kind) {
    case 'tokens':
      return paired(tokensFrom(result.tokens, ctx, state.tokens), state.identity, { ...ctx, hasUserinfo: false }, result.rotated ? 'refreshed_rotated' : 'refreshed');
    case 'invalid_grant':
      // The pairing is gone at the server (revoked, expired, reuse detected): forget it (issue #4).
      return pairingLost(state, result.reason, 'invalid_grant', ctx);
    case 'transient': {
      // Only the network: keep the pairing and try again later (issue #3, #4).
      const uncertain = (state.refreshUncertain ?? false) || result.requestMayHaveBeenProcessed;
      const [next, effects] = backToPaired(state, state.failures, uncertain, ctx, result.retryAfterMs ?? 0, true);
      return [next, [...effects, { type: 'log', event: 'refresh_failed', fields: { reason: result.reason, code: result.code, may_have_been_processed: result.requestMayHaveBeenProcessed } }]];
    }
    case 'malformed': {
      // A malformed answer: keep the pairing (maybe with the salvaged rotated token) and retry later.
      const tokens = result.salvagedRefreshToken === undefined ? state.tokens : { ...state.tokens, refreshToken: result.salvagedRefreshToken };
      const [next, effects] = backToPaired({ ...state, tokens }, state.failures, false, ctx, 0, false);
      return [next, [...effects, { type: 'log', event: 'refresh_failed', fields: { reason: result.reason, code: result.code } }]];
    }
    case 'refused': {
      if (!DEFINITIVE_REFUSALS.has(result.code)) {
        const [next, effects] = backToPaired(state, state.failures, false, ctx, 0, false);
        return [next, [...effects, { type: 'log', event: 'refresh_failed', fields: { reason: result.reason, code: result.code } }]];
      }
      // The token endpoint said no without `invalid_grant` (Glewlwyd's empty 400, invalid_client…).
      // Twice in a row, a pause apart, and the pairing is gone (issue #12); once may be a stray answer.
      if (state.refused !== undefined) return pairingLost(state, result.reason, result.code, ctx);
      const refreshAt = ctx.now + REFUSAL_RECHECK_MS + Math.round(ctx.random * REFUSAL_RECHECK_JITTER_MS);
      const next: State = { name: 'paired', tokens: state.tokens, identity: state.identity, failures: state.failures + 1, refreshAt, lastFailureAt: ctx.now, refused: result.reason };
      return [next, [{ type: 'persist' }, { type: 'wake', at: refreshAt }, { type: 'log', event: 'refresh_refused', fields: { reason: result.reason, code: result.code, ask_again_in_ms: refreshAt - ctx.now } }]];
    }
  }
}

function fromUnpairing(state: Extract<State, { name: 'unpairing' }>, event: Event, ctx: StepContext): StepResult {
  switch (event.type) {
    case 'start':
      // Interrupted while revoking: revoke again (revocation is idempotent, RFC 7009 §2.2).
      return [state, [{ type: 'revoke', accessToken: state.tokens.accessToken, ...(state.tokens.refreshToken === undefined ? {} : { refreshToken: state.tokens.refreshToken }) }]];
    case 'refresh':
      // A refresh that was in flight when the person unpaired: revoke what it brought too, or the
      // rotated refresh token would stay valid at the server.
      if (event.result.kind !== 'tokens') return stay(state);
      return [state, [{ type: 'revoke', accessToken: event.result.tokens.accessToken, refreshToken: event.result.tokens.refreshToken }]];
    case 'revoked': {
      // Wipe even when the server could not be reached or refused: the person asked for the device to
      // forget. But say so (issue #13): tokens not revoked stay valid at the provider until they expire.
      const notRevoked = event.ok ? {} : { revoked: false as const, revokeReason: event.reason ?? 'no answer' };
      const [next, effects] = toUnpaired('unpaired', ctx, [], [
        { type: 'log', event: 'unpaired', fields: { revoked: event.ok, ...(event.ok ? {} : { reason: notRevoked.revokeReason }) } },
      ]);
      return [{ ...next, ...notRevoked }, [{ type: 'wipe' }, { type: 'persist' }, ...effects]];
    }
    default:
      return stay(state);
  }
}
