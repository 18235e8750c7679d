// DaemonSetRollout (issue #12): the API (types, defaults, validation), the pure core
// (planRollout) and the time-compressed simulation that drives it.
export * from './api/index.js';
export * from './core/index.js';
export { simulate, zonedFleet, SIM_T0, type SimConfig, type SimNode, type SimResult, type SimStep } from './sim/fleet.js';
