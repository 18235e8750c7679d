// Int-or-percent scaling as apimachinery's GetScaledValueFromIntOrPercent. Budgets (maxUnavailable,
// maxNodes) round up as the DaemonSet controller does for maxUnavailable, so "10%" of 5 nodes still
// lets one node go; thresholds that trip a gate (maxFailedNodes, quarantine.maxNodes) round down,
// so a percentage never tolerates more failures than it says.
import { scaledValue } from '../../controller/core/rollout.js';
import type { IntOrPercent } from './types.js';

/** The scaled value, or undefined for a value validation would reject. */
export function scaleIntOrPercent(v: IntOrPercent | undefined, total: number, roundUp: boolean): number | undefined {
  if (roundUp || typeof v !== 'string') {
    const n = scaledValue(v, total);
    return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
  }
  const m = /^(\d+)%$/.exec(v);
  return m ? Math.floor((Number(m[1]) * total) / 100) : undefined;
}
