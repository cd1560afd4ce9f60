/**
 * Table test of the local API's waits (issue #14 item 4: the CLI's wait computations in one helper):
 * how long the agent waits for the provider, and a command for the daemon (issue #7, #17).
 */
import { describe, expect, it } from 'vitest';
import { agentWaitMs, deadline, lockWaitMs, logoutWaitMs, replyWaitMs, statusWaitMs } from '../../src/daemon/waits.js';

const config = { http_timeout_ms: 10_000 };

describe('waits (ms), from http_timeout_ms', () => {
  it.each<[string, number, number]>([
    ['GET /token waits for one refresh and its write', agentWaitMs(config), 12_000],
    ['the token command waits for that, and the reply', replyWaitMs(agentWaitMs(config)), 14_000],
    ['logout waits for a revocation: two requests and the write', logoutWaitMs(config), 22_000],
    ['the logout command waits for that, and the reply', replyWaitMs(logoutWaitMs(config)), 24_000],
    ['a command without a daemon waits for the lock another holds: a logout, and its start and stop', lockWaitMs(config), 25_000],
    ['status: one HTTP timeout for the daemon to answer', statusWaitMs(config), 10_000],
    ['status?wait= held 60 s: that, and one HTTP timeout', statusWaitMs(config, 60_000), 70_000],
    ['the shortest http_timeout_ms (500): a refresh', agentWaitMs({ http_timeout_ms: 500 }), 2_500],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each([500, 10_000, 120_000])('a command never gives up before the daemon it asked (http_timeout_ms %i)', (http) => {
    for (const requests of [1, 2]) expect(replyWaitMs(agentWaitMs({ http_timeout_ms: http }, requests))).toBeGreaterThan(agentWaitMs({ http_timeout_ms: http }, requests));
  });

  it.each([500, 10_000, 120_000])('a command waits for the lock longer than another may hold it for a logout (http_timeout_ms %i)', (http) => {
    expect(lockWaitMs({ http_timeout_ms: http })).toBeGreaterThan(agentWaitMs({ http_timeout_ms: http }, 2));
  });
});

describe('deadline', () => {
  it.each<[string, number, number, number]>([
    ['all of it at the start', 1_000, 0, 1_000],
    ['what is left part-way', 1_000, 400, 600],
    ['nothing at the end', 1_000, 1_000, 0],
    ['nothing, never less, after it', 1_000, 5_000, 0],
    ['a wait of 0 (look once) is over at once', 0, 0, 0],
  ])('%s', (_name, ms, elapsed, left) => {
    let now = 50_000;
    const wait = deadline(ms, () => now);
    now += elapsed;
    expect(wait.left()).toBe(left);
  });
});
