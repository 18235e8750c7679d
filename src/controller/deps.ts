// What one DaemonSet sync needs, and nothing more: the reconciler receives these, never the
// controller object (which imports the reconciler; the other way round was an import cycle).
import type { ControllerRevision, DaemonSet, KObject, Node, Pod } from '../api/types.js';
import type { RawClient } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import type { BackoffState } from './core/backoff.js';
import type { Expectations } from './expectations.js';
import type { Clock } from '../kube/clock.js';

export const BIND_ANNOTATION = 'everynode.dev/bind';

export interface Caches {
  daemonSets: Informer<DaemonSet & KObject>;
  pods: Informer<Pod & KObject>;
  nodes: Informer<Node & KObject>;
  revisions: Informer<ControllerRevision & KObject>;
}

export interface DaemonSetWriteMetrics {
  podCreated(namespace: string, daemonSet: string): void;
  podDeleted(namespace: string, daemonSet: string): void;
}

export interface ReconcilerDeps {
  /** The client of the controller's writes (its signal aborts them when leadership is lost). */
  client: RawClient;
  caches: Caches;
  expectations: Expectations;
  /** Failed-pod back-off per DaemonSet key, kept between syncs. */
  backoff: Map<string, BackoffState>;
  /** The controller's one time source (fake in tests, as the queue's and the expectations'). */
  clock: Clock;
  /** The controller settings a sync reads. */
  opts: { bindDirectly?: boolean; metrics?: DaemonSetWriteMetrics; log?: (line: string) => void };
}
