/** The soak's figures as a Markdown table (issue #9), faulty run against its fault-free baseline. */
import type { FigureRow } from '../support/markdown-table.js';
import { FAULT_KINDS } from './fault-gate.js';
import type { SoakResult } from './harness.js';

// One table format with the bench (issue #14 item 6).
export { markdownTable } from '../support/markdown-table.js';
export type Row = FigureRow;

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
