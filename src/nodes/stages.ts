// Pod lifecycle stages for the simulated kubelet, after kwok's Stage API: each stage says which
// state it fires from (`when`, read from the pod's own status: there is no hidden state), when
// it fires (`at`), and the status it writes (`render`). Predicates are small functions rather
// than a query language because they are only ever written here, in code review.
import type { ContainerStatus, Node, Pod, PodCondition, PodStatus } from '../api/types.js';
import { parseTime, rfc3339 } from '../api/meta.js';
import { ruleForImage, sampleDelay, type BehaviourRule, type PodBehaviour } from './cluster-config.js';
import { findCondition, setCondition } from './conditions.js';
import { nodeIsReady } from './podready.js';
import { internalIPOf, podIPFor } from './node.js';

export interface StageContext {
  pod: Pod;
  node: Node;
  behaviour: PodBehaviour;
  /** The first behaviour rule matching any of the pod's container images. */
  rule: BehaviourRule | undefined;
  nowMs: number;
  rand: () => number;
  /** Fraction of the grace period after which a gracefully deleted pod really goes (1 = full). */
  deletionFactor: number;
}

export interface PodEvent { type: 'Normal' | 'Warning'; reason: string; message: string }

export interface Transition {
  stage: string;
  atMs: number;
  /** Replacement values for these top-level status fields (a merge patch of status). */
  statusPatch?: PodStatus;
  event?: PodEvent;
  delete?: true;
}

export interface PodStage {
  name: string;
  when: (c: StageContext) => boolean;
  at: (c: StageContext) => number;
  render: (c: StageContext) => Omit<Transition, 'stage' | 'atMs'>;
}

// ---- reading the state ----

const statuses = (p: Pod): ContainerStatus[] => p.status?.containerStatuses ?? [];
const waitingReason = (p: Pod) => statuses(p).find((s) => s.state?.waiting)?.state?.waiting?.reason;
const allRunning = (p: Pod) => statuses(p).length > 0 && statuses(p).every((s) => s.state?.running);
const ms = (t: unknown) => parseTime(t as string | undefined);
const isTerminalPhase = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Kubelet crash-loop back-off: 10 s doubling per restart, capped at 5 minutes. */
export function crashLoopBackoffMs(restartCount: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, restartCount - 1));
}

