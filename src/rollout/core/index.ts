// The DaemonSetRollout core: planRollout and the pure pieces it is made of.
export * from './types.js';
export * from './plan.js';
export * from './observe.js';
export * from './waves.js';
export * from './attribution.js';
export * from './targets.js';
export * from './blockers.js';
export * from './wake.js';
