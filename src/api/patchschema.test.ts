import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { smpSchemaFor } from './patchschema.js';

describe('smpSchemaFor', () => {
  it('describes the pod template inside a DaemonSet', () => {
    const podSpec = smpSchemaFor('DaemonSet')?.spec?.schema?.template?.schema?.spec?.schema;
    assert.deepEqual(podSpec?.containers?.mergeKey, 'name');
    assert.equal(podSpec?.containers?.schema?.env?.mergeKey, 'name');
    assert.equal(podSpec?.containers?.schema?.ports?.mergeKey, 'containerPort');
    assert.equal(podSpec?.volumes?.retainKeys, true);
    assert.equal(podSpec?.tolerations, undefined, 'tolerations are replaced whole');
    assert.equal(smpSchemaFor('DaemonSet')?.spec?.schema?.template?.schema?.metadata?.schema?.finalizers?.merge, true);
  });

  it('gives every kind the ObjectMeta strategies', () => {
    for (const kind of ['Pod', 'Node', 'Namespace', 'DaemonSet', 'ControllerRevision', 'Event', 'Lease', 'PriorityClass',
      'PodDisruptionBudget', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'Role', 'ClusterRole', 'RoleBinding',
      'ClusterRoleBinding', 'PodTemplate']) {
      const meta = smpSchemaFor(kind)?.metadata?.schema;
      assert.equal(meta?.ownerReferences?.mergeKey, 'uid', kind);
      assert.equal(meta?.finalizers?.merge, true, kind);
    }
  });

  it('records the per-kind list strategies', () => {
    assert.equal(smpSchemaFor('Service')?.spec?.schema?.ports?.mergeKey, 'port');
    assert.equal(smpSchemaFor('Node')?.spec?.schema?.taints, undefined);
    assert.equal(smpSchemaFor('Node')?.spec?.schema?.podCIDRs?.merge, true);
    assert.equal(smpSchemaFor('Node')?.status?.schema?.addresses?.mergeKey, 'type');
    assert.equal(smpSchemaFor('Pod')?.status?.schema?.podIPs?.mergeKey, 'ip');
    assert.equal(smpSchemaFor('Role')?.rules, undefined);
    assert.equal(smpSchemaFor('PodTemplate')?.template?.schema?.spec?.schema?.containers?.mergeKey, 'name');
  });

  it('knows nothing about other kinds', () => {
    assert.equal(smpSchemaFor('Widget'), undefined);
    assert.equal(smpSchemaFor('toString'), undefined);
  });
});
