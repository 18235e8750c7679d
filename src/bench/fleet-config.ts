// The bench cluster's fleet as a cluster config (pure): one pool `node` (node-0…node-N-1), or the
// same N nodes split into zone pools labelled topology.kubernetes.io/zone (zone-a-0…, zone-b-0…),
// as the DaemonSetRollout scenarios need. The node names are read back from the parsed config
// (plannedNodes), so the scenarios check and pin against the names the simulator really creates.
import { ClusterConfigSchema, plannedNodes, type ClusterConfig, type Delay } from '../nodes/cluster-config.js';
import { benchNodeCIDRMaskSize } from './checks.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** How the fleet's pods start: instant by default (the bench measures the control plane). */
export interface PodDelays { startupDelay: Delay; readinessDelay: Delay }

export const INSTANT: PodDelays = { startupDelay: { constant: 0 }, readinessDelay: { constant: 0 } };

export interface FleetShape {
  nodes: number;
  /** Split the fleet into this many zone pools (zone-a, zone-b, …); absent or 1: one pool `node`. */
  zones?: number;
  pods?: PodDelays;
}

/** zone-a … zone-z (the bench never needs more than a handful). */
export function zoneName(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 26) throw new Error(`zone index ${i} out of range 0..25`);
  return `zone-${String.fromCharCode(97 + i)}`;
}

/** N split as evenly as possible into k parts, the larger parts first (10 in 4: 3, 3, 2, 2). */
export function splitEvenly(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/** The raw cluster config (what `everynode up --config` reads) for a bench fleet. */
export function benchClusterConfig(s: FleetShape): Record<string, unknown> {
  const pods = s.pods ?? INSTANT;
  const zones = s.zones ?? 1;
  const pools = zones <= 1
    ? [{ name: 'node', count: s.nodes, pods }]
    : splitEvenly(s.nodes, zones).map((count, i) => ({ name: zoneName(i), count, labels: { [ZONE_LABEL]: zoneName(i) }, pods }));
  return { clusterCIDR: '10.0.0.0/8', nodeCIDRMaskSize: benchNodeCIDRMaskSize(s.nodes), pools };
}

/** The config as the cluster parses it (defaults filled in); throws on an invalid shape. */
export function parsedBenchConfig(s: FleetShape): ClusterConfig {
  return ClusterConfigSchema.parse(benchClusterConfig(s));
}

/** The node names the simulator creates for this config, in plan order. */
export function plannedNodeNames(c: ClusterConfig): string[] {
  return plannedNodes(c).map((p) => p.name);
}
