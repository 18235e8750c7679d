import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import type { DaemonSet, KObject } from '../../api/types.js';
import { ApiError } from '../errors.js';
import {
  convertExtensionsDaemonSet, daemonSetStrategy as s, extensionsDeprecationWarning, templateGenerationAnnotation, toExtensionsDaemonSet,
} from './daemonset.js';
import type { AdmissionContext } from './types.js';

const ctx = (gv = 'apps/v1'): AdmissionContext => ({ get: () => undefined, list: () => [], requestGroupVersion: gv });

function ds(extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
      ...extra,
    },
  };
}
function create(obj: KObject, c = ctx()): { obj: DaemonSet; errs: string[] } {
  s.default!(obj, c);
  s.prepareForCreate!(obj, c);
  return { obj: obj as unknown as DaemonSet, errs: s.validate!(obj, c).map(fieldErrorMessage) };
}
function update(next: KObject, old: KObject, c = ctx()): string[] {
  s.default!(next, c);
  s.prepareForUpdate!(next, old, c);
  return [...s.validate!(next, c), ...s.validateUpdate!(next, old, c)].map(fieldErrorMessage);
}
const specOf = (o: KObject) => (o as unknown as DaemonSet).spec!;

test('apps/v1 defaults and create preparation (§8.1, §8.3)', () => {
  const { obj, errs } = create(ds());
  assert.deepEqual(errs, []);
  assert.deepEqual(obj.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(obj.spec!.revisionHistoryLimit, 10);
  const tpl = obj.spec!.template.spec!;
  assert.equal(tpl.restartPolicy, 'Always');
  assert.equal(tpl.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(tpl.enableServiceLinks, undefined, 'pod-only default');
  assert.equal(obj.metadata!.generation, 1);
  assert.equal(obj.metadata!.annotations![templateGenerationAnnotation], '1');
  assert.deepEqual(obj.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  assert.deepEqual(s.warnings!(obj as unknown as KObject, ctx()), []);
});

test('OnDelete gets no rollingUpdate; a given rollingUpdate is completed, not replaced', () => {
  assert.deepEqual(create(ds({ updateStrategy: { type: 'OnDelete' } })).obj.spec!.updateStrategy, { type: 'OnDelete' });
  assert.deepEqual(create(ds({ updateStrategy: { rollingUpdate: { maxUnavailable: '20%' } } })).obj.spec!.updateStrategy,
    { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '20%', maxSurge: 0 } });
});

test('a creator may seed the template generation through the annotation', () => {
  const o = ds();
  o.metadata!.annotations = { [templateGenerationAnnotation]: '5' };
  assert.equal(create(o).obj.metadata!.annotations![templateGenerationAnnotation], '5');
  const bad = ds();
  bad.metadata!.annotations = { [templateGenerationAnnotation]: 'five' };
  assert.throws(() => create(bad), (e: unknown) => e instanceof ApiError && e.code === 400);
});

test('validation: one row per rule (§8.2)', () => {
  const doesNotMatch = '`selector` does not match template `labels`';
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['selector mismatch', { selector: { matchLabels: { app: 'other' } } }, [`spec.template.metadata.labels: Invalid value: {"app":"d"}: ${doesNotMatch}`]],
    ['selector missing', { selector: undefined }, [`spec.template.metadata.labels: Invalid value: {"app":"d"}: ${doesNotMatch}`]],
    ['empty selector', { selector: {} }, ['spec.selector: Invalid value: {}: empty selector is invalid for daemonset']],
    ['restartPolicy', { template: { metadata: { labels: { app: 'd' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
    ['activeDeadlineSeconds', { template: { metadata: { labels: { app: 'd' } }, spec: { activeDeadlineSeconds: 5, containers: [{ name: 'c', image: 'x' }] } } },
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported']],
    ['template container', { template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c' }] } } }, ['spec.template.spec.containers[0].image: Required value']],
    ['minReadySeconds', { minReadySeconds: -1 }, ['spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['revisionHistoryLimit', { revisionHistoryLimit: -1 }, ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
    ['strategy type', { updateStrategy: { type: 'Blue' } }, ['spec.updateStrategy: Unsupported value: {"type":"Blue"}: supported values: "RollingUpdate", "OnDelete"']],
    ['both non-zero', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } },
      ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero']],
    ['both zero', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } },
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']],
    ['over 100%', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%', maxSurge: 0 } } },
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%']],
    ['bad percent', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 'half', maxSurge: 0 } } },
      [`spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "half": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
        'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']],
    ['negative int', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: -1, maxSurge: 0 } } },
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0']],
    ['surge only is fine', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '10%' } } }, []],
  ];
  for (const [name, extra, want] of cases) assert.deepEqual(create(ds(extra)).errs, want, name);
});

test('updates: generation and template generation follow spec and template changes', () => {
  const old = create(ds()).obj as unknown as KObject;
  old.status = { ...(old.status as object), numberReady: 3 };

  const metaOnly = structuredClone(old);
  metaOnly.metadata!.labels = { x: 'y' };
  metaOnly.status = {};
  assert.deepEqual(update(metaOnly, old), []);
  assert.equal(metaOnly.metadata!.generation, 1);
  assert.equal((metaOnly.status as { numberReady: number }).numberReady, 3, 'status kept');

  const specOnly = structuredClone(old);
  specOnly.metadata!.annotations = {}; // users cannot drop or change the template generation
  specOnly.spec = { ...specOf(old), minReadySeconds: 5 };
  assert.deepEqual(update(specOnly, old), []);
  assert.equal(specOnly.metadata!.generation, 2);
  assert.equal(specOnly.metadata!.annotations![templateGenerationAnnotation], '1');

  const tpl = structuredClone(old);
  specOf(tpl).template.spec!.containers[0].image = 'x:2';
  tpl.metadata!.annotations![templateGenerationAnnotation] = '9';
  assert.deepEqual(update(tpl, old), []);
  assert.equal(tpl.metadata!.generation, 2);
  assert.equal(tpl.metadata!.annotations![templateGenerationAnnotation], '2');
});

test('selector is immutable in apps/v1 but may change through extensions/v1beta1', () => {
  const old = create(ds()).obj as unknown as KObject;
  const change = () => {
    const next = structuredClone(old);
    specOf(next).selector = { matchLabels: { app: 'd', tier: 'x' } };
    specOf(next).template.metadata!.labels = { app: 'd', tier: 'x' };
    return next;
  };
  assert.deepEqual(update(change(), old), ['spec.selector: Invalid value: {"matchLabels":{"app":"d","tier":"x"}}: field is immutable']);
  assert.deepEqual(update(change(), old, ctx('extensions/v1beta1')), []);
});

test('status updates: spec and template generation come from the old object; counters validated', () => {
  const old = create(ds()).obj as unknown as KObject;
  const next = structuredClone(old);
  specOf(next).minReadySeconds = 99;
  next.metadata!.annotations = {};
  next.status = { numberReady: -1, collisionCount: 0 };
  const oldWithCollisions = structuredClone(old);
  oldWithCollisions.status = { collisionCount: 2 };
  s.prepareForStatusUpdate!(next, old, ctx());
  assert.equal(specOf(next).minReadySeconds, undefined);
  assert.equal(next.metadata!.annotations![templateGenerationAnnotation], '1');
  assert.deepEqual(s.validateStatusUpdate!(next, oldWithCollisions, ctx()).map(fieldErrorMessage), [
    'status.numberReady: Invalid value: -1: must be greater than or equal to 0',
    'status.collisionCount: Invalid value: 0: cannot be decremented',
  ]);
});

test('extensions/v1beta1: legacy defaults, templateGeneration conversion and the deprecation warning (§12)', () => {
  const c = ctx('extensions/v1beta1');
  const body: KObject = {
    apiVersion: 'extensions/v1beta1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'default' },
    spec: { templateGeneration: 4, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  };
  const { obj, errs } = create(body, c);
  assert.deepEqual(errs, []);
  assert.equal(obj.apiVersion, 'apps/v1');
  assert.deepEqual(obj.spec!.selector, { matchLabels: { app: 'd' } });
  assert.deepEqual(obj.metadata!.labels, { app: 'd' });
  assert.deepEqual(obj.spec!.updateStrategy, { type: 'OnDelete' });
  assert.equal(obj.metadata!.annotations![templateGenerationAnnotation], '4');
  assert.equal((obj.spec as unknown as Record<string, unknown>).templateGeneration, undefined);
  assert.deepEqual(s.warnings!(obj as unknown as KObject, c), [extensionsDeprecationWarning]);

  const back = toExtensionsDaemonSet(obj as unknown as KObject);
  assert.equal(back.apiVersion, 'extensions/v1beta1');
  assert.equal((back.spec as Record<string, unknown>).templateGeneration, 4);
  assert.equal(back.metadata!.annotations, undefined);
  assert.equal(obj.metadata!.annotations![templateGenerationAnnotation], '4', 'stored object untouched');
  assert.deepEqual(convertExtensionsDaemonSet(structuredClone(back)).metadata!.annotations, { [templateGenerationAnnotation]: '4' });
});
