// The DaemonSet controller's functional core: pure decisions, no I/O, time passed in.
export * from './backoff.js';
export * from './claim.js';
export * from './eligibility.js';
export * from './events.js';
export * from './hash.js';
export * from './history.js';
export * from './manage.js';
export * from './plan.js';
export * from './pods.js';
export * from './rollout.js';
export * from './status.js';
export * from './triggers.js';
