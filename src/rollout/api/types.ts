// DaemonSetRollout (everynode.dev/v1alpha1): a policy object that drives the rollout of existing
// apps/v1 DaemonSets with `updateStrategy: OnDelete` (issue #12). Every field is documented in
// docs/daemonsetrollout.md too; the CRD schema (config/crd/) must agree with validateRollout.
import type { LabelSelector, ObjectMeta } from '../../api/types.js';

export const GROUP = 'everynode.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'DaemonSetRollout';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Node annotation set on quarantined nodes (value: the rollout's namespace/name). */
export const QUARANTINE_ANNOTATION = 'everynode.dev/quarantined';
/** Rollout annotation written by `everynode rollout approve`: "<wave>@<toRevision>". */
export const APPROVE_ANNOTATION = 'everynode.dev/approve';
/** Rollout annotation written by `everynode rollout resume` after a trip: an RFC 3339 time. */
export const RESUME_ANNOTATION = 'everynode.dev/resume';
/** DaemonSet annotation holding the updateStrategy (JSON) that manageStrategy replaced. */
export const ORIGINAL_STRATEGY_ANNOTATION = 'everynode.dev/original-update-strategy';
/** Pod annotation set by an in-place image patch: when the pod received the new revision. */
export const UPDATED_AT_ANNOTATION = 'everynode.dev/updated-at';

export type IntOrPercent = number | string;

export interface TargetRef {
  /** Name of one DaemonSet in the rollout's namespace. */
  name: string;
}

export interface WaveSpec {
  /** Unique among waves; with splitBy each generated wave is "<name>-<label value>". */
  name: string;
  /** Nodes this wave may select (absent: every node not taken by an earlier wave). */
  nodeSelector?: LabelSelector;
  /** One wave per value of this node label, among the nodes the selector selects. */
  splitBy?: string;
  /** With splitBy: values first in this order, the remaining values after them, sorted. */
  order?: string[];
  /** Cap on the wave's nodes (int or % of the nodes it selects, rounded up); chosen by node-name hash. */
  maxNodes?: IntOrPercent;
  /** Nodes of the wave without an available daemon pod at once (int or % of the wave's nodes, rounded up). Default 1. */
  maxUnavailable?: IntOrPercent;
  /** Seconds the wave must stay complete and healthy before the next wave starts. Default 0. */
  bakeSeconds?: number;
  /** Manual: the wave waits for `everynode rollout approve` before it starts. */
  approval?: 'Auto' | 'Manual';
}

export interface NodeRegression {
  /** A node that turns NotReady or gets a pressure condition within this many seconds after its update fails. */
  windowSeconds?: number;
}

export interface HealthSpec {
  /** A new pod counts as available once Ready for this long (as the DaemonSet's minReadySeconds). Default 0. */
  minReadySeconds?: number;
  /** A new pod not Ready this long after it was created (or patched) fails its node. Default 300. */
  podReadyTimeoutSeconds?: number;
  /** Container restarts of a new pod beyond which its node fails. Default 3. */
  maxRestarts?: number;
  /** Node conditions after the update that count as a failure of the revision. */
  nodeRegression?: NodeRegression;
  /** Failed nodes (cause Revision) tolerated (int or % of the managed nodes, rounded down); beyond it the gate trips. Default 0. */
  maxFailedNodes?: IntOrPercent;
}

export interface QuarantineSpec {
  /** A node stuck (cause Node) for this long leaves the budget and is annotated everynode.dev/quarantined. */
  afterSeconds: number;
  /** At most this many quarantined nodes (int or % of the managed nodes, rounded down); one more trips the gate. Default 1. */
  maxNodes?: IntOrPercent;
}

export type OnFailure = 'Pause' | 'Rollback';
export type InPlace = 'Never' | 'IfPossible';

export interface DaemonSetRolloutSpec {
  /** The DaemonSet to drive; exactly one of targetRef and selector. */
  targetRef?: TargetRef;
  /** DaemonSets (in the rollout's namespace) whose labels this selects. */
  selector?: LabelSelector;
  /** Waves in order; a node joins the first wave that selects it. */
  waves: WaveSpec[];
  health?: HealthSpec;
  /** What a tripped gate does: Pause (phase Failed, nothing more deleted) or Rollback. Default Pause. */
  onFailure?: OnFailure;
  /** No node completes for this many seconds while the rollout progresses → the gate trips. Default 1800. */
  progressDeadlineSeconds?: number;
  quarantine?: QuarantineSpec;
  /** Stop deleting and patching pods; status keeps being reported. */
  paused?: boolean;
  /** Daemon pods (across all targeted DaemonSets) unavailable at once on one node. Default 1. */
  perNodeMaxUnavailable?: number;
  /** IfPossible: when two revisions differ only in container images, patch the running pod instead of deleting it. Default Never. */
  inPlace?: InPlace;
  /** Evict lower-priority pods (Eviction API, PDBs respected) so that a new daemon pod fits. Default false. */
  makeRoom?: boolean;
  /** Switch RollingUpdate targets to OnDelete (the original is kept in an annotation and restored on deletion). Default false. */
  manageStrategy?: boolean;
}

