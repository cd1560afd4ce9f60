/**
 * The soak's moving parts (issue #9): real Agents on a virtual clock, each behind its own fault gate,
 * against one fake provider with refresh-token rotation and reuse detection; a simulated person who
 * approves codes; monitors for the invariants; and the figures as a Markdown table.
 *
 * What is real: the Agent shell and state machine, the OAuth client core and its got-based HTTP client
 * (loopback sockets, a 500 ms timeout), the fake provider's rotation and reuse detection, rendering of
 * every screen (shown on a headless panel that discards frames). What is simulated: time (virtual,
 * moving only when every agent is idle), the person (approves each code shown after 10–90 virtual s),
 * the store (in memory).
 */
import { request as httpRequest } from 'node:http';
import type { Hal } from '../../hal/types.js';
import { Agent } from '../../src/agent/agent.js';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { memoryStore } from '../../dev/agent/memory-store.js';
import type { Logger, StateStore } from '../../src/agent/types.js';
import { validateConfig } from '../../src/config/validate.js';
import type { Config } from '../../src/config/types.js';
import type { State, Tokens } from '../../src/pairing/state.js';
import { PROFILES, startProviderServer } from '../support/provider-servers.js';
import type { FakeProvider, ProviderProfile, RecordedRequest } from '../support/provider-servers.js';
import type { FigureRow } from '../support/markdown-table.js';
import { createVirtualTime, seededRandom } from '../support/virtual-time.js';
import type { VirtualTime } from '../support/virtual-time.js';
import { emptyCounters, startFaultGate } from './fault-gate.js';
import type { FaultGate, FaultKind, FaultPlan, GateCounters } from './fault-gate.js';

/** 2025-01-01T00:00:00Z: any fixed instant will do; virtual time starts here. */
export const T0 = Date.UTC(2025, 0, 1);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/**
 * RFC 8628's example provider with 5-minute access tokens, a 1 s poll interval, and strict rotation
 * with reuse detection (a rotated token presented again revokes the whole grant, as Auth0 does).
 */
export function soakProfile(accessTokenLifetime = 300): ProviderProfile {
  return { ...PROFILES.rfc8628, name: 'RFC 8628 + rotation + reuse detection', accessTokenLifetime, interval: 1, rotateRefreshTokens: true, reuseDetection: true };
}

/**
 * Seed 001's Keycloak realm as the field meets it (issue #12): access tokens for 24 h, but the refresh
 * token dies after 30 idle minutes (`refresh_expires_in` 1800, SSO Session Idle enforced on virtual
 * time), with strict rotation and reuse detection on top.
 */
export function keycloakSoakProfile(): ProviderProfile {
  const keycloak = PROFILES.keycloak;
  return {
    ...keycloak,
    name: 'Keycloak-style: 24 h access tokens, 30 min refresh idle window',
    defaultScope: 'offline_access',
    interval: 1,
    accessTokenLifetime: 24 * 3600,
    tokenExtras: { ...keycloak.tokenExtras, refresh_expires_in: 1800 },
    refreshIdleTimeout: 1800,
    rotateRefreshTokens: true,
    reuseDetection: true,
  };
}

// ---------------------------------------------------------------------------------------------------
// The identity provider, observed

export interface IdpObservations {
  /** Refresh requests that reached the provider. */
  refreshes: number;
  /** …of which presented a refresh token that was not active: already rotated (reuse) or unknown. */
  reuse: number;
  polls: number;
  deviceAuthorizations: number;
  /** Requests that reached the provider, per virtual second since `T0`. */
  perSecond: Map<number, number>;
}

/**
 * Watches every request that reaches the fake through its `intercept()` (which sees a request before
 * the fake acts on it) and always lets the fake answer. The fake's own request log is emptied as it
 * goes, so a long soak's heap figures are about the agents, not about the log.
 */
