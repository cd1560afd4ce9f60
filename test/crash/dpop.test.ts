/**
 * The crash window DPoP closes (issue #19 item 5). A refresh whose answer never reaches the disk —
 * power lost after the provider rotated the refresh token — loses the pairing with any client: the
 * retry presents the consumed token and the provider, seeing reuse, ends the grant (RFC 9700
 * §4.14.2). RFC 9700 lets a provider sender-constrain a public client's refresh tokens instead of
 * rotating them, and oidc-provider's default policy (`refreshTokenRotation: 'rfc9700'` here) does just
 * that for DPoP-bound ones: the old token stays good, and the retry after the crash succeeds.
 *
 * The built daemon runs as a child process against the embedded provider; each round kills it with
 * SIGKILL at the moment the provider has issued the refreshed tokens (its `grant.success` event, before
 * the answer is written to the socket), or a few ms after the daemon logs that a refresh started. The
 * same rounds run with and without `dpop`; the figures are printed side by side.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/daemon/client.js';
import type { Status } from '../../src/daemon/status.js';
import { startEmbeddedIdp } from '../../dev/idp/embedded.js';
import { parseStateDocument } from '../../src/store/state-schema.js';
import { eventually, startDaemon } from '../support/cli.js';

/** Rounds per configuration in `npm test`; for the figures: CRASH_DPOP_KILLS=40 npx vitest run test/crash-dpop. */
const KILLS = Number(process.env.CRASH_DPOP_KILLS ?? 3);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Figures {
  dpop: boolean;
  kills: number;
  /** Kills after the provider had issued the refreshed tokens, before the daemon could read them. */
  afterProviderAnswered: number;
  /** Kills with `refreshing` on disk: a refresh was in flight. */
  refreshInFlight: number;
  stillPaired: number;
  lost: number;
}

async function crashRounds(dpop: boolean): Promise<Figures> {
  // 3 s access tokens: a refresh every 2 s or so.
  const idp = await startEmbeddedIdp({ ttl: { accessToken: 3, deviceCode: 120 }, interval: 1, refreshTokenRotation: 'rfc9700' });
  const dir = mkdtempSync(join(tmpdir(), `pa-crash-dpop-${dpop}-`));
  const stateDir = join(dir, 'state');
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({ issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid offline_access', hal: 'sim', auto_pair: true, state_dir: stateDir, socket_path: join(dir, 'agent.sock'), http_timeout_ms: 2000, dpop }),
  );
  const figures: Figures = { dpop, kills: 0, afterProviderAnswered: 0, refreshInFlight: 0, stillPaired: 0, lost: 0 };
  const status = async () => ((await callDaemon(join(stateDir, 'control.sock'), 'GET', '/status', 2000).catch(() => undefined))?.json() as Status | undefined);
  const stateOnDisk = () => {
    const parsed = parseStateDocument(JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')));
    if (!parsed.ok) throw new Error(`state file does not parse: ${parsed.problem}`);
    return parsed.state;
  };
  const pair = async () => {
    const code = await eventually(async () => {
      const s = await status();
      return s?.state === 'awaiting_user' ? s.user_code : undefined;
    }, 30_000, 'a code');
    await idp.approve(String(code), 'alice');
    await eventually(async () => ((await status())?.state === 'paired' ? true : undefined), 15_000, 'paired');
  };

  // Armed: the next refresh the provider grants kills the daemon before the answer leaves.
  let daemon = await startDaemon(config);
  let armed = false;
  (idp.provider as { on(e: string, fn: (ctx: { oidc: { params: { grant_type?: string } } }) => void): void }).on('grant.success', (ctx) => {
    if (!armed || ctx.oidc.params.grant_type !== 'refresh_token') return;
    armed = false;
    daemon.child.kill('SIGKILL');
    figures.afterProviderAnswered++;
  });
  const exited = (d: typeof daemon) => new Promise((resolve) => (d.child.exitCode !== null || d.child.signalCode !== null ? resolve(undefined) : d.child.once('exit', resolve)));
  try {
    await pair();
    for (let i = 0; i < KILLS; i++) {
      const mark = daemon.log().length;
      if (i % 2 === 0) {
        armed = true;
      } else {
        // Around a refresh: a few ms after the daemon says one started.
        await eventually(async () => (/to=refreshing/.test(daemon.log().slice(mark)) ? true : undefined), 15_000, 'a refresh');
        await sleep(Math.random() * 15);
        daemon.child.kill('SIGKILL');
      }
      await eventually(async () => (daemon.child.exitCode !== null || daemon.child.signalCode !== null ? true : undefined), 15_000, 'the kill');
      await exited(daemon);
      armed = false;
      figures.kills++;
      if (stateOnDisk()?.name === 'refreshing') figures.refreshInFlight++;
      daemon = await startDaemon(config);
      // The next refresh after the restart either works or finds the pairing gone.
      const outcome = await eventually(async () => {
        const log = daemon.log();
        if (/event=pairing_lost/.test(log)) return 'lost';
        return /event=refreshed/.test(log) ? 'paired' : undefined;
      }, 30_000, 'the first refresh after the restart');
      if (outcome === 'paired') {
        figures.stillPaired++;
      } else {
        figures.lost++;
        await pair();
      }
    }
  } finally {
    daemon.child.kill('SIGKILL');
    await exited(daemon);
    await idp.close();
  }
  console.log(`crash rounds around refreshes: ${JSON.stringify(figures)}`);
  return figures;
}

describe('the refresh crash window, with and without DPoP (issue #19)', () => {
  it('with DPoP-bound refresh tokens (not rotated): no pairing lost, however the daemon is killed', async () => {
    const figures = await crashRounds(true);
    expect(figures.kills).toBe(KILLS);
    expect(figures.afterProviderAnswered).toBeGreaterThan(0);
    expect(figures.lost).toBe(0);
    expect(figures.stillPaired).toBe(KILLS);
  }, 120_000 + KILLS * 30_000);

  it('without DPoP (rotated): a kill after the provider answered loses the pairing', async () => {
    const figures = await crashRounds(false);
    expect(figures.kills).toBe(KILLS);
    // Every kill that landed after the provider issued the rotated token left the consumed one on disk.
    expect(figures.lost).toBeGreaterThanOrEqual(figures.afterProviderAnswered);
    expect(figures.lost + figures.stillPaired).toBe(KILLS);
  }, 120_000 + KILLS * 30_000);
});
