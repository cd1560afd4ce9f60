/**
 * The simulated button: pressed from outside the agent (the control channel, tests).
 */
import { EventEmitter } from 'node:events';
import type { Button, ButtonEvents } from '../types.js';

export class VirtualButton extends EventEmitter<ButtonEvents> implements Button {
  press(long = false): void {
    this.emit(long ? 'longPress' : 'press');
  }

  async close(): Promise<void> {
    this.removeAllListeners();
  }
}
