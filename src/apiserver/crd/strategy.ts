// The CustomResourceDefinition kind itself: defaulting, validation, and the status that
// upstream's naming and establishing controllers write (acceptedNames, NamesAccepted,
// Established). We compute that status while the CRD is written, so a CRD is Established — and
// its resource in discovery — the moment its create returns. Pure apart from the clock argument.
import { rfc3339 } from '../../api/meta.js';
import type { KObject } from '../../api/types.js';
import type { ResourceStrategy } from '../resources/types.js';
import { defaultCRD, validateCRD, validateCRDUpdate } from './validation.js';
import { cleanupFinalizer, crdGroup, crdResource, type CRDCondition, type CRDNames, type CustomResourceDefinition } from './types.js';

interface NamesVerdict { accepted: CRDNames; condition: Omit<CRDCondition, 'lastTransitionTime'> }

/**
 * NamingConditionController's decision: the requested names unless another CRD of the same group
 * already uses one of them, in which case the names accepted before (if any) are kept.
 */
export function acceptNames(crd: CustomResourceDefinition, others: CustomResourceDefinition[]): NamesVerdict {
  const want = crd.spec?.names ?? {};
  const group = crd.spec?.group;
  const used = { plural: new Set<string>(), kind: new Set<string>(), short: new Set<string>() };
  for (const o of others) {
    if (o.metadata?.name === crd.metadata?.name || o.spec?.group !== group) continue;
    const n = o.status?.acceptedNames ?? {};
    for (const x of [n.plural, n.singular]) if (x) used.plural.add(x);
    for (const x of [n.kind, n.listKind]) if (x) used.kind.add(x);
    for (const x of n.shortNames ?? []) used.short.add(x);
  }
  const previous = crd.status?.acceptedNames ?? {};
  const refuse = (reason: string, message: string): NamesVerdict => ({ accepted: previous, condition: { type: 'NamesAccepted', status: 'False', reason, message } });
  for (const x of [want.plural, want.singular]) if (x && used.plural.has(x)) return refuse('PluralConflict', `"${x}" is already in use`);
  for (const x of [want.kind, want.listKind]) if (x && used.kind.has(x)) return refuse('KindConflict', `"${x}" is already in use`);
  for (const x of want.shortNames ?? []) if (used.short.has(x)) return refuse('ShortNamesConflict', `"${x}" is already in use`);
  const accepted: CRDNames = { plural: want.plural, singular: want.singular, kind: want.kind, listKind: want.listKind };
  if (want.shortNames?.length) accepted.shortNames = [...want.shortNames];
  if (want.categories?.length) accepted.categories = [...want.categories];
  return { accepted, condition: { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' } };
}

function setCondition(conds: CRDCondition[], c: Omit<CRDCondition, 'lastTransitionTime'>, now: string): CRDCondition[] {
  const old = conds.find((x) => x.type === c.type);
  const next: CRDCondition = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
  return old ? conds.map((x) => (x === old ? next : x)) : [...conds, next];
}

/** The status a CRD gets when written: names verdict, Established once names were accepted, stored versions. */
export function computeStatus(crd: CustomResourceDefinition, others: CustomResourceDefinition[], nowMs: number): NonNullable<CustomResourceDefinition['status']> {
  const now = rfc3339(nowMs);
  const verdict = acceptNames(crd, others);
  let conditions = setCondition(crd.status?.conditions ?? [], verdict.condition, now);
  const wasEstablished = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  if (verdict.condition.status === 'True' || wasEstablished) {
    conditions = setCondition(conditions, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
  } else {
    conditions = setCondition(conditions, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
  }
  const storage = (crd.spec?.versions ?? []).find((v) => v.storage)?.name;
  const stored = [...(crd.status?.storedVersions ?? [])];
  if (storage && !stored.includes(storage)) stored.push(storage);
  return { acceptedNames: verdict.accepted, conditions, storedVersions: stored };
}

const others = (ctx: { list(g: string, r: string, ns: string): KObject[] }) => ctx.list(crdGroup, crdResource, '') as CustomResourceDefinition[];

export function crdStrategy(now: () => number = Date.now): ResourceStrategy {
  return {
    default: (obj) => defaultCRD(obj as CustomResourceDefinition),
    prepareForCreate: (obj, ctx) => {
      const crd = obj as CustomResourceDefinition;
      crd.status = computeStatus({ ...crd, status: undefined }, others(ctx), now());
      (crd.metadata as { generation?: number }).generation = 1;
    },
    prepareForUpdate: (obj, old, ctx) => {
      const crd = obj as CustomResourceDefinition;
      crd.status = computeStatus({ ...crd, status: (old as CustomResourceDefinition).status }, others(ctx), now());
      const meta = crd.metadata as { generation?: number };
      const prev = old.metadata?.generation ?? 1;
      meta.generation = JSON.stringify(crd.spec) === JSON.stringify(old.spec) ? prev : prev + 1;
    },
    // Status is the server's to write: a status update keeps what the server computed.
    prepareForStatusUpdate: (obj, old) => { (obj as CustomResourceDefinition).status = (old as CustomResourceDefinition).status; },
    prepareForDelete: (obj) => {
      const crd = obj as CustomResourceDefinition;
      const meta = crd.metadata as { finalizers?: string[] };
      if (!(meta.finalizers ?? []).includes(cleanupFinalizer)) meta.finalizers = [...(meta.finalizers ?? []), cleanupFinalizer];
      crd.status = {
        ...crd.status,
        conditions: setCondition(crd.status?.conditions ?? [], {
          type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending',
          message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
        }, rfc3339(now())),
      };
    },
    validate: (obj) => validateCRD(obj as CustomResourceDefinition),
    validateUpdate: (obj, old) => validateCRDUpdate(obj as CustomResourceDefinition, old as CustomResourceDefinition),
  };
}

/** The condition the cleanup sets while it deletes the CRD's objects (crdFinalizer). */
export function terminatingInProgress(crd: CustomResourceDefinition, nowMs: number, remaining: number): CustomResourceDefinition['status'] {
  return {
    ...crd.status,
    conditions: setCondition(crd.status?.conditions ?? [], {
      type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress',
      message: remaining ? `CustomResource deletion is in progress (${remaining} remaining)` : 'CustomResource deletion is in progress',
    }, rfc3339(nowMs)),
  };
}
