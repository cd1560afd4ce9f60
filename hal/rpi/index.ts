/**
 * The Raspberry Pi hardware layer: button on GPIO (onoff), OLED on I2C (oled-i2c-bus + i2c-bus).
 */
import type { Config } from '../../src/config/types.js';
import { AgentError } from '../../src/errors.js';
import type { Hal } from '../types.js';

export async function createRpiHal(_config: Config): Promise<Hal> {
  throw new AgentError('ERR_HARDWARE', 'the Raspberry Pi hardware layer is not built yet (issue #5): use "hal": "sim" or "terminal"');
}
