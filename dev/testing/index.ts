/**
 * `pairing-agent/testing` (issue #17): the simulated device and a test OpenID Provider, for teams that
 * test their device flow in CI (README "Test your device flow in CI").
 *
 * @example
 * const provider = await startTestProvider();
 * const device = await startSimulatedDevice({ config: provider.deviceConfig });
 * await device.press();
 * await device.waitFor('awaiting_user');
 * await provider.approve((await device.code()).userCode, 'alice');
 * await device.waitFor('paired');
 * const token = await device.token();
 * await device.stop();
 */
export { startSimulatedDevice } from './device.js';
export type { DeviceCode, DeviceConfig, SimulatedDevice, SimulatedDeviceOptions } from './device.js';
export { startTestProvider } from './provider.js';
export type { TestProvider, TestProviderOptions } from './provider.js';
export { AgentError, type ErrorCode } from '../../src/errors.js';
export type { Status } from '../../src/daemon/status.js';
export type { StateName } from '../../src/pairing/state.js';
export type { Config } from '../../src/config/types.js';
