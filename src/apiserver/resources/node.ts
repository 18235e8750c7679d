// Nodes (pkg/registry/core/node/strategy.go, ValidateNode / ValidateNodeUpdate, v1 defaults).
// Unlike most kinds, a node keeps the status it was created with (kubelets register that way).
import { duplicate, forbidden, invalid, type FieldError } from '../../api/fielderrors.js';
import type { KObject, Node, NodeSpec } from '../../api/types.js';
import { ipFamily, isValidCIDR, isValidLabelValue } from '../../api/validation.js';
import { cloneJson } from './equality.js';
import { validateLabelName, validateTaintEffect } from './podspec.js';
import { parseQuantity, quantityFormatMessage } from './quantity.js';
import type { ResourceStrategy } from './types.js';

const asNode = (o: KObject) => o as unknown as Node;

/** ValidateNode's taint rules: key/value syntax, effect required, unique by key and effect. */
export function validateNodeTaints(taints: NodeSpec['taints'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateLabelName(t.key ?? '', `${p}.key`));
    const msgs = isValidLabelValue(t.value ?? '');
    if (msgs.length) errs.push(invalid(`${p}.value`, t.value ?? '', msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, `${p}.effect`));
    const id = `${t.effect}\u0000${t.key}`;
    if (seen.has(id)) errs.push({ ...duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
    seen.add(id);
  });
  return errs;
}

function validatePodCIDRs(cidrs: string[] | undefined): FieldError[] {
  const list = cidrs ?? [];
  const errs = list.flatMap((c, i) => isValidCIDR(c).map((m) => invalid(`spec.podCIDRs[${i}]`, c, m)));
  if (errs.length === 0 && list.length > 1) {
    const families = new Set(list.map((c) => ipFamily(c.split('/')[0])));
    if (list.length > 2 || families.size !== 2) errs.push(invalid('spec.podCIDRs', list, 'may specify no more than one CIDR for each IP family'));
  }
  return errs;
}

function validateResourceList(list: Record<string, unknown> | undefined, path: string): FieldError[] {
  return Object.entries(list ?? {}).flatMap(([name, q]) => {
    const v = parseQuantity(q);
    if (v === undefined) return [invalid(`${path}[${name}]`, q, quantityFormatMessage)];
    return v < 0 ? [invalid(`${path}[${name}]`, q, 'must be greater than or equal to 0')] : [];
  });
}

const cidrChangeMessage = 'node updates may not change podCIDR except from "" to valid';

export const nodeStrategy: ResourceStrategy = {
  default(obj) {
    const node = asNode(obj);
    const spec = (node.spec ??= {});
    // v1 keeps the singular podCIDR as a mirror of podCIDRs[0].
    if (!spec.podCIDRs?.length && spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
    if (spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0];
    if (node.status?.capacity && !node.status.allocatable) node.status.allocatable = { ...node.status.capacity };
  },
  prepareForUpdate(obj, old) { obj.status = cloneJson(old.status); },
  prepareForStatusUpdate(obj, old) { obj.spec = cloneJson(old.spec); },
  validate(obj) {
    const node = asNode(obj);
    return [
      ...validateNodeTaints(node.spec?.taints, 'spec.taints'),
      ...validatePodCIDRs(node.spec?.podCIDRs),
      ...validateResourceList(node.status?.capacity, 'status.capacity'),
      ...validateResourceList(node.status?.allocatable, 'status.allocatable'),
    ];
  },
  validateUpdate(obj, old) {
    const now = asNode(obj).spec ?? {}, before = asNode(old).spec ?? {};
    const errs: FieldError[] = [];
    const oldCidrs = before.podCIDRs ?? [];
    if (oldCidrs.length > 0) {
      const newCidrs = now.podCIDRs ?? [];
      if (newCidrs.length !== oldCidrs.length) errs.push(forbidden('spec.podCIDRs', cidrChangeMessage));
      else for (const [i, c] of oldCidrs.entries()) if (c !== newCidrs[i]) errs.push(forbidden('spec.podCIDRs', cidrChangeMessage));
    }
    if (before.providerID && before.providerID !== now.providerID) {
      errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    }
    return errs;
  },
  validateStatusUpdate(obj) {
    const node = asNode(obj);
    return [...validateResourceList(node.status?.capacity, 'status.capacity'), ...validateResourceList(node.status?.allocatable, 'status.allocatable')];
  },
};
