/**
 * The device flow end to end with pairing-agent/testing (README "Test your device flow in CI"): a
 * simulated device pairs with a test OpenID Provider, and the token it gets is active. This project runs
 * this very file in its own `npm test`, so it cannot rot.
 *
 * For your own provider: drop startTestProvider, pass your `issuer` and `client_id` in `config`, and
 * replace `provider.approve(...)` with your browser automation opening `code.qr` (what a phone would
 * open) and approving as a test user.
 */
import { startSimulatedDevice, startTestProvider, type SimulatedDevice, type TestProvider } from 'pairing-agent/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';

let provider: TestProvider;
let device: SimulatedDevice;

beforeAll(async () => {
  provider = await startTestProvider();
  device = await startSimulatedDevice({ config: provider.deviceConfig });
});

afterAll(async () => {
  await device?.stop(); // never leaves the daemon behind
  await provider?.close();
});

test('a press, an approval, and the device holds a token the provider accepts', async () => {
  await device.press();
  await device.waitFor('awaiting_user', 15_000);
  const code = await device.code();
  expect(code.qr).toBe(code.verificationUriComplete); // the QR on the panel is the complete URL

  // Your browser automation goes here: open code.qr, sign in as a test user, approve.
  await provider.approve(code.userCode, 'alice');

  expect(await device.waitFor('paired', 15_000)).toMatchObject({ state: 'paired', subject: 'alice' });
  const token = await device.token();
  expect(await provider.introspect(token)).toMatchObject({ active: true, sub: 'alice' });
}, 60_000);