export type Phase = 'Idle' | 'Progressing' | 'Baking' | 'WaitingApproval' | 'Paused' | 'RollingBack' | 'Complete' | 'Failed';
export type WaveState = 'Pending' | 'Progressing' | 'Baking' | 'WaitingApproval' | 'Complete';

export interface WaveStatus {
  name: string;
  /** Nodes the wave holds now (new nodes included). */
  nodes: number;
  /** Nodes whose targeted pods all run the new revision. */
  updated: number;
  /** Updated nodes whose new pods are all available. */
  ready: number;
  /** Nodes failed because of the revision (cause Revision). */
  failed: number;
  quarantined: number;
  state: WaveState;
  /** When the wave started (RFC 3339). */
  startedAt?: string;
  /** When the wave was last seen complete; bake time counts from here. */
  completedAt?: string;
  /** When the bake time ended and the next wave could start. */
  bakedAt?: string;
  /** When the wave's manual approval was seen. */
  approvedAt?: string;
}

export const BLOCKER_REASONS = [
  'NodeNotReady', 'NodeCordoned', 'NodePressure', 'Unschedulable', 'InsufficientResources', 'ImagePull',
  'CrashLoop', 'NotReady', 'TerminatingTooLong', 'EvictionBlocked', 'WaitingForBudget', 'WaitingForWave', 'WaitingForApproval', 'Paused',
] as const;
export type BlockerReason = typeof BLOCKER_REASONS[number];
export type BlockerCause = 'Node' | 'Revision' | 'Budget';

export interface BlockedNode {
  node: string;
  wave: string;
  reason: BlockerReason;
  message: string;
  /** When this reason was first seen on this node (kept across syncs while the reason stays). */
  since: string;
  cause: BlockerCause;
}

export interface TargetStatus {
  /** DaemonSet name. */
  name: string;
  /** controller-revision-hash the rollout started from (the last one that completed). */
  fromRevision: string;
  /** controller-revision-hash the rollout drives towards. */
  toRevision: string;
  /** The DaemonSet's strategy as seen (OnDelete, RollingUpdate). */
  strategy: string;
  /** Set from the rollback's start until the DaemonSet's template is seen back on fromRevision: the hash rolled back from. */
  rollbackFrom?: string;
}

/** The per-reason unhealthy rate of not-yet-updated nodes, kept for when no such nodes remain. */
export interface Baseline {
  nodes: number;
  unhealthy: Partial<Record<BlockerReason, number>>;
}

export interface Failure {
  reason: 'HealthGate' | 'ProgressDeadlineExceeded' | 'QuarantineLimit';
  message: string;
  at: string;
  /** The toRevision that tripped. */
  toRevision: string;
}

export interface Condition {
  type: 'Progressing' | 'Paused' | 'Healthy' | 'ProgressDeadlineExceeded' | 'RolledBack' | 'TargetStrategy';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface DaemonSetRolloutStatus {
  phase?: Phase;
  /** Name of the wave being rolled (or the last one, once complete). */
  currentWave?: string;
  /** One target: its fromRevision; several: "ds=hash,…" sorted by name. */
  fromRevision?: string;
  /** One target: its toRevision; several: "ds=hash,…" sorted by name. Identifies the rollout. */
  toRevision?: string;
  observedGeneration?: number;
  targets?: TargetStatus[];
  waves?: WaveStatus[];
  /** At most BLOCKED_NODES_LIMIT entries: Revision causes first, then Node, then Budget. */
  blockedNodes?: BlockedNode[];
  /** How many nodes are blocked in all (blockedNodes is capped). */
  blockedNodesTotal?: number;
  blockedByReason?: Partial<Record<BlockerReason, number>>;
  /** Nodes currently out of the budget (annotated everynode.dev/quarantined), sorted. */
  quarantinedNodes?: string[];
  /** Nodes selected by no wave: never touched. */
  unselectedNodes?: number;
  updatedNodes?: number;
  readyNodes?: number;
  /** Last time a node completed (progress deadline counts from here). */
  lastProgressAt?: string;
  baseline?: Baseline;
  failure?: Failure;
  /** Set while rolling back: the hashes rolled back from. */
  rolledBackFrom?: string;
  conditions?: Condition[];
}

export interface DaemonSetRollout {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec: DaemonSetRolloutSpec;
  status?: DaemonSetRolloutStatus;
}
