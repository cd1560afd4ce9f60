/**
 * Issue #12 item 3: wrong clocks. (a) Restarted with the wall clock days behind (no RTC, before NTP),
 * a stored token "from the future" is re-planned: never handed out as valid for longer than it may have
 * left, refreshed at once, and the timer re-armed when NTP steps the clock. (b) A code on screen keeps
 * its age across a step forward. The pure state machine, the clock, and the built daemon under
 * libfaketime (its wall clock moved through FAKETIME_TIMESTAMP_FILE, the monotonic clock untouched).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/agent/clock.js';
import { callDaemon } from '../../src/daemon/client.js';
import type { Status } from '../../src/daemon/status.js';
import { tokenHttp } from '../../src/daemon/token-policy.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import type { State, StepContext, Tokens } from '../../src/pairing/state.js';
import { step } from '../../src/pairing/step.js';
import { CLOCK_STEP_MIN_MS, freshEnough } from '../../src/pairing/timing.js';
import { tokenDecision } from '../../src/pairing/token-decision.js';
import { daemonReady, eventually, pairBySimPress, runCli, simConfig, spawnDaemon, stopDaemon } from '../support/cli.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;
const ctx: StepContext = { now: NOW, random: 0.5, autoPair: false, hasUserinfo: false };

describe('a wall clock days behind (issue #12 item 3a)', () => {
  // Issued (by the clock of the previous run) three days "after" now, for 60 s.
  const tokens: Tokens = { accessToken: 'at', tokenType: 'Bearer', issuedAt: NOW + 3 * DAY, accessExpiresAt: NOW + 3 * DAY + 60_000, refreshToken: 'rt' };
  const paired: State = { name: 'paired', tokens, identity: {}, failures: 0, refreshAt: NOW + 3 * DAY + 45_000 };

  it('a token from the future is not fresh, and is never handed out with more than its lifetime', () => {
    expect(freshEnough(tokens.issuedAt, tokens.accessExpiresAt, NOW)).toBe(false);
    // GET /token (and the token command) asks for a refresh first…
    expect(tokenDecision(paired, NOW)).toEqual({ kind: 'refresh' });
    // …and when none could be had, hands the token out with no more than its lifetime left.
    const answer = tokenHttp(tokenDecision(paired, NOW, true));
    expect(answer).toMatchObject({ status: 200, body: { access_token: 'at' } });
    expect(answer.body).toHaveProperty('expires_in');
    expect((answer.body as { expires_in: number }).expires_in).toBeLessThanOrEqual(60);
  });

  it('at start-up it is re-planned from now: taken as spent, refreshed within a few seconds, persisted', () => {
    const [next, effects] = step(paired, { type: 'start' }, ctx);
    if (next.name !== 'paired') throw new Error(next.name);
    expect(next.tokens.accessExpiresAt).toBe(NOW);
    expect(next.tokens.issuedAt).toBe(NOW - 60_000);
    expect(next.refreshAt).toBeGreaterThanOrEqual(NOW);
    expect(next.refreshAt).toBeLessThanOrEqual(NOW + 6_000);
    expect(effects).toContainEqual({ type: 'persist' });
    expect(effects).toContainEqual({ type: 'wake', at: next.refreshAt });
    // Taken as spent: refreshed before it is handed out, and never handed out as valid if that fails.
    expect(tokenDecision(next, NOW)).toEqual({ kind: 'refresh' });
    expect(tokenHttp(tokenDecision(next, NOW, true))).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
  });

  it('an app asking (the token command without a daemon) gets a refresh, not the stale token', () => {
    expect(step(paired, { type: 'token_wanted' }, ctx)[0].name).toBe('refreshing');
  });

  it('when NTP steps the clock the refresh timer is re-armed, and a refresh the step made due happens now', () => {
    const planned: State = { ...paired, tokens: { ...tokens, issuedAt: NOW, accessExpiresAt: NOW + 3_600_000 }, refreshAt: NOW + 2_700_000 };
    expect(step(planned, { type: 'clock_stepped', byMs: 3 * DAY }, { ...ctx, now: NOW + 3 * DAY })[1]).toEqual([{ type: 'wake', at: NOW + 2_700_000 }]);
    // A backoff is a wait: it moves with the clock instead of firing early.
    const backingOff: State = { ...planned, failures: 2, refreshAt: NOW + 30_000 };
    expect(step(backingOff, { type: 'clock_stepped', byMs: DAY }, ctx)[0]).toMatchObject({ refreshAt: NOW + DAY + 30_000 });
  });
});

describe('a code on screen across a clock step (issue #12 item 3b)', () => {
  const code = { deviceCode: 'dc', userCode: 'WDJB-MJHT', verificationUri: 'https://idp.example.com/device', expiresAt: NOW + 600_000, expiresIn: 600, interval: 5 };
  const awaiting: State = { name: 'awaiting_user', code, nextPollAt: NOW + 5_000, failures: 0, deadlineTrusted: true, restarts: 0 };

  it('keeps its age: expiry and next poll move with the step, so it does not expire', () => {
    const later = { ...ctx, now: NOW + 2 * 3_600_000 + 1_000 };
    const [shifted] = step(awaiting, { type: 'clock_stepped', byMs: 2 * 3_600_000 }, later);
    expect(shifted).toMatchObject({ code: { expiresAt: NOW + 2 * 3_600_000 + 600_000 }, nextPollAt: NOW + 2 * 3_600_000 + 5_000 });
    expect(step(shifted, { type: 'timer' }, { ...later, now: NOW + 2 * 3_600_000 + 5_000 })[1]).toEqual([{ type: 'poll', deviceCode: 'dc', interval: 5 }]);
    // Without the step the same timer would have ended the code.
    expect(step(awaiting, { type: 'timer' }, later)[0].name).toBe('code_expired');
  });

  it('the system clock reports steps, not drift', () => {
    let wall = 1_000_000;
    let mono = 0;
    const clock = systemClock(() => wall, () => mono);
    wall += CLOCK_STEP_MIN_MS - 1; // drift, followed silently
    expect(clock.stepped?.()).toBe(0);
    wall += 3_600_000; // NTP sets the clock
    expect(clock.stepped?.()).toBe(3_600_000);
    expect(clock.now()).toBe(wall);
  });
});

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const dir = mkdtempSync(join(tmpdir(), 'pa-clock-'));
const offset = join(dir, 'faketime');
const config = join(dir, 'config.json');
let idp: EmbeddedIdp;

describe.skipIf(!existsSync(FAKETIME))('the built daemon under libfaketime (issue #12 item 3)', () => {
  const env = { LD_PRELOAD: FAKETIME, FAKETIME_TIMESTAMP_FILE: offset, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
  const status = async (): Promise<Status | undefined> => {
    const reply = await callDaemon(join(dir, 'state', 'control.sock'), 'GET', '/status', 3000).catch(() => undefined);
    return reply?.status === 200 ? (reply.json() as Status) : undefined;
  };
  beforeAll(async () => {
    // Hour-long access tokens: a refresh before the end of the test happens only because of the clocks.
    idp = await startEmbeddedIdp({ ttl: { accessToken: 3600 }, interval: 1 });
    writeFileSync(config, JSON.stringify(simConfig(idp, dir)));
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('paired at the right time, restarted 3 days behind: a token within its lifetime; NTP steps back: refreshed without an app asking; a code keeps its age', async () => {
    writeFileSync(offset, '+0');
    let daemon = spawnDaemon(config, env);
    try {
      await daemonReady(daemon);
      await pairBySimPress(config, status, (code) => idp.approve(code, 'fay'));
      await stopDaemon(daemon);

      // No RTC: the next boot's clock is three days behind.
      writeFileSync(offset, '-3d');
      daemon = spawnDaemon(config, env);
      await daemonReady(daemon);
      // An app asks the token socket (as curl would).
      const answer = await callDaemon(join(dir, 'agent.sock'), 'GET', '/token', 15_000);
      expect(answer?.status).toBe(200);
      const token = answer!.json() as { access_token: string; expires_in: number };
      expect(token.expires_in).toBeLessThanOrEqual(3600);
      expect((await idp.introspect(token.access_token)).active).toBe(true);
      expect(daemon.log()).toMatch(/event=clock_behind/);

      // NTP steps the clock three days forward: the daemon refreshes on its own within seconds.
      const rotations = () => (daemon.log().match(/event=refreshed_rotated/g) ?? []).length;
      const before = rotations();
      writeFileSync(offset, '+0');
      await eventually(async () => (rotations() > before ? true : undefined), 20_000, 'a refresh after the clock step');

      // A code on screen across another step (+2 h): it stays, with the same user code.
      await runCli(['--config', config, 'logout']);
      await runCli(['--config', config, 'sim', 'press']);
      const shown = await eventually(async () => {
        const s = await status();
        return s?.state === 'awaiting_user' ? s : undefined;
      }, 10_000, 'a new code');
      writeFileSync(offset, '+2h');
      await new Promise((r) => setTimeout(r, 8_000));
      expect(await status()).toMatchObject({ state: 'awaiting_user', user_code: shown.user_code });
    } finally {
      daemon.child.kill('SIGKILL');
    }
  }, 90_000);
});
