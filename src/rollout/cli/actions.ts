// What `everynode rollout pause|resume|approve|abort|undo` write, as pure functions of the stored
// objects and the clock. The shell (src/cli/commands/rollout.ts) only reads, sends and prints.
import type { ControllerRevision, DaemonSet, PodTemplateSpec } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import { findRevision, revisionsOf, revisionTemplate } from '../core/targets.js';
import { APPROVE_ANNOTATION, RESUME_ANNOTATION, type DaemonSetRollout } from '../api/types.js';

/** A JSON merge patch for the rollout object (never for its status). */
export type MergePatch = { metadata?: { annotations: Record<string, string | null> }; spec?: { paused: boolean } };

export class CliError extends Error {}

/** pause and abort: spec.paused true. The core stops deleting and patching pods; status goes on. */
export function pausePatch(): MergePatch {
  return { spec: { paused: true } };
}

/**
 * resume: spec.paused false; after a tripped gate in Pause mode (status.failure set, no rollback)
 * also the resume annotation, a time later than the trip, which the core takes as "clear the
 * failure and go on" (planRollout compares it with status.failure.at).
 */
export function resumePatch(r: DaemonSetRollout, nowMs: number): MergePatch {
  const patch: MergePatch = { spec: { paused: false } };
  const f = r.status?.failure;
  if (f && !r.status?.rolledBackFrom) {
    // One second past the trip at least: RFC 3339 here has whole seconds, and the core wants "later".
    const at = Math.max(nowMs, (Date.parse(f.at) || 0) + 1000);
    patch.metadata = { annotations: { [RESUME_ANNOTATION]: rfc3339(at) } };
  }
  return patch;
}

/**
 * approve: adds "<wave>@<toRevision>" to the approve annotation, so the approval is for this
 * rollout only (an approval left from an earlier revision approves nothing). Without --wave the
 * wave is the one waiting (state WaitingApproval); entries for other revisions are dropped.
 */
export function approvePatch(r: DaemonSetRollout, wave: string | undefined): { patch: MergePatch; wave: string } {
  const name = r.metadata?.name ?? '';
  const s = r.status ?? {};
  const id = s.toRevision;
  if (!id) throw new CliError(`rollout "${name}" has no status yet (is the rollout controller running?)`);
  const waves = s.waves ?? [];
  let target = wave;
  if (target === undefined) {
    const waiting = waves.find((w) => w.state === 'WaitingApproval');
    if (!waiting) throw new CliError(`rollout "${name}" has no wave waiting for approval (phase ${s.phase ?? 'unknown'}); use --wave to approve one in advance`);
    target = waiting.name;
  } else {
    const w = waves.find((x) => x.name === target);
    if (!w) throw new CliError(`rollout "${name}" has no wave "${target}" (waves: ${waves.map((x) => x.name).join(', ') || 'none'})`);
    if (w.state !== 'Pending' && w.state !== 'WaitingApproval') throw new CliError(`wave "${target}" of rollout "${name}" has already started (${w.state})`);
  }
  const entry = `${target}@${id}`;
  const kept = (r.metadata?.annotations?.[APPROVE_ANNOTATION] ?? '').split(/[\s,]+/).filter((e) => e && e.endsWith(`@${id}`) && e !== entry);
  return { patch: { metadata: { annotations: { [APPROVE_ANNOTATION]: [...kept, entry].join(',') } } }, wave: target };
}

export interface UndoStep {
  daemonSet: string;
  toRevision: string;
  /** A JSON patch (RFC 6902) replacing spec.template, as `kubectl rollout undo` puts a revision's template back. */
  patch: [{ op: 'replace'; path: '/spec/template'; value: PodTemplateSpec }];
}

/**
 * undo: for every target whose template is not the one the rollout started from
 * (status.targets[].fromRevision, the last revision that completed), the template of that
 * ControllerRevision. The core sees the template change as a new rollout back to the stable
 * revision and replaces the nodes on the bad one wave by wave, within the budgets. Errors when
 * there is nothing to undo, or a revision is gone.
 */
export function undoSteps(r: DaemonSetRollout, daemonSets: readonly DaemonSet[], revisions: readonly ControllerRevision[], currentHash: (ds: DaemonSet) => string): UndoStep[] {
  const name = r.metadata?.name ?? '';
  const targets = r.status?.targets ?? [];
  if (!targets.length) throw new CliError(`rollout "${name}" has no status yet (is the rollout controller running?)`);
  const steps: UndoStep[] = [];
  for (const t of targets) {
    const ds = daemonSets.find((d) => d.metadata?.name === t.name);
    if (!ds) throw new CliError(`daemonset "${t.name}" of rollout "${name}" not found`);
    if (currentHash(ds) === t.fromRevision) continue;
    const template = revisionTemplate(findRevision(revisionsOf(ds, revisions), t.fromRevision));
    if (!template) throw new CliError(`cannot undo daemonset "${t.name}": its revision ${t.fromRevision} was not found`);
    steps.push({ daemonSet: t.name, toRevision: t.fromRevision, patch: [{ op: 'replace', path: '/spec/template', value: template }] });
  }
  if (!steps.length) throw new CliError(`rollout "${name}" has nothing to undo: every target already runs the revision it started from`);
  return steps;
}
