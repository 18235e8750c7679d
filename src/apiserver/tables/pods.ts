// `kubectl get pods` columns. The STATUS cell is the subtle one: kubectl users read it as "the
// pod's state", but upstream derives it from phase, status.reason, init container progress and
// the container states in a fixed precedence, reproduced step by step below.
import type { Container, ContainerStatus, Pod, PodCondition } from '../../api/types.js';
import { humanDuration, isZeroTime, translateTimestampSince } from '../../api/duration.js';
import { parseTime } from '../../api/meta.js';
import type { RowCondition, TableConvertor } from './types.js';
import { AGE_COLUMN, NAME_COLUMN, col } from './format.js';

/** status.reason the node lifecycle controller sets on pods of an unreachable node. */
const NODE_UNREACHABLE_REASON = 'NodeLost';

const isRestartableInit = (c: Container | undefined): boolean => c?.restartPolicy === 'Always';
const conditionTrue = (conds: PodCondition[] | undefined, type: string) =>
  (conds ?? []).some((c) => c.type === type && c.status === 'True');

/** Latest lastState.terminated.finishedAt seen so far, in ms (0 = none, like Go's zero time). */
function laterFinish(current: number, cs: ContainerStatus): number {
  const finishedAt = cs.lastState?.terminated?.finishedAt;
  if (finishedAt === undefined || isZeroTime(finishedAt)) return current;
  const ms = parseTime(finishedAt)!;
  return current === 0 || ms > current ? ms : current;
}

function terminatedReason(t: NonNullable<ContainerStatus['state']>['terminated']): string {
  if (t!.reason) return t!.reason;
  return t!.signal ? `Signal:${t!.signal}` : `ExitCode:${t!.exitCode ?? 0}`;
}

export interface PodSummary { ready: string; status: string; restarts: string }

/** READY, STATUS and RESTARTS of a pod, as printPod computes them. */
export function summarizePod(pod: Pod, nowMs: number): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const initSpecs = new Map<string, Container>((spec.initContainers ?? []).map((c) => [c.name, c]));
  const total = (spec.containers ?? []).length + (spec.initContainers ?? []).filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;

  let reason: string = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const sidecar = isRestartableInit(initSpecs.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = laterFinish(lastRestart, cs);
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = laterFinish(lastSidecarRestart, cs);
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) reason = `Init:${terminatedReason(term)}`;
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards so the first container's state wins, as upstream does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = laterFinish(lastRestart, cs);
      const { waiting, terminated, running } = cs.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminatedReason(terminated);
      else if (cs.ready && running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) {
    restartsCell = `${restarts} (${humanDuration(nowMs - lastRestart)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsCell };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conds = pod.status?.conditions ?? [];
  const trueCount = gates.filter((g) => conds.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${trueCount}/${gates.length}`;
}

export const podConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'Container restarts, and how long ago the last one was.'),
    AGE_COLUMN,
    col('IP', 'string', 'The first IP address allocated to the pod.', 1),
    col('Node', 'string', 'The node the pod is bound to.', 1),
    col('Nominated Node', 'string', 'The node preemption nominated for this pod.', 1),
    col('Readiness Gates', 'string', 'Readiness gates whose condition is True, of all gates.', 1),
  ],
  cells(obj, nowMs) {
    const pod = obj as Pod;
    const s = summarizePod(pod, nowMs);
    return [
      pod.metadata?.name ?? '', s.ready, s.status, s.restarts, translateTimestampSince(pod.metadata?.creationTimestamp, nowMs),
      pod.status?.podIPs?.[0]?.ip || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(obj): RowCondition[] {
    const phase = (obj as Pod).status?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return [];
  },
};
