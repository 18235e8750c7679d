// PodSpec defaults and validation shared by Pods and pod templates (DaemonSets), after
// pkg/apis/core/v1/defaults.go and pkg/apis/core/validation (the parts this cluster exercises).
import {
  duplicate, forbidden, invalid, notFound, notSupported, required, type FieldError,
} from '../../api/fielderrors.js';
import type {
  Container, NodeSelector, NodeSelectorRequirement, PodSpec, PodTemplateSpec, ResourceRequirements, Toleration,
} from '../../api/types.js';
import {
  isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isRelaxedEnvVarName, isValidLabelValue, isValidPortName, isValidPortNum,
} from '../../api/validation.js';
import { validateAnnotations, validateLabels } from './objectmeta.js';
import { parseQuantity, quantityFormatMessage } from './quantity.js';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------- defaults

/** The tag parsers.ParseImageName would report: "latest" when neither tag nor digest is given. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '';
  return tag || (at >= 0 ? '' : 'latest');
}

function defaultProbe(p: Json | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  const http = p.httpGet as Json | undefined;
  if (http) { http.path ||= '/'; http.scheme ||= 'HTTP'; }
}

function defaultFieldRef(ref: Json | undefined): void {
  if (ref) ref.apiVersion ||= 'v1';
}

export function defaultContainer(c: Container): void {
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  for (const p of c.ports ?? []) p.protocol ||= 'TCP';
  for (const e of c.env ?? []) defaultFieldRef(e.valueFrom?.fieldRef as Json | undefined);
  defaultProbe(c.livenessProbe as Json | undefined);
  defaultProbe(c.readinessProbe as Json | undefined);
  defaultProbe(c.startupProbe as Json | undefined);
}

const volumeSourceKeys = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
];

function defaultVolume(v: Json): void {
  // SetDefaults_Volume: a volume without any source is an emptyDir.
  if (!volumeSourceKeys.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  const hostPath = v.hostPath as Json | undefined;
  if (hostPath) hostPath.type ??= '';
  for (const k of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    const src = v[k] as Json | undefined;
    if (src) src.defaultMode ??= 420;
  }
  for (const item of ((v.downwardAPI as Json | undefined)?.items as Json[] | undefined) ?? []) defaultFieldRef(item.fieldRef as Json | undefined);
  for (const s of ((v.projected as Json | undefined)?.sources as Json[] | undefined) ?? []) {
    const token = s.serviceAccountToken as Json | undefined;
    if (token) token.expirationSeconds ??= 3600;
    for (const item of ((s.downwardAPI as Json | undefined)?.items as Json[] | undefined) ?? []) defaultFieldRef(item.fieldRef as Json | undefined);
  }
}

/** SetDefaults_PodSpec and the container/volume defaults: what pods and pod templates share. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // v1 conversion keeps the deprecated serviceAccount field mirrored onto serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v as unknown as Json);
}

/**
 * SetDefaults_Pod: defaults that apply to Pods but deliberately not to templates (requests from
 * limits, enableServiceLinks, host-network ports), so template hashes stay stable.
 */
export function defaultPodOnlyFields(spec: PodSpec): void {
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (!limits) continue;
    const requests = (c.resources!.requests ??= {});
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

// ---------------------------------------------------------------- validation

const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** validateTaintEffect. */
export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: string): FieldError[] {
  if (!effect) return allowEmpty ? [] : [required(path)];
  return effects.includes(effect) ? [] : [notSupported(path, effect, effects)];
}

export function validateLabelName(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((m) => invalid(path, key, m));
}

