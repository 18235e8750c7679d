// validateRollout: the DaemonSetRollout's validation as a pure function returning field errors
// with upstream-style paths (spec.waves[0].maxUnavailable). The CRD schema in config/crd/ states
// the per-field rules too (the API server enforces those); the cross-field rules the schema
// states as x-kubernetes-validations are checked here as well. Input is never trusted: any JSON
// value gives errors, never an exception.
import { duplicate, forbidden, invalid, notSupported, required, type FieldError } from '../../api/fielderrors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../api/validation.js';
import { notMoreThan100Percent, validatePositiveIntOrPercent } from '../../apiserver/resources/intstr.js';
import { validateLabelSelector } from '../../apiserver/resources/objectmeta.js';
import type { LabelSelector } from '../../api/types.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const typeError = (path: string, v: unknown, type: string) => invalid(path, v, `must be of type ${type}`);

function checkType(v: unknown, path: string, type: 'boolean' | 'integer' | 'string' | 'object' | 'array'): FieldError[] {
  const ok = type === 'integer' ? Number.isInteger(v)
    : type === 'object' ? isObject(v) : type === 'array' ? Array.isArray(v) : typeof v === type;
  return ok ? [] : [typeError(path, v, type)];
}

function intAtLeast(v: unknown, path: string, min: number): FieldError[] {
  if (v === undefined) return [];
  const t = checkType(v, path, 'integer');
  if (t.length) return t;
  return (v as number) < min ? [invalid(path, v, `must be greater than or equal to ${min}`)] : [];
}

/** int or "N%" with N ≤ 100; `positive` also rejects 0 and "0%". */
function intOrPercent(v: unknown, path: string, positive: boolean): FieldError[] {
  if (v === undefined) return [];
  if (typeof v !== 'string' && !Number.isInteger(v)) return [invalid(path, v, "must be an integer or percentage (e.g '5%')")];
  const errs = [...validatePositiveIntOrPercent(v, path), ...notMoreThan100Percent(v, path)];
  if (!errs.length && positive && (v === 0 || (typeof v === 'string' && Number(v.slice(0, -1)) === 0))) {
    errs.push(invalid(path, v, 'must be greater than 0'));
  }
  return errs;
}

function oneOf(v: unknown, path: string, values: string[]): FieldError[] {
  if (v === undefined) return [];
  return typeof v === 'string' && values.includes(v) ? [] : [notSupported(path, v, values)];
}

function selector(v: unknown, path: string): FieldError[] {
  if (v === undefined) return [];
  if (!isObject(v)) return [typeError(path, v, 'object')];
  const errs: FieldError[] = [];
  if (v.matchLabels !== undefined && (!isObject(v.matchLabels) || Object.values(v.matchLabels).some((x) => typeof x !== 'string'))) {
    errs.push(typeError(`${path}.matchLabels`, v.matchLabels, 'object'));
  }
  if (v.matchExpressions !== undefined) {
    if (!Array.isArray(v.matchExpressions)) errs.push(typeError(`${path}.matchExpressions`, v.matchExpressions, 'array'));
    else v.matchExpressions.forEach((e, i) => {
      const p = `${path}.matchExpressions[${i}]`;
      if (!isObject(e)) { errs.push(typeError(p, e, 'object')); return; }
      if (typeof e.key !== 'string') errs.push(required(`${p}.key`));
      if (typeof e.operator !== 'string') errs.push(required(`${p}.operator`));
      if (e.values !== undefined && (!Array.isArray(e.values) || e.values.some((x) => typeof x !== 'string'))) errs.push(typeError(`${p}.values`, e.values, 'array'));
    });
  }
  return errs.length ? errs : validateLabelSelector(v as LabelSelector, path);
}

const isEmptySelector = (v: unknown) => isObject(v)
  && (!isObject(v.matchLabels) || Object.keys(v.matchLabels).length === 0)
  && (!Array.isArray(v.matchExpressions) || v.matchExpressions.length === 0);

/** A wave that takes every remaining node leaves nothing to the waves after it. */
const takesEveryNode = (w: Json) => w.nodeSelector === undefined && w.splitBy === undefined && w.maxNodes === undefined;

function validateWave(w: unknown, path: string): FieldError[] {
  if (!isObject(w)) return [typeError(path, w, 'object')];
  const errs: FieldError[] = [];
  if (w.name === undefined || w.name === '') errs.push(required(`${path}.name`));
  else if (typeof w.name !== 'string') errs.push(typeError(`${path}.name`, w.name, 'string'));
  else for (const m of isDNS1123Label(w.name)) errs.push(invalid(`${path}.name`, w.name, m));
  errs.push(...selector(w.nodeSelector, `${path}.nodeSelector`));
  if (w.splitBy !== undefined) {
    if (typeof w.splitBy !== 'string') errs.push(typeError(`${path}.splitBy`, w.splitBy, 'string'));
    else for (const m of isQualifiedName(w.splitBy)) errs.push(invalid(`${path}.splitBy`, w.splitBy, m));
  }
  if (w.order !== undefined) {
    if (w.splitBy === undefined) errs.push(forbidden(`${path}.order`, 'may only be set with splitBy'));
    if (!Array.isArray(w.order)) errs.push(typeError(`${path}.order`, w.order, 'array'));
    else {
      const seen = new Set<string>();
      w.order.forEach((v, i) => {
        const p = `${path}.order[${i}]`;
        if (typeof v !== 'string') { errs.push(typeError(p, v, 'string')); return; }
        for (const m of isValidLabelValue(v)) errs.push(invalid(p, v, m));
        if (seen.has(v)) errs.push(duplicate(p, v));
        seen.add(v);
      });
    }
  }
  errs.push(...intOrPercent(w.maxNodes, `${path}.maxNodes`, true));
  errs.push(...intOrPercent(w.maxUnavailable, `${path}.maxUnavailable`, true));
  errs.push(...intAtLeast(w.bakeSeconds, `${path}.bakeSeconds`, 0));
  errs.push(...oneOf(w.approval, `${path}.approval`, ['Auto', 'Manual']));
  return errs;
}

