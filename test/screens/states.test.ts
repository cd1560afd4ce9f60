/**
 * Every state explains itself (issue #16): a failure in words a person can act on, a pairing the server
 * ended, an unpairing the server did not revoke, and the offline-while-paired screen reached from a state.
 * The failures and the lost pairing come from the embedded IdP, as they would from a real provider.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import { Agent } from '../../src/agent/agent.js';
import { systemClock } from '../../src/agent/clock.js';
import { explainFailure } from '../../src/agent/failure-words.js';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { screenFor } from '../../src/agent/view.js';
import { validateConfig } from '../../src/config/index.js';
import { OAuthError } from '../../src/errors.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import { step } from '../../src/pairing/step.js';
import { ON_DEMAND_REFRESH_SPACING_MS } from '../../src/pairing/timing.js';
import type { State, StepContext } from '../../src/pairing/state.js';
import { layoutScreen, renderScreen, textLines } from '../../src/screens/index.js';
import { FileStateStore } from '../../src/store/file-store.js';
import { pairWithButton, settle } from '../support/agent-on-idp.js';
import { createVirtualTime, type VirtualTime } from '../support/virtual-time.js';

const HOUR_MS = 3_600_000;

const SIZE_32 = { width: 128, height: 32 } as const;
const bodyOf = (reason: string) => layoutScreen({ kind: 'error', reason }, SIZE_32).flatMap((e) => (e.kind === 'text' && e.role === 'body' ? [e.text] : []));

describe('failed: the reason in words a person can act on', () => {
  it.each([
    [new OAuthError(401, 'invalid_client', 'client authentication failed').message, "Server rejected this device's client_id"],
    [new OAuthError(400, 'unauthorized_client').message, 'client_id not allowed to pair devices'],
    [new OAuthError(400, 'invalid_scope', 'requested scope is not allowed').message, 'Server refused the scope in the config'],
    ['ID token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected "iss" claim value', 'ID token rejected: wrong issuer'],
    ['ID token rejected: ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected "aud" claim value', 'ID token rejected: wrong audience'],
    ['ID token rejected: ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed', 'ID token rejected: bad signature'],
    ['ID token rejected: "sub" differs from the pairing\'s subject', 'ID token rejected: another account'],
    ['ID token rejected: the provider publishes no jwks_uri', 'ID token cannot be checked: see the log'],
    ['the device authorization endpoint answered HTTP 404', 'No pairing endpoint: check the config'],
  ])('%s → %s, whole on a 128x32 panel', (reason, words) => {
    expect(explainFailure(reason)).toBe(words);
    expect(bodyOf(words).join(' ')).toBe(words);
  });

  it('keeps a reason it does not know as it is', () => {
    expect(explainFailure('something new')).toBe('something new');
  });
});

describe('unpaired', () => {
  const unpaired = (state: Extract<State, { name: 'unpaired' }>) => textLines(layoutScreen(screenFor(state, 0, true), SIZE_32));

  it('after the server ended the pairing: says so, and how to pair again', () => {
    expect(unpaired({ name: 'unpaired', notice: 'pairing_lost' })).toEqual(['Unpaired', 'Ended by the server', 'Press to pair again']);
    expect(textLines(layoutScreen(screenFor({ name: 'unpaired', notice: 'pairing_lost' }, 0, true), { width: 128, height: 64 }))).toEqual([
      'Unpaired',
      'Pairing ended by the',
      'server',
      'Press to pair again',
    ]);
  });

  it('when revocation failed (issue #13): "Unpaired, not revoked"', () => {
    expect(unpaired({ name: 'unpaired', notice: 'unpaired', revoked: false, revokeReason: 'HTTP 401' })).toEqual(['Unpaired', 'Unpaired, not revoked', 'Press to pair again']);
    expect(unpaired({ name: 'unpaired', notice: 'unpaired' })).toEqual(['Unpaired', 'Press the button to', 'pair this device.']);
  });
});

describe('offline while paired is a state the screen shows', () => {
  const ctx: StepContext = { now: 1_000_000, random: 0, autoPair: false, hasUserinfo: false };
  const tokens = { accessToken: 'at', tokenType: 'Bearer', issuedAt: 0, accessExpiresAt: 60_000, refreshToken: 'rt' };
  const refreshing: State = { name: 'refreshing', tokens, identity: { who: 'Alice' }, failures: 0 };

  it('a refresh that cannot reach the provider leaves the device paired, showing "Paired, no network" and the retry', () => {
    const [next] = step(refreshing, { type: 'refresh', result: { kind: 'transient', code: 'no_answer', reason: 'connect ECONNREFUSED 127.0.0.1:1', requestMayHaveBeenProcessed: false } }, ctx);
    expect(next).toMatchObject({ name: 'paired', unreachable: true });
    if (next.name !== 'paired' || next.refreshAt === undefined) throw new Error('not paired');
    const screen = screenFor(next, ctx.now, true);
    expect(screen).toEqual({ kind: 'offline', paired: true, retryInSeconds: Math.ceil((next.refreshAt - ctx.now) / 1000) });
    // The retry keeps the screen (no flash of "Paired"), and a refresh that works clears it.
    // The retry goes out once the backoff and the spacing after a failure (issue #12) have passed.
    const later = { ...ctx, now: Math.max(next.refreshAt, ctx.now + ON_DEMAND_REFRESH_SPACING_MS) };
    const [retrying] = step(next, { type: 'timer' }, later);
    expect(retrying.name).toBe('refreshing');
    expect(screenFor(retrying, later.now, true)).toMatchObject({ kind: 'offline', paired: true });
    const [back] = step(retrying, { type: 'refresh', result: { kind: 'tokens', tokens: { accessToken: 'at2', tokenType: 'Bearer', expiresIn: 60, refreshToken: 'rt', extra: {} }, rotated: false } }, ctx);
    expect(screenFor(back, ctx.now, true)).toEqual({ kind: 'paired', who: 'Alice' });
  });
});

/**
 * An agent on the simulated HAL against `idp`, with a real state file; on `time` (virtual) when given,
 * its clock and timers move only when the test says.
 */
