// The pods/ephemeralcontainers subresource (`kubectl debug POD --image=…`): the only way to add
// a container to a running pod, and only that: PUT or PATCH writes spec.ephemeralContainers and
// nothing else of the pod, existing ephemeral containers may be neither changed nor removed, and
// a new one may not carry what a debugging container cannot have (ports, probes, lifecycle,
// resources). After ValidatePodEphemeralContainersUpdate and validateEphemeralContainers.
import { duplicate, forbidden, invalid, notFound, required, type FieldError } from '../../api/fielderrors.js';
import type { Container, KObject, Pod, PodSpec } from '../../api/types.js';
import { isDNS1123Label } from '../../api/validation.js';
import { cloneJson, semanticEqual } from './equality.js';
import { defaultContainer, validateContainer } from './podspec.js';

type Ephemeral = Container & { targetContainerName?: string };

/** Fields a container may have that an ephemeral container may not. */
const notForEphemeral = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resources', 'resizePolicy', 'restartPolicy'] as const;

/** The pod an ephemeralcontainers write would store: the stored pod with the body's ephemeral containers. */
export function withEphemeralContainers(body: KObject, old: KObject): KObject {
  const next = cloneJson(old) as unknown as Pod;
  const list = (body as unknown as Pod).spec?.ephemeralContainers;
  const spec = (next.spec ??= { containers: [] }) as PodSpec;
  if (Array.isArray(list) && list.length) {
    spec.ephemeralContainers = cloneJson(list);
    for (const c of spec.ephemeralContainers) defaultContainer(c);
  } else {
    delete spec.ephemeralContainers;
  }
  return next as unknown as KObject;
}

export function validateEphemeralContainersUpdate(next: KObject, old: KObject): FieldError[] {
  const spec = (next as unknown as Pod).spec ?? { containers: [] };
  const before = ((old as unknown as Pod).spec?.ephemeralContainers ?? []) as Ephemeral[];
  const now = (spec.ephemeralContainers ?? []) as Ephemeral[];
  const errs: FieldError[] = [];
  for (const b of before) {
    const n = now.find((c) => c.name === b.name);
    if (!n) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers "${b.name}" may not be removed`));
    else if (!semanticEqual(n, b)) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers "${b.name}" may not be changed`));
  }
  if (errs.length) return errs;
  const names = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name));
  const targets = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name));
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  now.forEach((c, i) => {
    const p = `spec.ephemeralContainers[${i}]`;
    if (!c.name) errs.push(required(`${p}.name`));
    else {
      errs.push(...isDNS1123Label(c.name).map((m) => invalid(`${p}.name`, c.name, m)));
      if (names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
      names.add(c.name);
    }
    if (before.some((b) => b.name === c.name)) return;
    const fields = c as unknown as Record<string, unknown>;
    for (const f of notForEphemeral) {
      const v = fields[f];
      if (v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v as object).length === 0)) errs.push(forbidden(`${p}.${f}`, 'cannot be set for an Ephemeral Container'));
    }
    if (c.targetContainerName && !targets.has(c.targetContainerName)) errs.push(notFound(`${p}.targetContainerName`, c.targetContainerName));
    errs.push(...validateContainer({ ...c, ports: undefined, resources: undefined }, p, volumes, spec));
  });
  return errs;
}

/** ValidatePodCreate: ephemeral containers come only through the subresource. */
export function ephemeralOnCreateErrors(spec: PodSpec | undefined): FieldError[] {
  return spec?.ephemeralContainers?.length ? [forbidden('spec.ephemeralContainers', 'cannot be set on create')] : [];
}
