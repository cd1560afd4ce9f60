/**
 * Issue #9, fleet: 1,000 agents in one process, restored at the same virtual instant after a common
 * power cut with long-expired tokens, against one identity provider. Requests per virtual second at
 * the provider over the first ten virtual minutes, with the agents' jitter and without it (every
 * random draw 0: the lockstep baseline). `npm run soak`.
 */
import { describe, expect, it } from 'vitest';
import { markdownTable } from './report.js';
import type { Row } from './report.js';
import { rates, runFleet } from './fleet.js';
import type { FleetResult } from './fleet.js';

const AGENTS = 1000;
const WINDOW_S = 600;
const SEED = 9;

function median(sorted: readonly number[]): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function fleetRows(j: FleetResult, b: FleetResult): Row[] {
  const rj = rates(j.perSecond);
  const rb = rates(b.perSecond);
  // After the first minute: the later refresh rounds (does the fleet stay in step?).
  const lj = rates(j.perSecond.slice(60));
  const lb = rates(b.perSecond.slice(60));
  return [
    { figure: '**peak requests/s at the IdP**', value: rj.peak, baseline: rb.peak },
    { figure: 'mean requests/s over the window', value: rj.mean, baseline: rb.mean },
    { figure: 'busiest 10 s (requests/s)', value: rj.busiestWindow, baseline: rb.busiestWindow },
    { figure: 'peak requests/s after the first minute', value: lj.peak, baseline: lb.peak },
    { figure: 'seconds with any request', value: rj.activeSeconds, baseline: rb.activeSeconds },
    { figure: 'time until every agent holds a fresh token (s)', value: j.freshAfterS.at(-1) ?? Number.NaN, baseline: b.freshAfterS.at(-1) ?? Number.NaN },
    { figure: 'median time to a fresh token (s)', value: median(j.freshAfterS), baseline: median(b.freshAfterS) },
    { figure: 'refresh requests at the IdP', value: j.refreshes, baseline: b.refreshes },
    { figure: 'refresh failures logged by the agents', value: j.failuresLogged, baseline: b.failuresLogged },
    { figure: 'refresh-token reuse at the IdP (asserted 0)', value: j.reuse, baseline: b.reuse },
    { figure: 'pairings lost (asserted 0)', value: j.lost, baseline: b.lost },
    { figure: 'agents paired at the end', value: j.pairedAtEnd, baseline: b.pairedAtEnd },
    { figure: 'real time: setting up grants / running (s)', value: `${(j.setupMs / 1000).toFixed(1)} / ${(j.realMs / 1000).toFixed(1)}`, baseline: `${(b.setupMs / 1000).toFixed(1)} / ${(b.realMs / 1000).toFixed(1)}` },
  ];
}

describe('fleet after a power cut (issue #9)', () => {
  for (const lifetime of [300, 3600]) {
    const label = lifetime < 3600 ? `${lifetime / 60}-minute` : `${lifetime / 3600}-hour`;
    it(`${AGENTS} agents with ${label} tokens: jitter spreads the first refreshes; nothing lost or reused`, async () => {
      const jittered = await runFleet({ agents: AGENTS, lifetime, windowS: WINDOW_S, jitter: true, seed: SEED });
      const lockstep = await runFleet({ agents: AGENTS, lifetime, windowS: WINDOW_S, jitter: false, seed: SEED });
      process.stdout.write(
        `\n${markdownTable(
          `Fleet: ${AGENTS} agents restored at one instant, ${label} access tokens, one IdP, first ${WINDOW_S / 60} virtual minutes`,
          'value: the agents\' jitter (seeded PRNG per agent); baseline: every random draw 0 (no jitter); ratio = value / baseline. Requests counted at the IdP per virtual second.',
          fleetRows(jittered, lockstep),
        )}`,
      );
      for (const r of [jittered, lockstep]) {
        expect(r.reuse).toBe(0);
        expect(r.lost).toBe(0);
        expect(r.pairedAtEnd).toBe(AGENTS);
        expect(r.freshAfterS).toHaveLength(AGENTS);
      }
      expect(rates(jittered.perSecond).peak).toBeLessThan(rates(lockstep.perSecond).peak);
    });
  }
});