function agentFor(idp: EmbeddedIdp, clientId = idp.publicClientId, time?: VirtualTime) {
  const dir = mkdtempSync(join(tmpdir(), 'pa-states-'));
  const config = validateConfig({ file: { issuer: idp.issuer, client_id: clientId, scope: 'openid offline_access', hal: 'sim', state_dir: dir }, path: join(dir, 'c.json'), env: {} });
  const hal = createSimHal(config);
  const agent = new Agent({
    store: FileStateStore.open(dir).store,
    idp: createIdpClient(config, { log: () => {} }),
    hal,
    clock: time?.clock(0) ?? systemClock(),
    log: () => {},
    autoPair: false,
    ...(time === undefined ? {} : { timers: time.timers }),
  });
  const panel = () => agent.shown?.lines ?? [];
  const frameIs = (state: State) =>
    Buffer.from(hal.display.frame.data).equals(Buffer.from(renderScreen(screenFor(state, Date.now(), true), { width: 128, height: 64 }).data));
  return { agent, hal, panel, frameIs };
}

describe('against the embedded IdP', () => {
  it('a client_id the server does not know: failed, and the screen says which setting to check', async () => {
    const idp = await startEmbeddedIdp({ interval: 1 });
    const { agent, hal, panel } = agentFor(idp, 'no-such-client');
    try {
      await agent.start();
      hal.button.press();
      const failed = await agent.waitFor((s) => s.name === 'failed', 10_000);
      expect(failed?.name === 'failed' && failed.reason).toMatch(/invalid_client/);
      await agent.whenIdle();
      expect(panel()).toEqual(['Error', 'Server rejected this', "device's client_id"]);
    } finally {
      await agent.stop();
      await idp.close();
    }
  });

  it('a pairing ended at the server, then the provider gone: "Pairing ended by the server"; and offline while paired', async () => {
    // The agent on virtual time: its next refresh (never sooner than 10 s after the last, issue #12)
    // comes when the test moves time on, not after real seconds a busy machine stretches; so neither
    // the token's lifetime nor a race between two 10 s timers decides the outcome.
    const idp = await startEmbeddedIdp({ interval: 1 });
    const time = createVirtualTime(Date.now());
    const { agent, hal, panel, frameIs } = agentFor(idp, idp.publicClientId, time);
    try {
      await agent.start();
      const paired = await pairWithButton({ agent, hal, time }, idp, 'alice');
      if (paired.tokens.refreshToken === undefined) throw new Error('no refresh token');
      // The grant is revoked at the server (RFC 7009), as an administrator would: the next refresh is refused.
      const revoked = await fetch(`${idp.issuer}/token/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: idp.publicClientId, token: paired.tokens.refreshToken, token_type_hint: 'refresh_token' }),
      });
      expect(revoked.status).toBe(200);
      // The next refresh, due within the hour's token: refused, and the pairing is lost.
      const lost = await settle(agent, (s) => s.name === 'unpaired' && s.notice === 'pairing_lost', HOUR_MS, time);
      if (lost === undefined) throw new Error('pairing not lost');
      await agent.whenIdle();
      expect(panel()).toEqual(['Unpaired', 'Pairing ended by the', 'server', 'Press to pair again']);
      expect(frameIs(agent.state)).toBe(true);

      // Pair again, then the provider goes away: still paired, and the screen says so with the retry.
      await pairWithButton({ agent, hal, time }, idp, 'alice');
      await idp.close();
      const unreachable = await settle(agent, (s) => s.name === 'paired' && s.unreachable === true, HOUR_MS, time);
      expect(unreachable).toBeDefined();
      await agent.whenIdle();
      expect(panel().slice(0, 2)).toEqual(['Offline', 'Paired, no network']);
      expect(panel()[2]).toMatch(/^Retry in \d+:\d\d$|^Retrying…$/);
    } finally {
      await agent.stop();
      await idp.close().catch(() => undefined);
    }
  }, 40_000);
});
