/**
 * The agent's shell: runs the pure state machine (`pairing/step.ts`), persists before acting, performs
 * the effects, feeds their results back as events, and keeps the panel showing the current state.
 * Events are handled one at a time, in order.
 */
import { EventEmitter } from 'node:events';
import type { Hal } from '../../hal/types.js';
import type { Effect, Event, State } from '../pairing/state.js';
import { step } from '../pairing/step.js';
import { CLOCK_WATCH_MS } from '../pairing/timing.js';
import { paint } from '../screens/paint.js';
import { loadQrEncoder } from '../screens/qr.js';
import { textLines, viewScreen } from '../screens/render.js';
import type { Clock } from './clock.js';
import { DIM_CONTRAST, FULL_CONTRAST, panelPlan } from './panel-power.js';
import type { PanelMode } from './panel-power.js';
import type { IdpClient } from './types.js';
import type { Logger } from '../log-events.js';
import type { StateStore } from '../store/state-store.js';
import { hasCountdown, screenFor } from './view.js';

/** setTimeout's largest delay (about 24.8 days); longer waits re-arm when they fire. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Countdowns on screen tick once a second. */
const COUNTDOWN_TICK_MS = 1000;
/** After a failed state write (a full or failing SD card), try again this much later. */
const PERSIST_RETRY_MS = 5_000;
/**
 * …but this much later on a read-only file system: a card the kernel remounted read-only stays so
 * until someone acts, and every 5 s was an error line 720 times an hour for as long (issue #13).
 */
const READ_ONLY_RETRY_MS = 5 * 60_000;

/**
 * Events the agent decides on itself: when the write of their outcome fails, nothing is lost by going
 * back to the state on disk and deciding again later. Every other event brings an answer that cannot
 * be asked for again (a rotated refresh token, tokens for a spent device code) or resolves a restart:
 * its outcome is kept in memory and written as soon as the disk takes it (issue #12).
 */
const RETRYABLE_DECISIONS: ReadonlySet<Event['type']> = new Set(['press', 'long_press', 'logout', 'timer', 'token_wanted']);

/** The timer functions the agent schedules its wake-up and countdown with (the globals by default). */
export interface AgentTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const GLOBAL_TIMERS: AgentTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout | undefined),
};

export interface AgentOptions {
  store: StateStore;
  idp: IdpClient;
  hal: Hal;
  clock: Clock;
  log: Logger;
  autoPair: boolean;
  /** The configured `refresh_idle_timeout`, in ms (issue #12). */
  refreshIdleTimeoutMs?: number;
  /** The state directory cannot be written: the panel says so (issue #13). @default false */
  readOnlyStorage?: boolean;
  /** Where the state is kept, named when it cannot be written (issue #13). */
  stateDir?: string;
  /** For simulations on a virtual clock (test/support/virtual-time.ts). @default the global timers */
  timers?: AgentTimers;
  /** Idle time after which the paired screen switches off (`screen_timeout`); 0 = never. @default 600 s */
  screenTimeoutMs?: number;
}

/** What the panel shows now, as a person reads it (issue #16, `sim screen --text`). */
export interface ShownScreen {
  /** 0-based page of the current screen, and how many it has. */
  page: number;
  pages: number;
  /** The page's lines of text, top to bottom. */
  lines: string[];
  /** Dimmed or switched off while paired and idle (issue #16). */
  panel: PanelMode;
}

/** `screen_timeout`'s default (issue #16). */
const DEFAULT_SCREEN_TIMEOUT_MS = 600_000;

/** The agent options a configuration's `refresh_idle_timeout` (seconds) sets. */
export function refreshIdleTimeoutOf(config: { refresh_idle_timeout?: number }): Pick<AgentOptions, 'refreshIdleTimeoutMs'> {
  return config.refresh_idle_timeout === undefined ? {} : { refreshIdleTimeoutMs: config.refresh_idle_timeout * 1000 };
}

export interface AgentEvents {
  /** After every handled event, with the state it left. */
  state: [State];
}

