// Deployment and ReplicaSet strategies: upstream's defaults, validation messages and generation rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { deploymentStrategy } from './deployment.js';
import { replicaSetStrategy } from './replicaset.js';
import { builtinScaleView } from './scale.js';
import type { AdmissionContext } from './types.js';

const ctx: AdmissionContext = { get: () => undefined, list: () => [], requestGroupVersion: 'apps/v1' };
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
const deployment = (spec: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: structuredClone(template), ...spec },
});
const created = (o: KObject, s = deploymentStrategy) => { s.default!(o, ctx); s.prepareForCreate!(o, ctx); return o; };
const fields = (errs: { field: string; detail?: string }[]) => errs.map((e) => `${e.field}: ${e.detail ?? ''}`);

describe('Deployment strategy', () => {
  test('SetDefaults_Deployment: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600', () => {
    const d = created(deployment());
    const spec = d.spec as Record<string, any>;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    assert.equal(spec.template.spec.restartPolicy, 'Always');
    assert.deepEqual(d.status, {});
    assert.equal(d.metadata?.generation, 1);
    assert.deepEqual(deploymentStrategy.validate!(d, ctx), []);
  });

  test('Recreate gets no rollingUpdate defaults', () => {
    const d = created(deployment({ strategy: { type: 'Recreate' } }));
    assert.deepEqual((d.spec as any).strategy, { type: 'Recreate' });
    assert.deepEqual(deploymentStrategy.validate!(d, ctx), []);
  });

  test('validation: selector, labels, replicas, strategy, deadline, restartPolicy', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ selector: { matchLabels: { app: 'other' } } }, 'spec.template.metadata.labels: `selector` does not match template `labels`'],
      [{ selector: {} }, 'spec.selector: empty selector is invalid for deployment'],
      [{ replicas: -1 }, 'spec.replicas: must be greater than or equal to 0'],
      [{ strategy: { type: 'Recreate', rollingUpdate: {} } }, "spec.strategy.rollingUpdate: may not be specified when strategy `type` is 'Recreate'"],
      [{ strategy: { type: 'Blue' } }, 'spec.strategy.type: '],
      [{ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }, 'spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when `maxSurge` is 0'],
      [{ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } } }, 'spec.strategy.rollingUpdate.maxUnavailable: must not be greater than 100%'],
      [{ minReadySeconds: 700 }, 'spec.progressDeadlineSeconds: must be greater than minReadySeconds'],
      [{ template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } }, 'spec.template.spec.restartPolicy: '],
    ];
    for (const [spec, want] of cases) {
      const d = deployment(spec);
      deploymentStrategy.default!(d, ctx);
      assert.ok(fields(deploymentStrategy.validate!(d, ctx)).some((f) => f.startsWith(want)), `${JSON.stringify(spec)} → ${want}: ${fields(deploymentStrategy.validate!(d, ctx))}`);
    }
    const none = deployment();
    delete (none.spec as any).selector;
    deploymentStrategy.default!(none, ctx);
    assert.deepEqual(fields(deploymentStrategy.validate!(none, ctx)), ['spec.selector: ']);
  });

  test('generation follows spec and annotation changes, never status; selector is immutable', () => {
    const old = created(deployment());
    old.status = { replicas: 3 };
    const next = structuredClone(old);
    deploymentStrategy.prepareForUpdate!(next, old, ctx);
    assert.equal(next.metadata?.generation, 1);
    (next.spec as any).replicas = 3;
    deploymentStrategy.prepareForUpdate!(next, old, ctx);
    assert.equal(next.metadata?.generation, 2);
    const annotated = structuredClone(old);
    annotated.metadata!.annotations = { 'kubernetes.io/change-cause': 'x' };
    annotated.status = { replicas: 9 };
    deploymentStrategy.prepareForUpdate!(annotated, old, ctx);
    assert.equal(annotated.metadata?.generation, 2);
    assert.deepEqual(annotated.status, { replicas: 3 });
    const moved = structuredClone(old);
    (moved.spec as any).selector = { matchLabels: { app: 'web', tier: 'x' } };
    assert.deepEqual(fields(deploymentStrategy.validateUpdate!(moved, old, ctx)), ['spec.selector: field is immutable']);
  });

  test('status validation: counters non-negative and consistent', () => {
    const d = created(deployment());
    d.status = { replicas: 1, readyReplicas: 2, availableReplicas: -1 };
    assert.deepEqual(fields(deploymentStrategy.validateStatusUpdate!(d, d, ctx)), [
      'status.availableReplicas: must be greater than or equal to 0', 'status.readyReplicas: cannot be greater than status.replicas',
    ]);
  });
});

describe('ReplicaSet strategy', () => {
  test('defaults replicas to 1 and the empty status says replicas 0; annotations do not bump', () => {
    const rs = created({ ...deployment(), kind: 'ReplicaSet' }, replicaSetStrategy);
    assert.equal((rs.spec as any).replicas, 1);
    assert.deepEqual(rs.status, { replicas: 0 });
    const next = structuredClone(rs);
    next.metadata!.annotations = { a: 'b' };
    replicaSetStrategy.prepareForUpdate!(next, rs, ctx);
    assert.equal(next.metadata?.generation, 1);
    assert.deepEqual(fields(replicaSetStrategy.validate!({ ...rs, spec: { ...(rs.spec as object), selector: {} } }, ctx)), ['spec.selector: empty selector is invalid for replicaset']);
  });
});

describe('scale view of Deployments and ReplicaSets', () => {
  test('reads spec/status replicas and the selector string, writes spec.replicas only', () => {
    const d = created(deployment({ replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }));
    d.metadata = { ...d.metadata, resourceVersion: '7' };
    d.status = { replicas: 2 };
    const s = builtinScaleView.read(d);
    assert.deepEqual(s.spec, { replicas: 3 });
    assert.deepEqual(s.status, { replicas: 2, selector: 'app=web,tier' });
    assert.equal(s.metadata?.resourceVersion, '7');
    const w = builtinScaleView.write(d, 5);
    assert.equal((w.spec as any).replicas, 5);
    assert.equal((d.spec as any).replicas, 3);
  });
});