function validateWaves(waves: unknown, path: string): FieldError[] {
  if (waves === undefined) return [required(path, 'at least one wave is required')];
  if (!Array.isArray(waves)) return [typeError(path, waves, 'array')];
  if (waves.length === 0) return [required(path, 'at least one wave is required')];
  if (waves.length > MAX_WAVES) return [{ type: 'FieldValueTooMany', field: path, value: waves.length, detail: `must have at most ${MAX_WAVES} items`, showValue: false }];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  waves.forEach((w, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateWave(w, p));
    if (isObject(w) && typeof w.name === 'string') {
      if (names.has(w.name)) errs.push(duplicate(`${p}.name`, w.name));
      names.add(w.name);
    }
    if (waves.slice(0, i).some((x) => isObject(x) && takesEveryNode(x))) {
      errs.push(invalid(p, isObject(w) ? w.name : w, 'unreachable: an earlier wave selects every remaining node'));
    }
  });
  return errs;
}

function validateHealth(h: unknown, path: string): FieldError[] {
  if (h === undefined) return [];
  if (!isObject(h)) return [typeError(path, h, 'object')];
  const errs = [
    ...intAtLeast(h.minReadySeconds, `${path}.minReadySeconds`, 0),
    ...intAtLeast(h.podReadyTimeoutSeconds, `${path}.podReadyTimeoutSeconds`, 1),
    ...intAtLeast(h.maxRestarts, `${path}.maxRestarts`, 0),
    ...intOrPercent(h.maxFailedNodes, `${path}.maxFailedNodes`, false),
  ];
  if (h.nodeRegression !== undefined) {
    if (!isObject(h.nodeRegression)) errs.push(typeError(`${path}.nodeRegression`, h.nodeRegression, 'object'));
    else errs.push(...intAtLeast(h.nodeRegression.windowSeconds, `${path}.nodeRegression.windowSeconds`, 0));
  }
  return errs;
}

function validateQuarantine(q: unknown, path: string): FieldError[] {
  if (q === undefined) return [];
  if (!isObject(q)) return [typeError(path, q, 'object')];
  const errs = q.afterSeconds === undefined ? [required(`${path}.afterSeconds`)] : intAtLeast(q.afterSeconds, `${path}.afterSeconds`, 1);
  return [...errs, ...intOrPercent(q.maxNodes, `${path}.maxNodes`, false)];
}

export const MAX_WAVES = 64;

/** Every problem with a DaemonSetRollout (apiVersion/kind/metadata are the API server's business). */
export function validateRollout(obj: unknown): FieldError[] {
  if (!isObject(obj)) return [typeError('', obj, 'object')];
  const spec = obj.spec;
  if (spec === undefined) return [required('spec')];
  if (!isObject(spec)) return [typeError('spec', spec, 'object')];
  const errs: FieldError[] = [];
  const { targetRef, selector: sel } = spec;
  if (targetRef === undefined && sel === undefined) errs.push(required('spec.targetRef', 'one of targetRef or selector is required'));
  if (targetRef !== undefined && sel !== undefined) errs.push(forbidden('spec.selector', 'may not be set together with targetRef'));
  if (targetRef !== undefined) {
    if (!isObject(targetRef)) errs.push(typeError('spec.targetRef', targetRef, 'object'));
    else if (targetRef.name === undefined || targetRef.name === '') errs.push(required('spec.targetRef.name'));
    else if (typeof targetRef.name !== 'string') errs.push(typeError('spec.targetRef.name', targetRef.name, 'string'));
    else for (const m of isDNS1123Subdomain(targetRef.name)) errs.push(invalid('spec.targetRef.name', targetRef.name, m));
  }
  if (sel !== undefined) {
    const se = selector(sel, 'spec.selector');
    errs.push(...se);
    if (!se.length && isEmptySelector(sel)) errs.push(invalid('spec.selector', sel, 'empty selector is invalid: it would select every DaemonSet'));
  }
  errs.push(...validateWaves(spec.waves, 'spec.waves'));
  errs.push(...validateHealth(spec.health, 'spec.health'));
  errs.push(...oneOf(spec.onFailure, 'spec.onFailure', ['Pause', 'Rollback']));
  errs.push(...intAtLeast(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds', 1));
  errs.push(...validateQuarantine(spec.quarantine, 'spec.quarantine'));
  for (const f of ['paused', 'makeRoom', 'manageStrategy'] as const) {
    if (spec[f] !== undefined) errs.push(...checkType(spec[f], `spec.${f}`, 'boolean'));
  }
  errs.push(...intAtLeast(spec.perNodeMaxUnavailable, 'spec.perNodeMaxUnavailable', 1));
  errs.push(...oneOf(spec.inPlace, 'spec.inPlace', ['Never', 'IfPossible']));
  return errs;
}