export function validateTolerations(tolerations: Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (t.key) errs.push(...validateLabelName(t.key, `${p}.key`));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(invalid(`${p}.operator`, t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default: errs.push(notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    errs.push(...validateTaintEffect(t.effect, true, `${p}.effect`));
  });
  return errs;
}

function validateNodeSelectorRequirement(r: NodeSelectorRequirement, path: string, isField: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const n = r.values?.length ?? 0;
  switch (r.operator) {
    case 'In': case 'NotIn':
      if (n === 0) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      if (isField && n !== 1) errs.push(required(`${path}.values`, 'must be only one value when `operator` is \'In\' or \'NotIn\' for node field selector'));
      break;
    case 'Exists': case 'DoesNotExist':
      if (n > 0) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (n !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default: errs.push(invalid(`${path}.operator`, r.operator, 'not a valid selector operator'));
  }
  if (isField) {
    if (r.key !== 'metadata.name') errs.push(notSupported(`${path}.key`, r.key, ['metadata.name']));
  } else errs.push(...validateLabelName(r.key, `${path}.key`));
  return errs;
}

export function validateNodeSelector(sel: NodeSelector, path: string): FieldError[] {
  const terms = sel.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [required(`${path}.nodeSelectorTerms`, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => [
    ...(t.matchExpressions ?? []).flatMap((r, j) => validateNodeSelectorRequirement(r, `${path}.nodeSelectorTerms[${i}].matchExpressions[${j}]`, false)),
    ...(t.matchFields ?? []).flatMap((r, j) => validateNodeSelectorRequirement(r, `${path}.nodeSelectorTerms[${i}].matchFields[${j}]`, true)),
  ]);
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (!name.includes('/') && !standardContainerResources.has(name) && !name.startsWith('hugepages-')) {
    errs.push(invalid(path, name, 'must be a standard resource for containers'));
  }
  return errs;
}

function validateQuantity(q: unknown, path: string): FieldError[] {
  const v = parseQuantity(q);
  if (v === undefined) return [invalid(path, q, quantityFormatMessage)];
  return v < 0 ? [invalid(path, q, 'must be greater than or equal to 0')] : [];
}

export function validateResources(r: ResourceRequirements | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits = r?.limits ?? {};
  for (const [name, q] of Object.entries(limits)) {
    errs.push(...validateResourceName(name, `${path}.limits[${name}]`), ...validateQuantity(q, `${path}.limits[${name}]`));
  }
  for (const [name, q] of Object.entries(r?.requests ?? {})) {
    errs.push(...validateResourceName(name, `${path}.requests[${name}]`), ...validateQuantity(q, `${path}.requests[${name}]`));
    const req = parseQuantity(q), lim = name in limits ? parseQuantity(limits[name]) : undefined;
    if (req !== undefined && lim !== undefined && req > lim) {
      errs.push(invalid(`${path}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    }
  }
  return errs;
}

const protocols = ['SCTP', 'TCP', 'UDP'];

function validateContainerPorts(c: Container, path: string, hostNetwork: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...msgs.map((m) => invalid(`${p}.name`, port.name, m)));
      else if (names.has(port.name)) errs.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(`${p}.containerPort`));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => invalid(`${p}.containerPort`, port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(`${p}.hostPort`, port.hostPort, m)));
    if (!port.protocol) errs.push(required(`${p}.protocol`));
    else if (!protocols.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, protocols));
    if (hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
      errs.push(invalid(`${p}.containerPort`, port.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
    }
  });
  return errs;
}

export function validateContainer(c: Container, path: string, volumes: Set<string>, spec: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  const image = c.image ?? '';
  if (!image) errs.push(required(`${path}.image`));
  else if (image.trim() !== image) errs.push(invalid(`${path}.image`, image, 'must not have leading or trailing whitespace'));
  errs.push(...validateContainerPorts(c, `${path}.ports`, spec.hostNetwork === true));
  (c.env ?? []).forEach((e, i) => {
    if (!e.name) errs.push(required(`${path}.env[${i}].name`));
    else errs.push(...isRelaxedEnvVarName(e.name).map((m) => invalid(`${path}.env[${i}].name`, e.name, m)));
  });
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = `${path}.volumeMounts[${i}]`;
    if (!m.name) errs.push(required(`${p}.name`));
    else if (!volumes.has(m.name)) errs.push(notFound(`${p}.name`, m.name));
    if (!m.mountPath) errs.push(required(`${p}.mountPath`));
    else if (mountPaths.has(m.mountPath)) errs.push(invalid(`${p}.mountPath`, m.mountPath, 'must be unique'));
    else mountPaths.add(m.mountPath);
  });
  const pull = c.imagePullPolicy ?? '';
  if (!pull) errs.push(required(`${path}.imagePullPolicy`));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) errs.push(notSupported(`${path}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));
  const tmp = c.terminationMessagePolicy ?? '';
  const tmpMsg = "must be 'File' or 'FallbackToLogsOnError'";
  if (!tmp) errs.push(required(`${path}.terminationMessagePolicy`, tmpMsg));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(invalid(`${path}.terminationMessagePolicy`, tmp, tmpMsg));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  return errs;
}

function validateVolumes(spec: PodSpec, path: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  (spec.volumes ?? []).forEach((v, i) => {
    const p = `${path}[${i}].name`;
    if (!v.name) errs.push(required(p));
    else {
      errs.push(...isDNS1123Label(v.name).map((m) => invalid(p, v.name, m)));
      if (names.has(v.name)) errs.push(duplicate(p, v.name));
      names.add(v.name);
    }
    const sources = volumeSourceKeys.filter((k) => (v as unknown as Json)[k] !== undefined && (v as unknown as Json)[k] !== null);
    if (sources.length === 0) errs.push(required(`${path}[${i}]`, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(`${path}[${i}].${sources[1]}`, `may not specify more than 1 volume type`));
  });
  return { names, errs };
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const maxInt32 = 2147483647;

/** ValidatePodSpec (essentials). `path` is "spec" for pods, "spec.template.spec" for templates. */
export function validatePodSpec(spec: PodSpec, path: string): FieldError[] {
  const { names: volumes, errs } = validateVolumes(spec, `${path}.volumes`);
  const containerNames = new Set<string>();
  const eachContainer = (list: Container[] | undefined, field: string) => (list ?? []).forEach((c, i) => {
    const p = `${path}.${field}[${i}]`;
    if (!c.name) errs.push(required(`${p}.name`));
    else {
      errs.push(...isDNS1123Label(c.name).map((m) => invalid(`${p}.name`, c.name, m)));
      if (containerNames.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
      containerNames.add(c.name);
    }
    errs.push(...validateContainer(c, p, volumes, spec));
  });
  eachContainer(spec.initContainers, 'initContainers');
  if (!spec.containers?.length) errs.push(required(`${path}.containers`));
  eachContainer(spec.containers, 'containers');

  const rp = spec.restartPolicy ?? '';
  if (!rp) errs.push(required(`${path}.restartPolicy`));
  else if (!restartPolicies.includes(rp)) errs.push(notSupported(`${path}.restartPolicy`, rp, restartPolicies));
  const dns = spec.dnsPolicy ?? '';
  if (!dns) errs.push(required(`${path}.dnsPolicy`));
  else if (!dnsPolicies.includes(dns)) errs.push(notSupported(`${path}.dnsPolicy`, dns, dnsPolicies));

  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  for (const [field, value] of [['serviceAccountName', spec.serviceAccountName], ['nodeName', spec.nodeName], ['priorityClassName', spec.priorityClassName]] as const) {
    if (value) errs.push(...isDNS1123Subdomain(value).map((m) => invalid(`${path}.${field}`, value, m)));
  }
  for (const [field, value] of [['hostname', spec.hostname], ['subdomain', spec.subdomain]] as const) {
    if (value) errs.push(...isDNS1123Label(value).map((m) => invalid(`${path}.${field}`, value, m)));
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (ads < 1 || ads > maxInt32)) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, ads, `must be between 1 and ${maxInt32}, inclusive`));
  }
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  const required_ = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required_) errs.push(...validateNodeSelector(required_, `${path}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`));
  return errs;
}

/** ValidatePodTemplateSpec: template labels/annotations plus the pod spec. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  return [
    ...validateLabels(t?.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(t?.metadata?.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(t?.spec ?? { containers: [] }, `${path}.spec`),
  ];
}
