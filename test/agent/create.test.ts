/**
 * The one composition root (issue #14 item 3): `createAgent` wires the agent that the daemon, the one-shot
 * commands, the demo and the soak run — the state file paired with its DPoP key, the discovery cache in
 * the state directory, the version in the User-Agent, the configuration's timings — and takes what
 * differs (HAL, log, clock, timers, store) as deps. Real files, the loopback provider.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import { systemClock } from '../../src/agent/clock.js';
import { createAgent } from '../../src/agent/create.js';
import type { StateStore } from '../../src/store/state-store.js';
import { validateConfig } from '../../src/config/validate.js';
import type { State } from '../../src/pairing/state.js';
import { packageVersion } from '../../src/version.js';
import { PROFILES, startProviderServer, type FakeProvider } from '../support/provider-servers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let idp: FakeProvider;
beforeAll(async () => {
  idp = await startProviderServer(PROFILES.keycloak);
});
afterAll(async () => {
  await idp.close();
});

function configFor(file: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pa-create-'));
  return validateConfig({
    file: { issuer: idp.issuer, client_id: idp.profile.client.clientId, hal: 'sim', state_dir: join(dir, 'state'), ...file },
    path: join(dir, 'c.json'),
    env: {},
  });
}

const paired = (tokenType: string): State => ({
  name: 'paired',
  tokens: { accessToken: 'at-1', tokenType, issuedAt: Date.now(), accessExpiresAt: Date.now() + 3_600_000, refreshToken: 'rt-1' },
  identity: { subject: 'ada' },
  failures: 0,
  refreshAt: Date.now() + 3_000_000,
});

describe('createAgent', () => {
  it('by default keeps the state in state_dir (0700), caches discovery there and sends its version', async () => {
    const config = configFor();
    const hal = createSimHal(config);
    const { agent, dpopKeys } = createAgent(config, { hal, log: () => {} });
    expect(statSync(config.state_dir).mode & 0o777).toBe(0o700);
    expect(dpopKeys.path).toBe(join(config.state_dir, 'dpop-key.json'));
    const before = idp.requests.length;
    await agent.start();
    await agent.prepare();
    expect(readdirSync(config.state_dir)).toContain('discovery.json');
    expect(JSON.parse(readFileSync(join(config.state_dir, 'discovery.json'), 'utf8')).metadata.issuer).toBe(idp.issuer);
    const discovery = idp.requests.slice(before).find((r) => r.method === 'GET');
    expect(discovery?.headers['user-agent']).toBe(`pairing-agent/${packageVersion()}`);
    await agent.stop();
    await hal.close();
  });

  it("opens the DPoP key store swept of a crashed key write's temp file, as the state's own", async () => {
    const config = configFor();
    mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(config.state_dir, 'dpop-key.json.tmp-deadbeef0000'), 'half a key from a crash', { mode: 0o600 });
    const hal = createSimHal(config);
    createAgent(config, { hal, log: () => {} });
    expect(readdirSync(config.state_dir)).not.toContain('dpop-key.json.tmp-deadbeef0000');
    await hal.close();
  });

  it('pairs the state with its DPoP key: a DPoP pairing whose key file is gone is lost, and said so', async () => {
    const config = configFor();
    mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(config.state_dir, 'state.json'), JSON.stringify({ schema: 1, state: paired('DPoP') }), { mode: 0o600 });
    const events: string[] = [];
    const hal = createSimHal(config);
    const { agent } = createAgent(config, { hal, log: (event) => events.push(event) });
    expect(await agent.load()).toMatchObject({ name: 'unpaired', notice: 'pairing_lost' });
    expect(events).toContain('dpop_key_lost');
    expect(JSON.parse(readFileSync(join(config.state_dir, 'state.json'), 'utf8')).state).toEqual({ name: 'unpaired', notice: 'pairing_lost' });
    await agent.stop();
    await hal.close();
  });

  it('takes the store and clock it is given (the soak: memory, virtual time), and auto_pair from the config', async () => {
    const config = configFor({ auto_pair: true });
    let saved: State | undefined;
    const store: StateStore = { load: async () => saved, save: async (s) => void (saved = s), wipe: async () => void (saved = undefined) };
    const clock = systemClock();
    const hal = createSimHal(config);
    const composed = createAgent(config, { hal, log: () => {}, store, clock });
    expect(composed.clock).toBe(clock);
    await composed.agent.start();
    // A kiosk (auto_pair) asks for a code with no press, and the code goes to the given store only.
    expect(await composed.agent.waitFor((s) => s.name === 'awaiting_user', 10_000)).toMatchObject({ name: 'awaiting_user' });
    expect(saved?.name).toBe('awaiting_user');
    expect(existsSync(join(config.state_dir, 'state.json'))).toBe(false);
    await composed.agent.stop();
    await hal.close();
  });

  it('is the only place in src/ and the soak that builds an Agent', () => {
    const builders = execFileSync('grep', ['-rl', 'new Agent(', 'src', 'test/soak'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    expect(builders).toEqual(['src/agent/create.ts']);
  });
});
