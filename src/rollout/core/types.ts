// The rollout core's input and output: everything one sync needs, as data. The shell lists the
// objects (informers), calls planRollout(input, nowMs), applies the actions, writes the status
// and records the events. The same call drives the time-compressed simulation (src/rollout/sim).
import type { ControllerRevision, DaemonSet, DaemonSetUpdateStrategy, Node, Pod, PodTemplateSpec } from '../../api/types.js';
import type { DaemonSetRollout, DaemonSetRolloutStatus } from '../api/types.js';

export interface RolloutInput {
  /** The policy as stored (spec not yet defaulted; status = the last one written). */
  rollout: DaemonSetRollout;
  /** DaemonSets in the rollout's namespace; the core picks the targets (targetRef or selector). */
  daemonSets: readonly DaemonSet[];
  /** ControllerRevisions in the namespace (claimed by owner UID). */
  revisions: readonly ControllerRevision[];
  /** Pods in the namespace (claimed by controller owner UID). */
  pods: readonly Pod[];
  nodes: readonly Node[];
}

interface PodRef { namespace: string; name: string; uid?: string; node: string; daemonSet: string }

export type RolloutAction =
  /** Delete the old pod (with a UID precondition): the DaemonSet controller recreates it from the current template. */
  | ({ type: 'DeletePod'; purpose: 'Update' | 'Rollback' | 'Retry' } & PodRef)
  /** Patch the running pod's container images and controller-revision-hash label (and the UPDATED_AT annotation). */
  | ({ type: 'PatchPodImages'; images: Record<string, string>; initImages: Record<string, string>; revisionHash: string; updatedAt: string } & PodRef)
  /** Put the stable revision's template back into the DaemonSet (as `kubectl rollout undo`). */
  | { type: 'RollbackTemplate'; daemonSet: string; toRevision: string; template: PodTemplateSpec }
  /** manageStrategy: switch a RollingUpdate target to OnDelete, keeping the original in an annotation. */
  | { type: 'SetOnDelete'; daemonSet: string; original: DaemonSetUpdateStrategy }
  /** Annotate the node everynode.dev/quarantined=<value>. */
  | { type: 'QuarantineNode'; node: string; value: string }
  /** Remove the annotation. */
  | { type: 'ReleaseNode'; node: string };

export interface RolloutEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RolloutPlan {
  /** In the order the shell should apply them. */
  actions: RolloutAction[];
  /** The full status to write (the shell may skip a write equal to the last). */
  status: DaemonSetRolloutStatus;
  events: RolloutEvent[];
}
