/**
 * Issue #12, Keycloak-style soak: 24 virtual hours of kiosk agents against a provider that issues
 * access tokens for 24 h but lets the refresh token die after 30 idle minutes (seed 001's
 * `refresh_expires_in`, Keycloak's SSO Session Idle, enforced on virtual time), with strict rotation and
 * reuse detection, while 20 % of requests get a random fault. An agent that refreshed only ahead of the
 * access token would lose every pairing after half an hour. `npm run soak`.
 */
import { describe, expect, it } from 'vitest';
import { SURVIVABLE_FAULTS } from './fault-gate.js';
import { runSoak } from './harness.js';
import { keycloakSoakProfile } from './provider.js';
import { markdownTable } from './report.js';

const AGENTS = 10;
const HOURS = 24;
const SEED = 12;

describe('Keycloak-style soak (issue #12)', () => {
  it(`${AGENTS} agents × ${HOURS} virtual hours, 24 h access tokens, 30 min refresh idle window, random faults: no pairing lost`, async () => {
    const r = await runSoak({ agents: AGENTS, hours: HOURS, plan: SURVIVABLE_FAULTS, seed: SEED, profile: keycloakSoakProfile() });
    process.stdout.write(
      `\n${markdownTable(
        `Keycloak-style soak: ${AGENTS} agents × ${HOURS} virtual hours, 24 h access tokens, refresh token idle window 30 min`,
        `value: ${Math.round(SURVIVABLE_FAULTS.rate * 100)} % of requests faulted (seed ${SEED}); client timeout 500 ms. The provider refuses a refresh token unused for 30 min (invalid_grant "Token is not active").`,
        [
          { figure: 'refresh requests reaching the IdP', value: r.idp.refreshes },
          { figure: 'refreshes with new tokens (rotations)', value: r.refreshed },
          { figure: 'rotations per agent-hour (one ahead of each 30 min idle window)', value: r.refreshed / (AGENTS * HOURS) },
          { figure: 'faults injected', value: Object.values(r.gate.faults).reduce((t, n) => t + n, 0) },
          { figure: '**pairings lost** (asserted 0)', value: r.lost },
          { figure: '**refresh tokens presented after they died (idle or rotated)** (asserted 0)', value: r.idp.reuse },
          { figure: 'agents paired at the end, token active at the IdP', value: `${r.activeTokensAtEnd} / ${r.agents}` },
          { figure: 'real time (s)', value: r.realMs / 1000 },
        ],
      )}`,
    );
    expect(r.lost, 'pairings lost').toBe(0);
    expect(r.idp.reuse, 'refresh tokens presented after they died').toBe(0);
    expect(r.gate.lostInTransit, 'answers lost in transit (machine stalled > 500 ms?)').toBe(0);
    expect(r.pairedAtEnd).toBe(AGENTS);
    expect(r.activeTokensAtEnd, 'agents whose refresh token is alive at the IdP').toBe(AGENTS);
    // About one refresh per 20–25 minutes per agent: ahead of the idle window, not of the 24 h token.
    expect(r.refreshed).toBeGreaterThan(AGENTS * HOURS * 2);
  });
});
