// The text form of a plan (`everynode plan`, `-o wide` adds node names). Problems are not part of
// the text: the command prints them on stderr, one line each.
import type { RolloutAction } from '../core/types.js';
import type { PlanReport } from './plan.js';
import { table } from './table.js';

const short = (h: string) => (h.length > 16 ? `${h.slice(0, 16)}…` : h);

export function renderPlan(r: PlanReport, wide = false): string {
  const out: string[] = [];
  out.push(`DaemonSetRollout ${r.rollout.namespace}/${r.rollout.name}: ${r.phase ?? 'Idle'} after the first sync`);
  out.push('');
  out.push(table(['TARGET', 'STRATEGY', 'FROM', 'TO', 'NODES'],
    r.targets.map((t) => [t.name, t.strategy, short(t.fromRevision), t.fromRevision === t.toRevision ? `${short(t.toRevision)} (no change)` : short(t.toRevision), String(t.nodes)])));
  out.push('');
  const head = ['WAVE', 'NODES', 'UPDATED', 'MAX-UNAVAILABLE', 'MAX-NODES', 'BAKE', 'APPROVAL', ...(wide ? ['NODE-NAMES'] : [])];
  out.push(table(head, r.waves.map((w) => [
    w.name, String(w.nodes), String(w.updated), String(w.maxUnavailable), w.maxNodes === undefined ? '-' : String(w.maxNodes),
    `${w.bakeSeconds}s`, w.approval, ...(wide ? [w.nodeNames.join(',') || '<none>'] : []),
  ])));
  out.push(`${r.unselectedNodes} node(s) selected by no wave (never touched)`);
  out.push('');
  if (r.blocked.length) {
    out.push(table(['BLOCKED-NODE', 'WAVE', 'REASON', 'CAUSE', 'MESSAGE'], r.blocked.map((b) => [b.node, b.wave, b.reason, b.cause, b.message])));
  } else out.push('No node is blocked by its own state.');
  const waits = Object.entries(r.blockedByReason).filter(([k]) => k.startsWith('Waiting') || k === 'Paused');
  if (waits.length) out.push(`Held back by the rollout: ${waits.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push('');
  if (r.firstSync.length) {
    out.push('First sync:');
    out.push(table(['ACTION', 'NODE', 'DAEMONSET', 'DETAIL'], r.firstSync.map(actionRow)));
  } else out.push('First sync: no action.');
  return `${out.join('\n')}\n`;
}

function actionRow(a: RolloutAction): string[] {
  switch (a.type) {
    case 'DeletePod': return [`DeletePod (${a.purpose})`, a.node, a.daemonSet, `pod ${a.name}`];
    case 'PatchPodImages': return ['PatchPodImages', a.node, a.daemonSet, `pod ${a.name} → ${Object.values(a.images).join(',')}`];
    case 'RollbackTemplate': return ['RollbackTemplate', '-', a.daemonSet, `template back to ${a.toRevision}`];
    case 'SetOnDelete': return ['SetOnDelete', '-', a.daemonSet, `from ${a.original.type ?? 'RollingUpdate'}`];
    case 'QuarantineNode': return ['QuarantineNode', a.node, '-', a.value];
    case 'ReleaseNode': return ['ReleaseNode', a.node, '-', ''];
  }
}