function fnvHex(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
const sha = (s: string) => [0, 1, 2, 3, 4, 5, 6, 7].map((i) => fnvHex(`${i}${s}`)).join('');
const podRef = (p: Pod) => `${p.metadata?.name}_${p.metadata?.namespace}(${p.metadata?.uid})`;

// ---- writing the state ----

function conditions(c: StageContext, ready: boolean, reason?: string, started = true): PodCondition[] {
  const now = rfc3339(c.nowMs);
  let list: PodCondition[] = c.pod.status?.conditions ?? [];
  const set = (type: string, ok: boolean, why?: string) => { list = setCondition(list, { type, status: ok ? 'True' : 'False', ...(ok || !why ? {} : { reason: why }) }, now); };
  set('PodReadyToStartContainers', started);
  set('Initialized', true);
  set('Ready', ready, reason);
  set('ContainersReady', ready, reason);
  set('PodScheduled', true);
  return list;
}

function containerStatuses(c: StageContext, f: (name: string, image: string, old: ContainerStatus | undefined) => Partial<ContainerStatus>): ContainerStatus[] {
  return (c.pod.spec?.containers ?? []).map((k) => {
    const old = statuses(c.pod).find((s) => s.name === k.name);
    return { name: k.name, image: k.image ?? '', imageID: old?.imageID ?? '', ready: false, restartCount: old?.restartCount ?? 0, started: false, ...f(k.name, k.image ?? '', old) } as ContainerStatus;
  });
}

function running(c: StageContext, ready: boolean): Partial<ContainerStatus> & { state: ContainerStatus['state'] } {
  return { state: { running: { startedAt: rfc3339(c.nowMs) } }, ready, started: true };
}

const shouldRestart = (policy: string | undefined, exitCode: number) => policy === 'Always' || policy === undefined || (policy === 'OnFailure' && exitCode !== 0);

/** The stages, tried in order; the first whose `when` holds is the pod's next step. */
export const POD_STAGES: readonly PodStage[] = [
  {
    name: 'pod-delete',
    when: (c) => c.pod.metadata?.deletionTimestamp !== undefined,
    at: (c) => {
      const deadline = ms(c.pod.metadata?.deletionTimestamp) ?? c.nowMs;
      if (!c.pod.status?.startTime || isTerminalPhase(c.pod)) return c.nowMs; // nothing runs: no grace needed
      const graceMs = (c.pod.metadata?.deletionGracePeriodSeconds ?? 30) * 1000;
      return deadline - graceMs + graceMs * c.deletionFactor;
    },
    render: () => ({ delete: true }),
  },
  {
    name: 'pod-accept',
    when: (c) => !c.pod.status?.startTime && !isTerminalPhase(c.pod),
    at: (c) => c.nowMs,
    render: (c) => {
      const hostIP = internalIPOf(c.node);
      return {
        statusPatch: {
          phase: 'Pending', startTime: rfc3339(c.nowMs), qosClass: c.pod.status?.qosClass,
          ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
          conditions: conditions(c, false, 'ContainersNotReady', false),
          containerStatuses: containerStatuses(c, () => ({ state: { waiting: { reason: 'ContainerCreating' } } })),
        },
      };
    },
  },
  {
    name: 'pod-pull-error',
    when: (c) => c.rule?.pullError !== undefined && (waitingReason(c.pod) === 'ContainerCreating' || waitingReason(c.pod) === 'ImagePullBackOff'),
    at: (c) => waitingReason(c.pod) === 'ContainerCreating'
      ? (ms(c.pod.status?.startTime) ?? c.nowMs) + sampleDelay(c.behaviour.startupDelay, c.rand)
      // Pull back-off doubles from 10 s to 5 min; time since start doubles along with it.
      : c.nowMs + Math.min(300_000, Math.max(10_000, c.nowMs - (ms(c.pod.status?.startTime) ?? c.nowMs))),
    render: (c) => {
      const image = c.pod.spec?.containers?.[0]?.image ?? '';
      const message = c.rule!.pullError === 'InvalidImageName'
        ? `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`
        : `failed to pull and unpack image "${image}": failed to resolve reference "${image}": not found`;
      return {
        statusPatch: { containerStatuses: containerStatuses(c, () => ({ state: { waiting: { reason: c.rule!.pullError!, message } } })) },
        event: { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": ${message}` },
      };
    },
  },
  {
    name: 'pod-pull-backoff',
    when: (c) => waitingReason(c.pod) === 'ErrImagePull',
    at: (c) => c.nowMs + 1000,
    render: (c) => ({
      statusPatch: { containerStatuses: containerStatuses(c, (_, image) => ({ state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } })) },
      event: { type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${c.pod.spec?.containers?.[0]?.image ?? ''}"` },
    }),
  },
  {
    name: 'pod-start',
    when: (c) => waitingReason(c.pod) === 'ContainerCreating',
    at: (c) => (ms(c.pod.status?.startTime) ?? c.nowMs) + sampleDelay(c.behaviour.startupDelay, c.rand),
    render: (c) => {
      const podIP = podIPFor(c.node, c.pod);
      return {
        statusPatch: {
          phase: 'Running', podIP, podIPs: [{ ip: podIP }],
          conditions: conditions(c, false, 'ContainersNotReady'),
          containerStatuses: containerStatuses(c, (name, image) => ({
            ...running(c, false),
            imageID: `${image.split(':')[0]}@sha256:${sha(image)}`,
            containerID: `containerd://${sha(`${c.pod.metadata?.uid}/${name}/0`)}`,
          })),
        },
        event: { type: 'Normal', reason: 'Started', message: `Started container ${c.pod.spec?.containers?.[0]?.name ?? ''}` },
      };
    },
  },
  {
    name: 'pod-exit',
    when: (c) => allRunning(c.pod) && (c.rule?.crashLoop !== undefined || c.rule?.exit !== undefined),
    at: (c) => Math.max(...statuses(c.pod).map((s) => ms(s.state?.running?.startedAt) ?? c.nowMs))
      + sampleDelay((c.rule!.crashLoop ?? c.rule!.exit)!.after, c.rand),
    render: (c) => {
      const exitCode = (c.rule!.crashLoop ?? c.rule!.exit)!.exitCode;
      const restart = shouldRestart(c.pod.spec?.restartPolicy, exitCode);
      const now = rfc3339(c.nowMs);
      const terminated = (old: ContainerStatus | undefined) => ({
        terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: old?.state?.running?.startedAt, finishedAt: now, containerID: old?.containerID },
      });
      if (!restart) {
        return {
          statusPatch: {
            phase: exitCode === 0 ? 'Succeeded' : 'Failed',
            conditions: conditions(c, false, 'PodCompleted', false),
            containerStatuses: containerStatuses(c, (_, __, old) => ({ state: terminated(old), containerID: old?.containerID, imageID: old?.imageID ?? '', started: false })),
          },
        };
      }
      return {
        statusPatch: {
          conditions: conditions(c, false, 'ContainersNotReady'),
          containerStatuses: containerStatuses(c, (name, __, old) => ({
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${crashLoopBackoffMs((old?.restartCount ?? 0) + 1) / 1000}s restarting failed container=${name} pod=${podRef(c.pod)}` } },
            lastState: terminated(old), restartCount: (old?.restartCount ?? 0) + 1, containerID: old?.containerID, imageID: old?.imageID ?? '',
          })),
        },
        event: { type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${c.pod.spec?.containers?.[0]?.name ?? ''} in pod ${podRef(c.pod)}` },
      };
    },
  },
  {
    name: 'pod-restart',
    when: (c) => waitingReason(c.pod) === 'CrashLoopBackOff',
    at: (c) => {
      const s = statuses(c.pod)[0];
      return (ms(s?.lastState?.terminated?.finishedAt) ?? c.nowMs) + crashLoopBackoffMs(s?.restartCount ?? 1);
    },
    render: (c) => ({
      statusPatch: {
        containerStatuses: containerStatuses(c, (name, _, old) => ({
          ...running(c, false), lastState: old?.lastState, imageID: old?.imageID ?? '',
          containerID: `containerd://${sha(`${c.pod.metadata?.uid}/${name}/${old?.restartCount ?? 0}`)}`,
        })),
      },
      event: { type: 'Normal', reason: 'Started', message: `Started container ${c.pod.spec?.containers?.[0]?.name ?? ''}` },
    }),
  },
  {
    name: 'pod-ready',
    // Also when only the pod's Ready condition is False while its node is Ready: the node
    // lifecycle controller's MarkPodsNotReady during an outage, undone once the kubelet is back.
    when: (c) => allRunning(c.pod) && !c.rule?.neverReady
      && (statuses(c.pod).some((s) => !s.ready) || (nodeIsReady(c.node) && findCondition(c.pod.status?.conditions, 'Ready')?.status !== 'True')),
    at: (c) => Math.max(...statuses(c.pod).map((s) => ms(s.state?.running?.startedAt) ?? c.nowMs)) + sampleDelay(c.behaviour.readinessDelay, c.rand),
    render: (c) => ({
      statusPatch: {
        conditions: conditions(c, true),
        containerStatuses: containerStatuses(c, (_, __, old) => ({ ...old, ready: true, started: true })),
      },
    }),
  },
];

/** Rule for a pod: the first rule matching any container image (init containers are not simulated). */
export function ruleForPod(pod: Pod, rules: readonly BehaviourRule[]): BehaviourRule | undefined {
  for (const k of pod.spec?.containers ?? []) {
    const r = ruleForImage(rules, k.image ?? '');
    if (r) return r;
  }
  return undefined;
}