export class Agent extends EventEmitter<AgentEvents> {
  #state: State = { name: 'unpaired' };
  #queue: Promise<void> = Promise.resolve();
  /** Events dispatched and events handled: the watchdog's evidence that the queue moves (issue #12). */
  #dispatched = 0;
  #handled = 0;
  #wake: unknown;
  #tick: unknown;
  #stopped = false;
  /** Set by `stop()`: no new request goes out, answers to those in flight are still handled. */
  #stopping = false;
  /** Pending `waitFor` calls, cancelled by `stop()` so nothing outlives the agent. */
  readonly #waiters = new Set<() => void>();
  #rendering: Promise<void> = Promise.resolve();
  #shown: ShownScreen | undefined;
  /** Panel rest (issue #16): when the paired screen appeared, the last press on it, the mode applied. */
  #idleSince: number | undefined;
  #wokenAt: number | undefined;
  #panel: PanelMode = 'on';
  #panelTimer: unknown;
  /** Background I/O effects in flight, and who waits for them to settle (`whenIdle`). */
  #inFlight = 0;
  #settled: (() => void)[] = [];
  /** The state in memory is newer than the one on disk: a write failed and is being retried (issue #12). */
  #unsaved = false;
  #saveRetry: unknown;
  /** Clock steps already handed to the state machine (ms), and the interval that looks for new ones. */
  #steppedSeen = 0;
  #clockWatch: unknown;
  /**
   * The state directory cannot be written: found so at start, or a write failed with EROFS since (a
   * card the kernel remounted read-only). A write that lands clears it (issue #13).
   */
  #readOnly: boolean;
  readonly #o: AgentOptions;
  readonly #timers: AgentTimers;

  constructor(options: AgentOptions) {
    super();
    // Every concurrent `GET /token` waits on 'state': many listeners are normal here.
    this.setMaxListeners(0);
    this.#o = options;
    this.#timers = options.timers ?? GLOBAL_TIMERS;
    this.#readOnly = options.readOnlyStorage ?? false;
  }

  get state(): State {
    return this.#state;
  }

  /**
   * The state directory while it cannot be written, so no refresh is sent whose new tokens could not
   * be saved (issue #13); undefined while it can.
   */
  get readOnlyStateDir(): string | undefined {
    return this.#readOnly ? (this.#o.stateDir ?? 'where the state is kept') : undefined;
  }

  /** The page on the panel as last drawn; undefined before the first frame. */
  get shown(): ShownScreen | undefined {
    return this.#shown;
  }

  /**
   * Loads the saved state without acting on it: for one-shot commands (`token`, `logout` without a
   * daemon) that dispatch a single event.
   */
  async load(): Promise<State> {
    const saved = await this.#o.store.load();
    if (saved !== undefined) this.#state = saved;
    return this.#state;
  }

  /** Loads the saved state, resumes it, and starts listening to the button. */
  async start(): Promise<void> {
    await this.load();
    this.#o.log('agent_started', { state: this.#state.name });
    const { button } = this.#o.hal;
    button?.on('press', () => {
      // A press on the resting paired screen wakes the panel (issue #16); the state machine ignores it there.
      if (this.#idleSince !== undefined) this.#wokenAt = this.#o.clock.now();
      void this.dispatch({ type: 'press' });
    });
    button?.on('longPress', () => this.dispatch({ type: 'long_press' }));
    this.#watchClock();
    await this.dispatch({ type: 'start' });
  }

  /** Queues an event; resolves once it and its synchronous effects (persist, wake) are done. */
  dispatch(event: Event): Promise<void> {
    this.#dispatched++;
    const run = this.#queue.then(() => this.#handle(event));
    this.#queue = run.then(
      () => void this.#handled++,
      () => void this.#handled++,
    );
    return run;
  }

