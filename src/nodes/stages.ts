// Pod lifecycle stages for the simulated kubelet, after kwok's Stage API: each stage says which
// state it fires from (`when`, read from the pod's own status: there is no hidden state), when
// it fires (`at`), and the status it writes (`render`). Predicates are small functions rather
// than a query language because they are only ever written here, in code review.
import type { ContainerStatus, Node, Pod, PodCondition, PodStatus } from '../api/types.js';
import { parseTime, rfc3339 } from '../api/meta.js';
import { ruleForImage, sampleDelay, type BehaviourRule, type PodBehaviour } from './cluster-config.js';
import { findCondition, setCondition } from './conditions.js';
import { nodeIsReady } from './podready.js';
import { internalIPOf } from './node.js';
import { podIPsFor, sandboxFailureMessage } from './podnetwork.js';

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
  /** The pod IPs other live pods on the node hold (asked only when a sandbox is set up); none when absent. */
  podIPsInUse?: () => Iterable<string>;
  /**
   * The exact moment a timestamp of this pod's status stands for, when the shell wrote it and
   * still knows (undefined otherwise). The API's RFC 3339 times have whole seconds: a delay
   * counted from the truncated second comes out short by the fraction lost, up to a second per
   * stage, so a pool's startupDelay and readinessDelay would not be what the config says.
   */
  exactMs?: (t: string | undefined) => number | undefined;
}

/** A kubelet event about the pod; `container` makes it about that container (fieldPath spec.containers{NAME}). */
export interface PodEvent { type: 'Normal' | 'Warning'; reason: string; message: string; container?: string }

