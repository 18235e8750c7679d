// The DaemonSetRollout API: types, defaults, validation, int-or-percent scaling.
export * from './types.js';
export * from './defaults.js';
export * from './intorpercent.js';
export * from './validate.js';