export function observe(idp: FakeProvider, vt: { now(): number }): IdpObservations {
  const seen: IdpObservations = { refreshes: 0, reuse: 0, polls: 0, deviceAuthorizations: 0, perSecond: new Map() };
  const { token, deviceAuthorization } = idp.profile.paths;
  idp.intercept((req: RecordedRequest) => {
    const second = Math.floor((vt.now() - T0) / SECOND);
    seen.perSecond.set(second, (seen.perSecond.get(second) ?? 0) + 1);
    if (req.path === token && req.form.grant_type === 'refresh_token') {
      seen.refreshes++;
      if (!idp.isRefreshTokenActive(req.form.refresh_token ?? '')) seen.reuse++;
    } else if (req.path === token) seen.polls++;
    else if (req.path === deviceAuthorization) seen.deviceAuthorizations++;
    idp.requests.length = 0;
    return undefined;
  });
  return seen;
}

// ---------------------------------------------------------------------------------------------------
// Agents

export function agentConfig(origin: string, profile: ProviderProfile, overrides: Record<string, unknown> = {}): Config {
  return validateConfig({
    file: {
      client_id: profile.client.clientId,
      device_authorization_endpoint: `${origin}${profile.paths.deviceAuthorization}`,
      token_endpoint: `${origin}${profile.paths.token}`,
      scope: profile.defaultScope,
      ...overrides,
    },
    path: '/soak/config.json',
    env: {},
  });
}

/** A panel that discards frames (the agent still renders each one) and has no button. */
export function headlessHal(): Hal & { frames: number } {
  const hal = {
    frames: 0,
    display: {
      width: 128,
      height: 64,
      show: async () => {
        hal.frames++;
      },
      setContrast: async () => {},
      setPower: async () => {},
      close: async () => {},
    },
    close: async () => {},
  };
  return hal;
}

/** A logger that only counts events (a long soak must not keep its log lines). */
export function countingLog(): Logger & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const log = ((event: string) => {
    counts.set(event, (counts.get(event) ?? 0) + 1);
  }) as Logger & { counts: Map<string, number> };
  log.counts = counts;
  return log;
}

export interface PairingMonitor {
  /** Times the agent entered `paired` from a code. */
  pairings: number;
  /** Times it left paired/refreshing for anything else: a lost pairing. */
  lost: number;
  /** Pairing attempts that ended without a pairing (failed, denied, expired). */
  attemptsFailed: number;
  /** Refreshes that brought new tokens. */
  refreshed: number;
  /** Longest time the agent held only an expired access token before a refresh succeeded (ms). */
  maxExpiredMs: number;
  /** Sum of those times (ms). */
  expiredMs: number;
  state: () => State;
}

const PAIRED = new Set(['paired', 'refreshing']);
const ENDED = new Set(['failed', 'denied', 'code_expired']);

export function monitor(agent: Agent, now: () => number): PairingMonitor {
  const m: PairingMonitor = { pairings: 0, lost: 0, attemptsFailed: 0, refreshed: 0, maxExpiredMs: 0, expiredMs: 0, state: () => agent.state };
  let prev: State = agent.state;
  let tokens: Tokens | undefined = 'tokens' in prev ? prev.tokens : undefined;
  agent.on('state', (s) => {
    if (PAIRED.has(prev.name) && !PAIRED.has(s.name)) m.lost++;
    if (s.name === 'paired' && prev.name === 'awaiting_user') m.pairings++;
    if (ENDED.has(s.name) && !ENDED.has(prev.name)) m.attemptsFailed++;
    if (s.name === 'paired' && prev.name === 'refreshing' && tokens !== undefined && s.tokens.accessToken !== tokens.accessToken) {
      m.refreshed++;
      const expired = Math.max(0, now() - (tokens.accessExpiresAt ?? Number.POSITIVE_INFINITY));
      m.maxExpiredMs = Math.max(m.maxExpiredMs, expired);
      m.expiredMs += expired;
    }
    if ('tokens' in s) tokens = s.tokens;
    prev = s;
  });
  return m;
}

