import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldGetters, fieldSelectorMatches, assertFieldsSupported } from './fieldselector.js';
import { parseFieldSelector } from './selector.js';
import type { KObject } from './types.js';

const matches = (group: string, resource: string, selector: string, o: KObject) =>
  fieldSelectorMatches(parseFieldSelector(selector), fieldGetters(group, resource), o);

const pod: KObject = {
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'sa' },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }, { ip: 'fd00::7' }], podIP: '10.0.0.7', nominatedNodeName: 'n2' },
};

describe('fieldGetters', () => {
  it('selects pods on every documented field', () => {
    const yes = [
      'metadata.name=web-1', 'metadata.namespace=default', 'spec.nodeName=n1', 'spec.host=n1',
      'spec.restartPolicy=Always', 'spec.schedulerName=default-scheduler', 'spec.serviceAccountName=sa',
      'spec.hostNetwork=false', 'status.phase=Running', 'status.podIP=10.0.0.7', 'status.nominatedNodeName=n2',
      'status.podIPs=',
    ];
    for (const s of yes) assert.equal(matches('', 'pods', s, pod), true, s);
    for (const s of ['spec.nodeName=n2', 'spec.hostNetwork=true', 'status.phase!=Running']) assert.equal(matches('', 'pods', s, pod), false, s);
    assert.equal(matches('', 'pods', 'spec.hostNetwork=true', { spec: { hostNetwork: true } }), true);
    assert.equal(matches('', 'pods', 'status.podIP=1.2.3.4', { status: { podIP: '1.2.3.4' } }), true);
  });

  it('handles what kubectl describe node sends', () => {
    const s = 'spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed';
    assert.equal(matches('', 'pods', s, pod), true);
    assert.equal(matches('', 'pods', s, { ...pod, status: { phase: 'Failed' } }), false);
    assert.equal(matches('', 'pods', 'spec.nodeName=', { metadata: { name: 'pending' } }), true);
  });

  it('selects nodes on spec.unschedulable and namespaces on status.phase', () => {
    assert.equal(matches('', 'nodes', 'spec.unschedulable=false', { metadata: { name: 'n1' } }), true);
    assert.equal(matches('', 'nodes', 'spec.unschedulable=true', { spec: { unschedulable: true } }), true);
    assert.equal(matches('', 'nodes', 'metadata.namespace=', { metadata: { name: 'n1' } }), true);
    assert.equal(matches('', 'namespaces', 'status.phase=Terminating', { status: { phase: 'Terminating' } }), true);
  });

  it('selects core events on involvedObject, reason, source and type', () => {
    const ev: KObject = {
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Node', name: 'n1', uid: 'u1', apiVersion: 'v1', resourceVersion: '5', fieldPath: 'spec' },
      reason: 'Starting', type: 'Normal', reportingComponent: 'kubelet', source: { component: 'kubelet-n1' },
    };
    const s = 'involvedObject.kind=Node,involvedObject.name=n1,involvedObject.namespace=,involvedObject.uid=u1,'
      + 'involvedObject.apiVersion=v1,involvedObject.resourceVersion=5,involvedObject.fieldPath=spec,'
      + 'reason=Starting,type=Normal,reportingComponent=kubelet,source=kubelet-n1';
    assert.equal(matches('', 'events', s, ev), true);
    // source falls back to the reporting component when source.component is empty.
    assert.equal(matches('', 'events', 'source=ctrl', { reportingComponent: 'ctrl' }), true);
  });

  it('gives other kinds only metadata.name and metadata.namespace', () => {
    const g = fieldGetters('apps', 'daemonsets');
    assert.deepEqual(Object.keys(g).sort(), ['metadata.name', 'metadata.namespace']);
    assert.equal(matches('apps', 'daemonsets', 'metadata.name=ds', { metadata: { name: 'ds', namespace: 'x' } }), true);
    // events.k8s.io events do not get the core Event fields.
    assert.equal(Object.keys(fieldGetters('events.k8s.io', 'events')).length, 2);
  });

  it('rejects unsupported fields with the exact upstream message, even with nothing to match', () => {
    const reqs = parseFieldSelector('spec.replicas=3');
    assert.throws(() => assertFieldsSupported(reqs, fieldGetters('', 'pods')), { message: 'field label not supported: spec.replicas' });
    assert.throws(() => fieldSelectorMatches(reqs, fieldGetters('', 'pods'), pod), { message: 'field label not supported: spec.replicas' });
    assert.throws(() => matches('apps', 'daemonsets', 'spec.nodeName=n1', {}), { message: 'field label not supported: spec.nodeName' });
    // Inherited object properties are not fields.
    assert.throws(() => matches('', 'pods', 'toString=x', pod), { message: 'field label not supported: toString' });
  });
});