  /** Events queued (waiting or in hand) and handled so far, for the systemd watchdog (`daemon/watchdog.ts`). */
  progress(): { queued: number; handled: number } {
    return { queued: this.#dispatched - this.#handled, handled: this.#handled };
  }

  /** Warms the IdP client up in the background (see `IdpClient.prepare`). */
  async prepare(): Promise<void> {
    await this.#o.idp.prepare?.().catch(() => undefined);
    // Not paired: the next screen may well be a code, with its QR (issue #18). A paired agent does
    // not load the encoder it may never need.
    const { name } = this.#state;
    if (name !== 'paired' && name !== 'refreshing') loadQrEncoder();
  }

  /**
   * Resolves with the first state (current or coming) that satisfies `done`, or undefined on timeout or
   * when the agent stops.
   */
  waitFor(done: (state: State) => boolean, timeoutMs: number): Promise<State | undefined> {
    if (done(this.#state)) return Promise.resolve(this.#state);
    if (this.#stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const finish = (state: State | undefined) => {
        clearTimeout(timer);
        this.off('state', onState);
        this.#waiters.delete(cancel);
        resolve(state);
      };
      const onState = (state: State) => {
        if (done(state)) finish(state);
      };
      const cancel = () => finish(undefined);
      const timer = setTimeout(cancel, timeoutMs);
      timer.unref();
      this.#waiters.add(cancel);
      this.on('state', onState);
    });
  }

  /**
   * Resolves once no event is queued and no background I/O effect is in flight: for simulations that
   * advance a virtual clock only when the agent has nothing left to do at the current instant.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      const queue = this.#queue;
      await queue;
      await this.#rendering;
      if (queue !== this.#queue) continue;
      if (this.#inFlight === 0) return;
      await new Promise<void>((resolve) => this.#settled.push(resolve));
    }
  }

  /**
   * Stops, first letting requests already sent finish for up to `graceMs`: a refresh answer that
   * arrives during shutdown holds the rotated refresh token, and it must reach the disk, or the next
   * start would present the consumed one (a reuse). No new request is sent meanwhile.
   */
  async stop(graceMs = 0): Promise<void> {
    this.#stopping = true;
    this.#timers.clearTimeout(this.#wake);
    this.#timers.clearInterval(this.#tick);
    this.#timers.clearTimeout(this.#panelTimer);
    if (graceMs > 0 && this.#inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.whenIdle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      if (this.#inFlight > 0) this.#o.log('stopped_with_request_in_flight', { requests: this.#inFlight });
    }
    this.#stopped = true;
    this.#timers.clearTimeout(this.#wake);
    this.#timers.clearInterval(this.#tick);
    this.#timers.clearTimeout(this.#panelTimer);
    this.#timers.clearTimeout(this.#saveRetry);
    this.#timers.clearInterval(this.#clockWatch);
    for (const cancel of [...this.#waiters]) cancel();
    await this.#queue;
    // A last try for a state the disk refused so far: it may hold the only live refresh token.
    if (this.#unsaved) await this.#saveUnsaved();
    await this.#rendering;
  }

  /** Wall-clock steps (ms) not yet handed to the state machine. */
  #newClockSteps(): number {
    const total = this.#o.clock.stepped?.() ?? 0;
    const by = total - this.#steppedSeen;
    this.#steppedSeen = total;
    return by;
  }

  /**
   * Looks for wall-clock steps while the agent waits, so that timers are re-armed and a shown code keeps
   * its age when NTP sets the clock (issue #12). Only clocks that can step are watched.
   */
  #watchClock(): void {
    if (this.#o.clock.stepped === undefined || this.#clockWatch !== undefined) return;
    this.#steppedSeen = this.#o.clock.stepped();
    this.#clockWatch = this.#timers.setInterval(() => {
      const by = this.#newClockSteps();
      if (by > 0) void this.dispatch({ type: 'clock_stepped', byMs: by });
    }, CLOCK_WATCH_MS);
    (this.#clockWatch as { unref?: () => void }).unref?.();
  }

  async #handle(event: Event): Promise<void> {
    if (this.#stopped) return;
    // A step noticed now is handled before the event, which would otherwise see times out of step.
    const by = event.type === 'clock_stepped' ? 0 : this.#newClockSteps();
    if (by > 0) await this.#handle({ type: 'clock_stepped', byMs: by });
    const { clock } = this.#o;
    const [next, effects] = step(this.#state, event, {
      now: clock.now(),
      random: clock.random(),
      autoPair: this.#o.autoPair,
      hasUserinfo: this.#o.idp.hasUserinfo,
      ...(this.#o.refreshIdleTimeoutMs === undefined ? {} : { refreshIdleTimeoutMs: this.#o.refreshIdleTimeoutMs }),
    });
    const previous = this.#state;
    if (next !== previous) {
      if (next.name !== previous.name) this.#o.log('state', { from: previous.name, to: next.name, on: event.type });
      this.#state = next;
    }
    for (const effect of effects) {
      try {
        await this.#run(effect);
        if (effect.type === 'persist') this.#saved();
      } catch (error) {
        this.#o.log('effect_failed', { effect: effect.type, error: (error as Error).message });
        const write = effect.type === 'persist' || effect.type === 'wipe';
        if (write && readOnlyFileSystem(error)) this.#readOnly = true;
        if (write && !RETRYABLE_DECISIONS.has(event.type)) {
          // An answer from the server (new tokens, a lost pairing) is never rolled back: the consumed
          // refresh token on disk would be presented again after a restart (issue #12). Keep it in
          // memory, serve it, go on, and write it as soon as the disk takes it.
          this.#unsaved = true;
          this.#retrySaveLater();
          continue;
        }
        // A failed write must not be followed by the effects that relied on it (a refresh with a token
        // whose successor could not be saved). Go back to the state before this event and decide again
        // after a pause — never sooner than this batch meant to wake (a poll interval, a backoff).
        if (write) {
          this.#state = previous;
          const planned = effects.find((e): e is Extract<Effect, { type: 'wake' }> => e.type === 'wake')?.at;
          this.#setWake(Math.max(clock.now() + this.#writeRetryMs(), planned ?? 0));
        }
        break;
      }
    }
    await this.#render();
    this.emit('state', this.#state);
  }

  async #run(effect: Effect): Promise<void> {
    const { store, log } = this.#o;
    switch (effect.type) {
      case 'persist':
        return store.save(this.#state);
      case 'wipe':
        return store.wipe();
      case 'wake':
        return this.#setWake(effect.at);
      case 'log':
        return log(effect.event, effect.fields);
      case 'request_code':
      case 'poll':
      case 'refresh':
      case 'revoke':
      case 'fetch_identity':
        if (this.#stopping) return; // shutting down: nothing new goes out
        return this.#request(effect);
    }
  }

  #saved(): void {
    this.#readOnly = false;
    if (!this.#unsaved) return;
    this.#unsaved = false;
    this.#timers.clearTimeout(this.#saveRetry);
    this.#o.log('state_saved', { state: this.#state.name });
  }

  /** Writes the state kept in memory after a failed write; false while the disk still refuses. */
  async #saveUnsaved(): Promise<boolean> {
    try {
      await this.#o.store.save(this.#state);
      this.#saved();
      return true;
    } catch (error) {
      this.#o.log('effect_failed', { effect: 'persist', error: (error as Error).message });
      return false;
    }
  }

  /** How long after a failed write the agent tries again. */
  #writeRetryMs(): number {
    return this.#readOnly ? READ_ONLY_RETRY_MS : PERSIST_RETRY_MS;
  }

  /** Retries the write of an unsaved state after `#writeRetryMs`, in the event queue, until it lands. */
  #retrySaveLater(): void {
    this.#timers.clearTimeout(this.#saveRetry);
    if (this.#stopping) return;
    this.#saveRetry = this.#timers.setTimeout(() => {
      const run = this.#queue.then(async () => {
        if (this.#unsaved && !this.#stopped && !(await this.#saveUnsaved())) this.#retrySaveLater();
      });
      this.#queue = run.catch(() => undefined);
    }, this.#writeRetryMs());
  }