/** A person who approves every code an agent shows, after 10–90 virtual seconds. */
export function person(vt: VirtualTime, idp: FakeProvider, agent: Agent, subject: string, random: () => number): { approvals: number } {
  const seen = new Set<string>();
  const stats = { approvals: 0 };
  agent.on('state', (s) => {
    if (s.name !== 'awaiting_user' || seen.has(s.code.userCode)) return;
    const { userCode } = s.code;
    seen.add(userCode);
    vt.timers.setTimeout(() => {
      idp.approve(userCode, subject);
      stats.approvals++;
    }, 10 * SECOND + Math.floor(random() * 80 * SECOND));
  });
  return stats;
}

/** POSTs a form (no agent), for setting up grants; throws unless the answer is 200. */
export async function postForm(origin: string, path: string, form: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await res.json()) as Record<string, string>;
  if (res.status !== 200) throw new Error(`fake ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Real grants at the fake, one per device, through its own HTTP API: device authorization,
 * `approve()`, device-code token request. Returns the refresh tokens.
 */
export async function createGrants(idp: FakeProvider, n: number): Promise<string[]> {
  const { paths, client, defaultScope } = idp.profile;
  const tokens: string[] = new Array<string>(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const code = await postForm(idp.origin, paths.deviceAuthorization, { client_id: client.clientId, scope: defaultScope });
      idp.approve(code.user_code!, `device-${i}`);
      const issued = await postForm(idp.origin, paths.token, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: code.device_code!, client_id: client.clientId });
      tokens[i] = issued.refresh_token!;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return tokens;
}

// ---------------------------------------------------------------------------------------------------
// Heap

/** Heap in use after a full collection (when `--expose-gc` gave us `gc`), in bytes. */
export function settledHeap(): { bytes: number; collected: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return { bytes: process.memoryUsage().heapUsed, collected: gc !== undefined };
}

/**
 * What the fake provider itself keeps per rotation, in bytes (it forgets no token: every rotated
 * refresh token and every access token stays in its tables), so a soak's heap growth can be split
 * into the fake's share and the rest: `n` rotations of one grant straight against a fresh fake.
 */
export async function fakeBytesPerRotation(n: number): Promise<number> {
  const idp = await startProviderServer(soakProfile());
  try {
    idp.intercept(() => {
      idp.requests.length = 0; // as observe() does
      return undefined;
    });
    const { token } = idp.profile.paths;
    const clientId = idp.profile.client.clientId;
    let [rt] = await createGrants(idp, 1);
    const url = new URL(`${idp.origin}${token}`);
    const post = (form: Record<string, string>) =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>));
        });
        req.on('error', reject);
        req.end(new URLSearchParams(form).toString());
      });
    const rotate = async (times: number) => {
      for (let i = 0; i < times; i++) {
        rt = (await post({ grant_type: 'refresh_token', refresh_token: rt!, client_id: clientId })).refresh_token;
      }
    };
    await rotate(100); // warm up sockets, JIT and fetch's pools
    const before = settledHeap().bytes;
    await rotate(n);
    const after = settledHeap().bytes;
    return (after - before) / n;
  } finally {
    await idp.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// The soak

export interface SoakOptions {
  agents: number;
  hours: number;
  plan: FaultPlan;
  seed: number;
  /** Measure the heap at this virtual hour and at the end. */
  heapAtHour?: number;
  accessTokenLifetime?: number;
  /** The provider; `soakProfile(accessTokenLifetime)` by default. Its refresh idle window runs on virtual time. */
  profile?: ProviderProfile;
  /** The client's `http_timeout_ms`; a hang holds a request 300 ms longer. */
  timeoutMs?: number;
  /** Agent `index`'s store, given the virtual clock; in memory unless given (issue #18: a real state directory). */
  store?: (index: number, now: () => number) => StateStore;
}

export interface SoakResult {
  agents: number;
  hours: number;
  realMs: number;
  jumps: number;
  fired: number;
  gate: GateCounters;
  idp: IdpObservations;
  pairings: number;
  attemptsFailed: number;
  lost: number;
  refreshed: number;
  maxExpiredMs: number;
  expiredMs: number;
  approvals: number;
  /** Agents paired at the end whose refresh token is active at the provider. */
  pairedAtEnd: number;
  activeTokensAtEnd: number;
  log: Map<string, number>;
  /** Heap at `heapAtHour` and at the end; `rotations`: refreshes the fake processed in between. */
  heap?: { atHour: number; earlyBytes: number; endBytes: number; collected: boolean; rotations: number };
}

function sumCounters(all: GateCounters[]): GateCounters {
  const total = emptyCounters();
  for (const c of all) {
    for (const g of ['device_authorization', 'poll', 'refresh'] as const) total.requests[g] += c.requests[g];
    for (const [k, n] of Object.entries(c.faults) as [FaultKind, number][]) total.faults[k] = (total.faults[k] ?? 0) + n;
    total.forwarded += c.forwarded;
    total.earlyPolls += c.earlyPolls;
    total.pollsChecked += c.pollsChecked;
    total.earlyRetries += c.earlyRetries;
    total.retryAftersGiven += c.retryAftersGiven;
    total.lostInTransit += c.lostInTransit;
    if (c.minPollMarginMs !== undefined) total.minPollMarginMs = Math.min(total.minPollMarginMs ?? c.minPollMarginMs, c.minPollMarginMs);
  }
  return total;
}

/**
 * Runs `agents` kiosk agents (`auto_pair`) from unpaired for `hours` virtual hours: each asks for a
 * code, a person approves it, and from then on the agent keeps its pairing alive through 5-minute
 * tokens with rotation while its gate injects `plan`'s faults.
 */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const profile = o.profile ?? soakProfile(o.accessTokenLifetime);
  const vt = createVirtualTime(T0);
  const idp = await startProviderServer(profile, { now: vt.now });
  const seen = observe(idp, vt);
  const timeoutMs = o.timeoutMs ?? 500;
  const gates: FaultGate[] = [];
  const agents: Agent[] = [];
  const monitors: PairingMonitor[] = [];
  const people: { approvals: number }[] = [];
  const log = countingLog();
  try {
    for (let i = 0; i < o.agents; i++) {
      const gate = await startFaultGate({
        target: idp.origin,
        paths: profile.paths,
        plan: o.plan,
        random: seededRandom(o.seed * 7919 + i * 104729 + 1),
        now: vt.now,
        hangMs: timeoutMs + 300,
      });
      gates.push(gate);
      const config = agentConfig(gate.origin, profile, { auto_pair: true, http_timeout_ms: timeoutMs });
      const agent = new Agent({
        store: o.store?.(i, vt.now) ?? memoryStore(),
        idp: createIdpClient(config, { log }),
        hal: headlessHal(),
        clock: vt.clock(seededRandom(o.seed * 31 + i)),
        log,
        autoPair: true,
        timers: vt.timers,
      });
      agents.push(agent);
      monitors.push(monitor(agent, vt.now));
      people.push(person(vt, idp, agent, `device-${i}`, seededRandom(o.seed * 131 + i)));
    }
    await Promise.all(agents.map((a) => a.start()));

    let heap: SoakResult['heap'];
    let jumps = 0;
    let fired = 0;
    const run = async (until: number) => {
      const stats = await vt.runUntil(agents, until);
      jumps += stats.jumps;
      fired += stats.fired;
    };
    if (o.heapAtHour !== undefined && o.heapAtHour < o.hours) {
      await run(T0 + o.heapAtHour * HOUR);
      const early = settledHeap();
      const refreshesBefore = seen.refreshes;
      await run(T0 + o.hours * HOUR);
      const end = settledHeap();
      heap = { atHour: o.heapAtHour, earlyBytes: early.bytes, endBytes: end.bytes, collected: early.collected, rotations: seen.refreshes - refreshesBefore };
    } else {
      await run(T0 + o.hours * HOUR);
    }

    const paired = agents.filter((a) => a.state.name === 'paired' || a.state.name === 'refreshing');
    const active = paired.filter((a) => {
      const s = a.state as Extract<State, { name: 'paired' | 'refreshing' }>;
      return s.tokens.refreshToken !== undefined && idp.isRefreshTokenActive(s.tokens.refreshToken);
    });
    const sum = (f: (m: PairingMonitor) => number) => monitors.reduce((t, m) => t + f(m), 0);
    return {
      agents: o.agents,
      hours: o.hours,
      realMs: performance.now() - started,
      jumps,
      fired,
      gate: sumCounters(gates.map((g) => g.counters)),
      idp: seen,
      pairings: sum((m) => m.pairings),
      attemptsFailed: sum((m) => m.attemptsFailed),
      lost: sum((m) => m.lost),
      refreshed: sum((m) => m.refreshed),
      maxExpiredMs: Math.max(0, ...monitors.map((m) => m.maxExpiredMs)),
      expiredMs: sum((m) => m.expiredMs),
      approvals: people.reduce((t, p) => t + p.approvals, 0),
      pairedAtEnd: paired.length,
      activeTokensAtEnd: active.length,
      log: log.counts,
      ...(heap === undefined ? {} : { heap }),
    };
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all(gates.map((g) => g.close()));
    await idp.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Tables

// One table format with the bench (issue #14 item 6).
export { markdownTable } from '../support/markdown-table.js';
export type Row = FigureRow;

export const FAULT_KINDS: readonly FaultKind[] = [
  'http_500_html',
  'http_502_html',
  'http_503_retry_after',
  'http_429_retry_after',
  'garbage_html_200',
  'garbage_truncated_json',
  'garbage_empty_200',
  'reset_before_processing',
  'hang_past_timeout',
  'slow_down',
  'lost_answer',
];

/** The zero-loss soak's mix: every fault a client can survive; no lost answers. */
export const SURVIVABLE_FAULTS: FaultPlan = {
  rate: 0.2,
  weights: {
    http_500_html: 1,
    http_502_html: 1,
    http_503_retry_after: 1,
    http_429_retry_after: 2,
    garbage_html_200: 1,
    garbage_truncated_json: 1,
    garbage_empty_200: 0.5,
    reset_before_processing: 1.5,
    hang_past_timeout: 0.5,
    slow_down: 1,
  },
};

/** The soak's figures, faulty run against its fault-free baseline. */
export function soakRows(r: SoakResult, b: SoakResult, fakeBytesPerRotation?: number): Row[] {
  const perAgentHour = (x: SoakResult, n: number) => n / (x.agents * x.hours);
  const rows: Row[] = [
    { figure: 'agents × virtual hours', value: `${r.agents} × ${r.hours} h`, baseline: `${b.agents} × ${b.hours} h` },
    { figure: 'real time (s)', value: r.realMs / 1000, baseline: b.realMs / 1000 },
    { figure: 'virtual-time jumps', value: r.jumps, baseline: b.jumps },
    { figure: 'requests to the gates (device auth + poll + refresh)', value: r.gate.requests.device_authorization + r.gate.requests.poll + r.gate.requests.refresh, baseline: b.gate.requests.device_authorization + b.gate.requests.poll + b.gate.requests.refresh },
    { figure: 'faults injected', value: Object.values(r.gate.faults).reduce((t, n) => t + n, 0), baseline: Object.values(b.gate.faults).reduce((t, n) => t + n, 0) },
  ];
  for (const kind of FAULT_KINDS) {
    if (r.gate.faults[kind] !== undefined || b.gate.faults[kind] !== undefined) {
      rows.push({ figure: `  fault: ${kind}`, value: r.gate.faults[kind] ?? 0, baseline: b.gate.faults[kind] ?? 0 });
    }
  }
  rows.push(
    { figure: 'refresh requests at the gates', value: r.gate.requests.refresh, baseline: b.gate.requests.refresh },
    { figure: 'refresh requests reaching the IdP', value: r.idp.refreshes, baseline: b.idp.refreshes },
    { figure: 'refreshes with new tokens (rotations)', value: r.refreshed, baseline: b.refreshed },
    { figure: 'refresh requests per agent-hour (gate)', value: perAgentHour(r, r.gate.requests.refresh), baseline: perAgentHour(b, b.gate.requests.refresh) },
    { figure: 'longest wait on an expired access token (s)', value: r.maxExpiredMs / 1000, baseline: b.maxExpiredMs / 1000 },
    { figure: 'time on an expired access token, all agents (s)', value: r.expiredMs / 1000, baseline: b.expiredMs / 1000 },
    { figure: 'polls (gate) / checked against interval', value: `${r.gate.requests.poll} / ${r.gate.pollsChecked}`, baseline: `${b.gate.requests.poll} / ${b.gate.pollsChecked}` },
    { figure: 'pairings made / attempts ended without one', value: `${r.pairings} / ${r.attemptsFailed}`, baseline: `${b.pairings} / ${b.attemptsFailed}` },
    { figure: 'codes approved by the person', value: r.approvals, baseline: b.approvals },
    { figure: 'Retry-After values given', value: r.gate.retryAftersGiven, baseline: b.gate.retryAftersGiven },
    { figure: '**pairings lost** (asserted 0)', value: r.lost, baseline: b.lost },
    { figure: '**refresh-token reuse at the IdP** (asserted 0)', value: r.idp.reuse, baseline: b.idp.reuse },
    { figure: '**polls faster than allowed** (asserted 0)', value: r.gate.earlyPolls, baseline: b.gate.earlyPolls },
    { figure: 'smallest poll margin over the allowed wait (ms)', value: r.gate.minPollMarginMs ?? '—', baseline: b.gate.minPollMarginMs ?? '—' },
    { figure: '**retries before Retry-After ran out** (asserted 0)', value: r.gate.earlyRetries, baseline: b.gate.earlyRetries },
    { figure: 'answers lost in transit, unplanned (asserted 0)', value: r.gate.lostInTransit, baseline: b.gate.lostInTransit },
    { figure: 'agents paired at the end, token active at the IdP', value: `${r.activeTokensAtEnd} / ${r.agents}`, baseline: `${b.activeTokensAtEnd} / ${b.agents}` },
  );
  if (r.heap && b.heap) {
    const mb = (n: number) => n / 2 ** 20;
    const gc = r.heap.collected ? 'after gc' : 'WITHOUT gc';
    rows.push(
      { figure: `heap ${gc} at ${r.heap.atHour} h (MB)`, value: mb(r.heap.earlyBytes), baseline: mb(b.heap.earlyBytes) },
      { figure: `heap ${gc} at ${r.hours} h (MB)`, value: mb(r.heap.endBytes), baseline: mb(b.heap.endBytes) },
      { figure: `**heap growth ${r.heap.atHour} h → ${r.hours} h** (MB, asserted < 10)`, value: mb(r.heap.endBytes - r.heap.earlyBytes), baseline: mb(b.heap.endBytes - b.heap.earlyBytes) },
    );
    const perRotation = (h: NonNullable<SoakResult['heap']>) => (h.rotations === 0 ? Number.NaN : (h.endBytes - h.earlyBytes) / h.rotations);
    rows.push({ figure: '  growth per refresh the IdP processed in between (B)', value: perRotation(r.heap), baseline: perRotation(b.heap) });
    if (fakeBytesPerRotation !== undefined) {
      rows.push({ figure: '  the fake IdP alone keeps per rotation (B, calibrated without agents)', value: fakeBytesPerRotation, baseline: fakeBytesPerRotation });
    }
  }
  return rows;
}
