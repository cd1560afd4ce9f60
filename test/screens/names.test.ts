/**
 * Names on the paired screen (issue #16): drawn as written in Latin-1 and Latin Extended-A, and for scripts
 * the 5x7 font has no glyphs for, the email or preferred username, then the subject; never a row of "?".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimHal } from '../../hal/factory.js';
import { Agent } from '../../src/agent/agent.js';
import { systemClock } from '../../src/agent/clock.js';
import { createIdpClient } from '../../src/agent/idp-client.js';
import { displayName } from '../../src/agent/view.js';
import { validateConfig } from '../../src/config/index.js';
import { startEmbeddedIdp, type EmbeddedIdp } from '../../dev/idp/embedded.js';
import type { Identity } from '../../src/pairing/state.js';
import { layoutScreen, renderScreen } from '../../src/screens/index.js';
import { FileStateStore } from '../../src/store/file-store.js';

describe('displayName', () => {
  it.each<[string, Identity, string | undefined]>([
    ['a Latin name as written', { who: 'José Núñez', otherNames: ['jose@example.com'] }, 'José Núñez'],
    ['the email for a name in CJK', { who: '山田太郎', otherNames: ['taro@example.jp', 'taro'] }, 'taro@example.jp'],
    ['the username when the email is undrawable too', { who: 'محمد', otherNames: ['محمد@example.com', 'mohammed'] }, 'mohammed'],
    ['the subject when no name can be drawn', { subject: 'u-4711', who: 'محمد' }, 'u-4711'],
    ['nothing (a generic line) when not even the subject can be drawn', { subject: '太郎', who: '山田' }, undefined],
    ['nothing when no name is known', { subject: 'u-4711' }, undefined],
  ])('%s', (_what, identity, shown) => {
    expect(displayName(identity)).toBe(shown);
  });
});

describe('the paired screen never shows a row of "?"', () => {
  it.each(['José Núñez', 'Zoë', 'Łukasz', 'Søren'])('%s is drawn as written', (who) => {
    const text = layoutScreen({ kind: 'paired', who }, { width: 128, height: 64 }).flatMap((e) => (e.kind === 'text' ? [e.text] : []));
    expect(text.join(' ')).toContain(who);
    expect(text.join(' ')).not.toContain('?');
  });
});

describe('an account named in a script the panel cannot draw, paired through the embedded IdP', () => {
  let idp: EmbeddedIdp;
  beforeAll(async () => {
    idp = await startEmbeddedIdp({ interval: 1 });
  });
  afterAll(async () => {
    await idp.close();
  });

  it('shows the email the provider released instead of the name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-names-'));
    const config = validateConfig({
      file: { issuer: idp.issuer, client_id: idp.publicClientId, scope: 'openid profile email offline_access', hal: 'sim', state_dir: dir },
      path: join(dir, 'c.json'),
      env: {},
    });
    const hal = createSimHal(config);
    const { store } = FileStateStore.open(dir);
    const agent = new Agent({ store, idp: createIdpClient(config, { log: () => {} }), hal, clock: systemClock(), log: () => {}, autoPair: false });
    try {
      await agent.start();
      hal.button.press();
      const awaiting = await agent.waitFor((s) => s.name === 'awaiting_user', 10_000);
      if (awaiting?.name !== 'awaiting_user') throw new Error('no code');
      await idp.approve(awaiting.code.userCode, 'taro');
      const paired = await agent.waitFor((s) => s.name === 'paired' && s.identity.otherNames !== undefined, 10_000);
      if (paired?.name !== 'paired') throw new Error('not paired with names');
      expect(paired.identity).toMatchObject({ who: '山田太郎', otherNames: ['taro@example.com'] });
      await agent.whenIdle();
      const shown = renderScreen({ kind: 'paired', who: 'taro@example.com' }, { width: 128, height: 64 });
      expect(Buffer.from(hal.display.frame.data).equals(Buffer.from(shown.data))).toBe(true);
    } finally {
      await agent.stop();
    }
  });
});
