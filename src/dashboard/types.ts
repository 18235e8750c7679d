// What the dashboard keeps of each object (the informers' transforms cut them down to this) and
// what it sends to browsers. Shared by the server and the front end (types only, no runtime).

export interface NodeCondition { type: string; status: string; reason?: string; message?: string }

export interface NodeEntry {
  name: string;
  /** topology.kubernetes.io/zone, '' when unlabelled. */
  zone: string;
  /** The node pool (a pool label, or the embedded cluster's everynode.dev/pool annotation), '' when unknown. */
  pool: string;
  /** The Ready condition's status: 'True', 'False' or 'Unknown' (absent counts as Unknown). */
  ready: string;
  unschedulable: boolean;
  /** The everynode.dev/quarantined annotation's value (the rollout that quarantined it), '' when not. */
  quarantinedBy: string;
  conditions: NodeCondition[];
}

export interface PodEntry {
  /** namespace/name */
  key: string;
  namespace: string;
  name: string;
  node: string;
  phase: string;
  ready: boolean;
  terminating: boolean;
  /** namespace/name of the controlling DaemonSet, '' when none. */
  owner: string;
  /** The controller-revision-hash label. */
  revision: string;
  restarts: number;
  /** The first waiting or terminated container's reason (CrashLoopBackOff, ErrImagePull, …), '' when none. */
  reason: string;
}

export interface WaveEntry {
  name: string;
  nodes: number;
  updated: number;
  ready: number;
  failed: number;
  quarantined: number;
  state: string;
  startedAt?: string;
  completedAt?: string;
  bakedAt?: string;
}

export interface BlockerEntry { node: string; wave: string; reason: string; message: string; since: string; cause: string }

export interface RolloutEntry {
  /** namespace/name */
  key: string;
  namespace: string;
  name: string;
  phase: string;
  currentWave: string;
  fromRevision: string;
  toRevision: string;
  /** DaemonSets driven, as namespace/name, with the revision each is driven to. */
  targets: { daemonSet: string; toRevision: string }[];
  waves: WaveEntry[];
  blockers: BlockerEntry[];
  blockedTotal: number;
  quarantinedNodes: string[];
  updatedNodes: number;
  readyNodes: number;
  failure: string;
}

export const NODE_STATES = ['done', 'updating', 'waiting', 'blocked', 'quarantined', 'not-ready'] as const;
export type NodeState = typeof NODE_STATES[number];

/** One heat-map cell. */
export interface NodeView { name: string; zone: string; pool: string; state: NodeState }

export type Counts = Record<NodeState, number>;

/** Sent once on connect: the whole fleet. */
export interface SnapshotMessage { type: 'snapshot'; nodes: NodeView[]; rollouts: RolloutEntry[]; counts: Counts; total: number }

/** Sent after changes (at most a few a second): the nodes whose cell changed, and the rollouts when any did. */
export interface DeltaMessage { type: 'delta'; upsert: NodeView[]; remove: string[]; rollouts?: RolloutEntry[]; counts: Counts; total: number }

export type StreamMessage = SnapshotMessage | DeltaMessage;

/** GET /api/nodes/NAME: what the detail panel shows. */
export interface NodeDetails {
  node: NodeEntry;
  state: NodeState;
  pods: PodEntry[];
  blockers: (BlockerEntry & { rollout: string })[];
}