  #request(effect: Extract<Effect, { type: 'request_code' | 'poll' | 'refresh' | 'revoke' | 'fetch_identity' }>): void {
    const { idp } = this.#o;
    switch (effect.type) {
      case 'request_code':
        return this.#background(async () => ({ type: 'device_authorization', result: await idp.requestCode() }));
      case 'poll':
        return this.#background(async () => ({ type: 'poll', deviceCode: effect.deviceCode, ...(await idp.poll(effect.deviceCode, effect.interval)) }));
      case 'refresh':
        return this.#background(async () => ({ type: 'refresh', result: await idp.refresh(effect.refreshToken) }));
      case 'revoke':
        return this.#background(async () => ({ type: 'revoked', ...(await idp.revoke(effect)) }));
      case 'fetch_identity':
        return this.#background(async () => {
          const identity = await idp.identity(effect.accessToken);
          return identity === undefined ? undefined : { type: 'identity', identity };
        });
    }
  }

  /** Network effects run outside the queue so a press is handled while a request is in flight. */
  #background(work: () => Promise<Event | undefined>): void {
    this.#inFlight++;
    work()
      .then(
        (event) => {
          if (event !== undefined) void this.dispatch(event);
        },
        (error: unknown) => this.#o.log('io_failed', { error: (error as Error).message }),
      )
      .finally(() => {
        // After the dispatch above, so `whenIdle` sees the queued result before it sees zero in flight.
        this.#inFlight--;
        for (const resolve of this.#settled.splice(0)) resolve();
      });
  }

  #setWake(at: number | undefined): void {
    this.#timers.clearTimeout(this.#wake);
    this.#wake = undefined;
    if (at === undefined || this.#stopping) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.#o.clock.now()));
    this.#wake = this.#timers.setTimeout(() => void this.dispatch({ type: 'timer' }), delay);
  }

  /** Draws the current state; renders are chained so frames reach the display in order. */
  #render(): Promise<void> {
    const draw = async (): Promise<void> => {
      const { display, button } = this.#o.hal;
      const now = this.#o.clock.now();
      const screen = screenFor(this.#state, now, button !== undefined, this.#readOnly ? 'read_only' : 'writable');
      const view = viewScreen(screen, { width: 128, height: display.height === 32 ? 32 : 64 });
      await display.show(paint(view.elements, 128, display.height === 32 ? 32 : 64));
      const plan = this.#panelPlan(screen.kind === 'paired', now);
      await this.#applyPanel(plan.mode);
      this.#shown = { page: view.page, pages: view.pages, lines: textLines(view.elements), panel: plan.mode };
      this.#timers.clearTimeout(this.#panelTimer);
      this.#panelTimer = plan.until === undefined || this.#stopping ? undefined : this.#timers.setTimeout(() => void this.#render(), Math.max(0, plan.until - now));
    };
    this.#rendering = this.#rendering.then(draw).catch((error: unknown) => {
      this.#o.log('display_failed', { error: (error as Error).message });
    });
    if (hasCountdown(this.#state) && !this.#stopping) {
      this.#tick ??= this.#timers.setInterval(() => void this.#render(), COUNTDOWN_TICK_MS);
    } else {
      this.#timers.clearInterval(this.#tick);
      this.#tick = undefined;
    }
    return this.#rendering;
  }

  /** Only the paired screen rests; leaving it forgets its idle time and any wake-up press. */
  #panelPlan(restful: boolean, now: number) {
    if (!restful) {
      this.#idleSince = undefined;
      this.#wokenAt = undefined;
    } else {
      this.#idleSince ??= now;
    }
    return panelPlan({
      restful,
      idleSince: this.#idleSince ?? now,
      wokenAt: this.#wokenAt,
      now,
      timeoutMs: this.#o.screenTimeoutMs ?? DEFAULT_SCREEN_TIMEOUT_MS,
    });
  }

  /**
   * Sends only what changes the panel's mode: the contrast command to dim or brighten, display off to sleep
   * (RAM is kept), display on after the frame to show is already in RAM, so waking never flashes a stale one.
   */
  async #applyPanel(mode: PanelMode): Promise<void> {
    if (mode === this.#panel) return;
    const { display } = this.#o.hal;
    const before = this.#panel;
    if (mode === 'off') {
      await display.setPower(false);
    } else {
      await display.setContrast(mode === 'dim' ? DIM_CONTRAST : FULL_CONTRAST);
      if (before === 'off') await display.setPower(true);
    }
    this.#panel = mode;
    this.#o.log('panel', { mode, was: before });
  }
}

/** EROFS anywhere in the error's causes: the store wraps the file system's error (issue #13). */
function readOnlyFileSystem(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if ((e as NodeJS.ErrnoException).code === 'EROFS') return true;
  return false;
}
