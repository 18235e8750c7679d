// Services (v1 SetDefaults_Service, ValidateService essentials, pkg/registry/core/service).
// IP and node-port allocation is not done here; clusterIP stays as given (or "None").
import { duplicate, forbidden, invalid, notSupported, required, type FieldError } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from '../../api/validation.js';
import { cloneJson } from './equality.js';
import { immutable, validateLabels } from './objectmeta.js';
import type { ResourceStrategy } from './types.js';

const asSvc = (o: KObject) => o as unknown as Service;
const protocols = ['SCTP', 'TCP', 'UDP'];
const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const affinities = ['ClientIP', 'None'];

const isHeadless = (spec: ServiceSpec) => spec.clusterIP === 'None';
const externallyAccessible = (spec: ServiceSpec) =>
  spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);

export function defaultService(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = (spec.sessionAffinityConfig ??= {});
    const ip = (cfg.clientIP ??= {});
    ip.timeoutSeconds ??= 10800;
  }
  spec.type ||= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && spec.type !== 'ExternalName') spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
}

function validatePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(`${path}.name`));
  else if (sp.name) {
    errs.push(...isDNS1123Label(sp.name).map((m) => invalid(`${path}.name`, sp.name, m)));
    if (names.has(sp.name)) errs.push(duplicate(`${path}.name`, sp.name));
    names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port).map((m) => invalid(`${path}.port`, sp.port, m)));
  if (!sp.protocol) errs.push(required(`${path}.protocol`));
  else if (!protocols.includes(sp.protocol)) errs.push(notSupported(`${path}.protocol`, sp.protocol, protocols));
  const tp = sp.targetPort;
  if (typeof tp === 'number') errs.push(...isValidPortNum(tp).map((m) => invalid(`${path}.targetPort`, tp, m)));
  else if (typeof tp === 'string') errs.push(...isValidPortName(tp).map((m) => invalid(`${path}.targetPort`, tp, m)));
  if (sp.nodePort) errs.push(...isValidPortNum(sp.nodePort).map((m) => invalid(`${path}.nodePort`, sp.nodePort, m)));
  return errs;
}

export function validateServiceSpec(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  const errs: FieldError[] = [];
  if (ports.length === 0 && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validatePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity'));
  else if (!affinities.includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, affinities));
  if (!spec.type) errs.push(required('spec.type'));
  else if (!serviceTypes.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, serviceTypes));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => { if (p.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")); });
  }
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else errs.push(...isDNS1123Subdomain(spec.externalName).map((m) => invalid('spec.externalName', spec.externalName, m)));
  }
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) errs.push(duplicate(`spec.ports[${i}]`, { port: p.port, protocol: p.protocol }));
    seen.add(key);
  });
  return errs;
}

export const serviceStrategy: ResourceStrategy = {
  default: (obj) => defaultService(asSvc(obj)),
  prepareForCreate(obj) { obj.status = { loadBalancer: {} }; },
  prepareForUpdate(obj, old) {
    obj.status = cloneJson(old.status);
    // An update that omits the allocated clusterIP keeps it (patchAllocatedValues).
    const spec = asSvc(obj).spec, before = asSvc(old).spec;
    if (spec && before && !spec.clusterIP && before.clusterIP && spec.type !== 'ExternalName') {
      spec.clusterIP = before.clusterIP;
      spec.clusterIPs = cloneJson(before.clusterIPs);
    }
  },
  prepareForStatusUpdate(obj, old) { obj.spec = cloneJson(old.spec); },
  validate: (obj) => validateServiceSpec(asSvc(obj)),
  validateUpdate(obj, old) {
    const spec = asSvc(obj).spec ?? {}, before = asSvc(old).spec ?? {};
    if (spec.type === 'ExternalName' || before.type === 'ExternalName' || !before.clusterIP) return [];
    return immutable(spec.clusterIP, before.clusterIP, 'spec.clusterIP');
  },
};