export interface Transition {
  stage: string;
  atMs: number;
  /** The moment the patch's timestamps stand for (its RFC 3339 times are this, to the second). */
  renderedAtMs?: number;
  /** Replacement values for these top-level status fields (a merge patch of status). */
  statusPatch?: PodStatus;
  events?: PodEvent[];
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
/** A status timestamp a delay is counted from: exact when the shell knows it, else to the second. */
const since = (c: StageContext, t: string | undefined) => (t === undefined ? undefined : c.exactMs?.(t) ?? ms(t));
const isTerminalPhase = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** kubelet's pod worker retries a failed sync (here: sandbox creation) after its backOffPeriod. */
export const SANDBOX_RETRY_MS = 10_000;

/**
 * An accepted, live pod whose sandbox is not set up yet: PodReadyToStartContainers is what the
 * kubelet turns True once the sandbox and its network exist, before any image is pulled.
 */
export function awaitsSandbox(p: Pod): boolean {
  return !!p.status?.startTime && !isTerminalPhase(p) && p.metadata?.deletionTimestamp === undefined
    && findCondition(p.status?.conditions, 'PodReadyToStartContainers')?.status !== 'True';
}

/** When the sandbox came up (pulls start then); the start time for pods from before it was recorded. */
const sandboxReadyMs = (c: StageContext) => {
  const cond = findCondition(c.pod.status?.conditions, 'PodReadyToStartContainers');
  return (cond?.status === 'True' ? since(c, cond.lastTransitionTime) : undefined) ?? since(c, c.pod.status?.startTime);
};

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

/**
 * Sets up the pod's sandbox network: a hostNetwork pod shares its node's (its IP is the node's);
 * any other gets addresses from the node's pod CIDRs, or the CNI's error (no sandbox).
 */
function sandboxNetwork(c: StageContext): { podIPs: string[] } | { failure: PodEvent } {
  if (c.pod.spec?.hostNetwork) {
    const hostIP = internalIPOf(c.node);
    return { podIPs: hostIP ? [hostIP] : [] };
  }
  const net = podIPsFor(c.node, c.pod, c.podIPsInUse?.() ?? []);
  if ('podIPs' in net) return net;
  const sandboxId = sha(`${c.pod.metadata?.uid}/sandbox/${c.nowMs}`);
  return { failure: ev('Warning', 'FailedCreatePodSandBox', sandboxFailureMessage(sandboxId, net.error)) };
}

const ipFields = (podIPs: string[]): PodStatus => (podIPs.length ? { podIP: podIPs[0], podIPs: podIPs.map((ip) => ({ ip })) } : {});

// ---- the kubelet's events (kuberuntime's and the image manager's reasons and messages) ----

const containersOf = (p: Pod) => p.spec?.containers ?? [];
const ev = (type: PodEvent['type'], reason: string, message: string, container?: string): PodEvent => ({ type, reason, message, ...(container ? { container } : {}) });

/** Go's time.Duration text for the short spans pulls take: 812ms, 1.204s. */
export function goDuration(ms: number): string {
  const r = Math.max(0, Math.round(ms));
  return r < 1000 ? `${r}ms` : `${(r / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/** "Pulling" per container, unless its pull policy is Never (the image is assumed present). */
function pullingEvents(p: Pod): PodEvent[] {
  return containersOf(p).filter((k) => k.imagePullPolicy !== 'Never').map((k) => ev('Normal', 'Pulling', `Pulling image "${k.image ?? ''}"`, k.name));
}

/** Pulled (first start: how long the pull took; restarts: already present), Created, Started per container. */
function startEvents(p: Pod, pullMs: number | undefined): PodEvent[] {
  return containersOf(p).flatMap((k) => {
    const image = k.image ?? '';
    const pulled = pullMs === undefined || k.imagePullPolicy === 'Never'
      ? `Container image "${image}" already present on machine`
      : `Successfully pulled image "${image}" in ${goDuration(pullMs)} (${goDuration(pullMs)} including waiting). Image size: ${imageSize(image)} bytes.`;
    return [ev('Normal', 'Pulled', pulled, k.name), ev('Normal', 'Created', `Created container: ${k.name}`, k.name), ev('Normal', 'Started', `Started container ${k.name}`, k.name)];
  });
}

/** Graceful termination: "Killing" per container that was running. */
export function killingEvents(p: Pod): PodEvent[] {
  return statuses(p).filter((s) => s.state?.running).map((s) => ev('Normal', 'Killing', `Stopping container ${s.name}`, s.name));
}

/** A stable, plausible size for an image (10 to 200 MB), so its Pulled event reads like a real one. */
function imageSize(image: string): number {
  return 10_000_000 + (parseInt(fnvHex(image), 16) % 190_000_000);
}

// ---- in-place image changes (ValidatePodUpdate allows spec.containers[*].image to change) ----

/** Containers whose spec image differs from the image their status reports: the kubelet replaces them. */
const changedImages = (p: Pod): Set<string> => new Set(containersOf(p)
  .filter((k) => { const st = statuses(p).find((s) => s.name === k.name); return st !== undefined && st.image !== (k.image ?? ''); })
  .map((k) => k.name));
/** Ephemeral containers in the spec the kubelet has not started yet. */
const newEphemeral = (p: Pod) => (p.spec?.ephemeralContainers ?? [])
  .filter((k) => !(p.status?.ephemeralContainerStatuses ?? []).some((s) => s.name === k.name));
/** A container that has run before (it has a container ID): its replacement counts as a restart. */
const hasRun = (s: ContainerStatus | undefined) => Boolean(s?.containerID);
const restarting = (p: Pod) => p.status?.phase === 'Running' && statuses(p).some((s) => s.state?.waiting?.reason === 'ContainerCreating' && s.lastState?.terminated);

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
    render: (c) => {
      const killing = isTerminalPhase(c.pod) ? [] : killingEvents(c.pod);
      return killing.length ? { delete: true, events: killing } : { delete: true };
    },
  },
  {
    // `kubectl debug` added an ephemeral container (pods/ephemeralcontainers): the kubelet starts
    // it beside the others, once, and never restarts it; it takes no part in readiness.
    name: 'ephemeral-container-start',
    when: (c) => c.pod.status?.phase === 'Running' && !c.pod.metadata?.deletionTimestamp && newEphemeral(c.pod).length > 0,
    at: (c) => c.nowMs,
    render: (c) => {
      const started = newEphemeral(c.pod);
      const now = rfc3339(c.nowMs);
      const ephemeralContainerStatuses: ContainerStatus[] = [
        ...(c.pod.status?.ephemeralContainerStatuses ?? []),
        ...started.map((k) => ({
          name: k.name, image: k.image ?? '', imageID: `${(k.image ?? '').split(':')[0]}@sha256:${sha(k.image ?? '')}`,
          containerID: `containerd://${sha(`${c.pod.metadata?.uid}/${k.name}/ephemeral`)}`,
          ready: false, restartCount: 0, state: { running: { startedAt: now } },
        })),
      ];
      const events = started.flatMap((k) => [
        ...(k.imagePullPolicy === 'Never' ? [] : [ev('Normal', 'Pulling', `Pulling image "${k.image ?? ''}"`, k.name)]),
        ev('Normal', 'Pulled', `Container image "${k.image ?? ''}" already present on machine`, k.name),
        ev('Normal', 'Created', `Created container: ${k.name}`, k.name),
        ev('Normal', 'Started', `Started container ${k.name}`, k.name),
      ]);
      return { statusPatch: { ephemeralContainerStatuses }, events };
    },
  },
  {
    // The container's hash changed (kuberuntime's computePodActions): the kubelet kills it and
    // starts one from the new image; the pod is not Ready until the new container is.
    name: 'container-image-change',
    when: (c) => !!c.pod.status?.startTime && !isTerminalPhase(c.pod) && !awaitsSandbox(c.pod) && changedImages(c.pod).size > 0,
    at: (c) => c.nowMs,
    render: (c) => {
      const changed = changedImages(c.pod);
      const now = rfc3339(c.nowMs);
      const events: PodEvent[] = [];
      const containerStatuses = containersOf(c.pod).map((k) => {
        const old = statuses(c.pod).find((s) => s.name === k.name)!;
        if (!changed.has(k.name)) return old;
        if (old.state?.running) events.push(ev('Normal', 'Killing', `Container ${k.name} definition changed, will be restarted`, k.name));
        if (k.imagePullPolicy !== 'Never') events.push(ev('Normal', 'Pulling', `Pulling image "${k.image ?? ''}"`, k.name));
        const ran = hasRun(old);
        const lastState = old.state?.running
          ? { terminated: { exitCode: 143, reason: 'Error', startedAt: old.state.running.startedAt, finishedAt: now, containerID: old.containerID } }
          : old.state?.terminated ? { terminated: old.state.terminated } : old.lastState;
        return {
          name: k.name, image: k.image ?? '', imageID: old.imageID ?? '', ready: false, started: false,
          restartCount: (old.restartCount ?? 0) + (ran ? 1 : 0),
          state: { waiting: { reason: 'ContainerCreating' } },
          // Without a previous run there is nothing to restart: the first start (pod-start) takes it.
          ...(ran && lastState?.terminated ? { lastState, containerID: old.containerID } : {}),
        } as ContainerStatus;
      });
      return { statusPatch: { conditions: conditions(c, false, 'ContainersNotReady'), containerStatuses }, events };
    },
  },
  {
    name: 'pod-accept',
    when: (c) => !c.pod.status?.startTime && !isTerminalPhase(c.pod),
    at: (c) => c.nowMs,
    render: (c) => {
      const hostIP = internalIPOf(c.node);
      const net = sandboxNetwork(c);
      const ok = 'podIPs' in net;
      return {
        statusPatch: {
          phase: 'Pending', startTime: rfc3339(c.nowMs), qosClass: c.pod.status?.qosClass,
          ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
          ...(ok ? ipFields(net.podIPs) : {}),
          conditions: conditions(c, false, 'ContainersNotReady', ok),
          containerStatuses: containerStatuses(c, () => ({ state: { waiting: { reason: 'ContainerCreating' } } })),
        },
        events: ok ? pullingEvents(c.pod) : [net.failure],
      };
    },
  },
  {
    // The sandbox could not be created (the node's pod CIDR is full or not assigned yet): the pod
    // stays Pending in ContainerCreating and the kubelet retries every backOffPeriod, each failure
    // one more FailedCreatePodSandBox, until an address is free. Retries fall on a fixed grid from
    // the first failure, so re-planning (an address freed) does not push them back.
    name: 'pod-sandbox-retry',
    when: (c) => awaitsSandbox(c.pod),
    at: (c) => {
      const from = ms(findCondition(c.pod.status?.conditions, 'PodReadyToStartContainers')?.lastTransitionTime) ?? ms(c.pod.status?.startTime) ?? c.nowMs;
      return from + SANDBOX_RETRY_MS * (Math.floor(Math.max(0, c.nowMs - from) / SANDBOX_RETRY_MS) + 1);
    },
    render: (c) => {
      const net = sandboxNetwork(c);
      if (!('podIPs' in net)) return { events: [net.failure] };
      return { statusPatch: { ...ipFields(net.podIPs), conditions: conditions(c, false, 'ContainersNotReady', true) }, events: pullingEvents(c.pod) };
    },
  },
  {
    name: 'pod-pull-error',
    when: (c) => c.rule?.pullError !== undefined && (waitingReason(c.pod) === 'ContainerCreating' || waitingReason(c.pod) === 'ImagePullBackOff'),
    at: (c) => waitingReason(c.pod) === 'ContainerCreating'
      ? (sandboxReadyMs(c) ?? c.nowMs) + sampleDelay(c.behaviour.startupDelay, c.rand)
      // Pull back-off doubles from 10 s to 5 min; time since start doubles along with it.
      : c.nowMs + Math.min(300_000, Math.max(10_000, c.nowMs - (ms(c.pod.status?.startTime) ?? c.nowMs))),
    render: (c) => {
      const image = c.pod.spec?.containers?.[0]?.image ?? '';
      const name = c.pod.spec?.containers?.[0]?.name;
      const message = c.rule!.pullError === 'InvalidImageName'
        ? `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`
        : `failed to pull and unpack image "${image}": failed to resolve reference "${image}": not found`;
      return {
        statusPatch: { containerStatuses: containerStatuses(c, () => ({ state: { waiting: { reason: c.rule!.pullError!, message } } })) },
        events: [
          // A retry after back-off pulls again; the first attempt's Pulling came with the accept.
          ...(waitingReason(c.pod) === 'ImagePullBackOff' ? pullingEvents(c.pod).slice(0, 1) : []),
          ev('Warning', 'Failed', `Failed to pull image "${image}": ${message}`, name),
          ev('Warning', 'Failed', `Error: ${c.rule!.pullError}`, name),
        ],
      };
    },
  },
  {
    name: 'pod-pull-backoff',
    when: (c) => waitingReason(c.pod) === 'ErrImagePull',
    at: (c) => c.nowMs + 1000,
    render: (c) => ({
      statusPatch: { containerStatuses: containerStatuses(c, (_, image) => ({ state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } })) },
      events: [
        ev('Normal', 'BackOff', `Back-off pulling image "${c.pod.spec?.containers?.[0]?.image ?? ''}"`, c.pod.spec?.containers?.[0]?.name),
        ev('Warning', 'Failed', 'Error: ImagePullBackOff', c.pod.spec?.containers?.[0]?.name),
      ],
    }),
  },
  {
    // The new image pulled (per the pool's startupDelay) and the replaced container started; any
    // pool rule for the new image (never ready, crash loop) then applies as to a first start.
    name: 'container-image-start',
    when: (c) => restarting(c.pod),
    at: (c) => Math.max(...statuses(c.pod).filter((s) => s.state?.waiting?.reason === 'ContainerCreating')
      .map((s) => since(c, s.lastState?.terminated?.finishedAt) ?? c.nowMs)) + sampleDelay(c.behaviour.startupDelay, c.rand),
    render: (c) => {
      const events: PodEvent[] = [];
      const pullMs = sampleDelay(c.behaviour.startupDelay, c.rand);
      const containerStatuses = containersOf(c.pod).map((k) => {
        const old = statuses(c.pod).find((s) => s.name === k.name);
        if (old?.state?.waiting?.reason !== 'ContainerCreating') return old!;
        const image = k.image ?? '';
        events.push(
          ev('Normal', 'Pulled', k.imagePullPolicy === 'Never' ? `Container image "${image}" already present on machine`
            : `Successfully pulled image "${image}" in ${goDuration(pullMs)} (${goDuration(pullMs)} including waiting). Image size: ${imageSize(image)} bytes.`, k.name),
          ev('Normal', 'Created', `Created container: ${k.name}`, k.name), ev('Normal', 'Started', `Started container ${k.name}`, k.name));
        return {
          name: k.name, image, restartCount: old.restartCount ?? 0, ...running(c, false), lastState: old.lastState,
          imageID: `${image.split(':')[0]}@sha256:${sha(image)}`,
          containerID: `containerd://${sha(`${c.pod.metadata?.uid}/${k.name}/${old.restartCount ?? 0}`)}`,
        } as ContainerStatus;
      }).filter((s): s is ContainerStatus => s !== undefined);
      return { statusPatch: { conditions: conditions(c, false, 'ContainersNotReady'), containerStatuses }, events };
    },
  },
  {
    name: 'pod-start',
    when: (c) => waitingReason(c.pod) === 'ContainerCreating',
    at: (c) => (sandboxReadyMs(c) ?? c.nowMs) + sampleDelay(c.behaviour.startupDelay, c.rand),
    render: (c) => {
      // The pod's IPs came with its sandbox (pod-accept or pod-sandbox-retry) and are kept.
      return {
        statusPatch: {
          phase: 'Running',
          conditions: conditions(c, false, 'ContainersNotReady'),
          containerStatuses: containerStatuses(c, (name, image) => ({
            ...running(c, false),
            imageID: `${image.split(':')[0]}@sha256:${sha(image)}`,
            containerID: `containerd://${sha(`${c.pod.metadata?.uid}/${name}/0`)}`,
          })),
        },
        events: startEvents(c.pod, c.nowMs - (sandboxReadyMs(c) ?? c.nowMs)),
      };
    },
  },
  {
    name: 'pod-exit',
    when: (c) => allRunning(c.pod) && (c.rule?.crashLoop !== undefined || c.rule?.exit !== undefined),
    at: (c) => Math.max(...statuses(c.pod).map((s) => since(c, s.state?.running?.startedAt) ?? c.nowMs))
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
        events: [ev('Warning', 'BackOff', `Back-off restarting failed container ${c.pod.spec?.containers?.[0]?.name ?? ''} in pod ${podRef(c.pod)}`, c.pod.spec?.containers?.[0]?.name)],
      };
    },
  },
  {
    name: 'pod-restart',
    when: (c) => waitingReason(c.pod) === 'CrashLoopBackOff',
    at: (c) => {
      const s = statuses(c.pod)[0];
      return (since(c, s?.lastState?.terminated?.finishedAt) ?? c.nowMs) + crashLoopBackoffMs(s?.restartCount ?? 1);
    },
    render: (c) => ({
      statusPatch: {
        containerStatuses: containerStatuses(c, (name, _, old) => ({
          ...running(c, false), lastState: old?.lastState, imageID: old?.imageID ?? '',
          containerID: `containerd://${sha(`${c.pod.metadata?.uid}/${name}/${old?.restartCount ?? 0}`)}`,
        })),
      },
      events: startEvents(c.pod, undefined),
    }),
  },
  {
    name: 'pod-ready',
    // Also when only the pod's Ready condition is False while its node is Ready: the node
    // lifecycle controller's MarkPodsNotReady during an outage, undone once the kubelet is back.
    when: (c) => allRunning(c.pod) && !c.rule?.neverReady
      && (statuses(c.pod).some((s) => !s.ready) || (nodeIsReady(c.node) && findCondition(c.pod.status?.conditions, 'Ready')?.status !== 'True')),
    at: (c) => Math.max(...statuses(c.pod).map((s) => since(c, s.state?.running?.startedAt) ?? c.nowMs)) + sampleDelay(c.behaviour.readinessDelay, c.rand),
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
