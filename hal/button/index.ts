export { DEBOUNCE_MS, DebouncedButton, systemClock } from './button.js';
export type { ButtonOptions, Clock } from './button.js';
export type { GpioLine, Level } from './line.js';
export { initialPressState, stepPress } from './press-logic.js';
export type { PressEvent, PressInput, PressState, PressStep, PressTiming } from './press-logic.js';
