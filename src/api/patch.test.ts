import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError, type JsonObject } from './patch.js';
import { smpSchemaFor, type SmpSchema } from './patchschema.js';

/** Freezing the inputs turns any mutation into a TypeError (ES modules run in strict mode). */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const patchError = (code: number, message?: string | RegExp) => (e: unknown) => {
  assert.ok(e instanceof PatchError, String(e));
  assert.equal(e.code, code, e.message);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  return true;
};

/** No `$` key may survive a strategic merge. */
function assertNoDirectives(v: unknown, path = ''): void {
  if (Array.isArray(v)) v.forEach((x, i) => assertNoDirectives(x, `${path}[${i}]`));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      assert.ok(!k.startsWith('$'), `directive ${k} persisted at ${path}`);
      assertNoDirectives(x, `${path}.${k}`);
    }
  }
}

describe('applyJsonPatch', () => {
  it('applies operations without touching its inputs', () => {
    const doc = deepFreeze({ metadata: { labels: { a: '1' } }, spec: { list: [1, 2] } });
    const ops = deepFreeze([
      { op: 'replace', path: '/metadata/labels/a', value: '2' },
      { op: 'add', path: '/spec/list/-', value: { x: 1 } },
      { op: 'remove', path: '/spec/list/0' },
      { op: 'test', path: '/metadata/labels/a', value: '2' },
    ]);
    const out = applyJsonPatch(doc, ops) as { spec: { list: unknown[] } };
    assert.deepEqual(out, { metadata: { labels: { a: '2' } }, spec: { list: [2, { x: 1 }] } });
    (out.spec.list[1] as { x: number }).x = 5; // the result shares nothing with the ops
    assert.deepEqual(ops[1], { op: 'add', path: '/spec/list/-', value: { x: 1 } });
  });

  it('answers 422 for a patch that does not apply', () => {
    assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), patchError(422, 'testing value "/a" failed: test failed'));
    assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }]), patchError(422, /^remove operation does not apply/));
    assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: 'frobnicate', path: '/a' }]), patchError(422));
    assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: 1 }]), patchError(422));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('answers 400 for a body that is not a list of operations, 413 for too many', () => {
    assert.throws(() => applyJsonPatch({}, { op: 'add' }), patchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'));
    assert.throws(() => applyJsonPatch({}, [5]), patchError(400));
    const many = Array.from({ length: 10001 }, () => ({ op: 'test', path: '', value: {} }));
    assert.throws(() => applyJsonPatch({}, many), patchError(413));
  });

  it('is the identity for an empty list', () => {
    fc.assert(fc.property(fc.jsonValue(), (doc) => assert.deepEqual(applyJsonPatch(doc, []), doc)));
  });
});

describe('applyMergePatch', () => {
  // RFC 7386 appendix A (object-patch cases).
  const rfc: [unknown, JsonObject, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of rfc) {
    it(`${JSON.stringify(doc)} + ${JSON.stringify(patch)}`, () => {
      assert.deepEqual(applyMergePatch(deepFreeze(doc), deepFreeze(patch)), want);
    });
  }

  it('rejects a non-object patch with 400', () => {
    assert.throws(() => applyMergePatch({}, ['a']), patchError(400, 'Invalid JSON Patch'));
    assert.throws(() => applyMergePatch({}, null), patchError(400));
  });

  it('treats __proto__ as a plain key', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":1}}'));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });
});

// --- strategic merge patch ------------------------------------------------------------------

const dsSchema = smpSchemaFor('DaemonSet')!;
const nodeSchema = smpSchemaFor('Node')!;

const liveDaemonSet = deepFreeze({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default', labels: { app: 'agent', team: 'x' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'old' } },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        containers: [
          { name: 'app', image: 'img:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'SERVER', value: 's' }] },
          { name: 'sidecar', image: 'side:1' },
        ],
        tolerations: [{ operator: 'Exists' }],
      },
    },
  },
});

describe('applyStrategicMergePatch: what kubectl sends', () => {
  it('kubectl apply: changed image, env entry deleted, env entry added, element orders', () => {
    const patch = deepFreeze({
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'new' } },
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
        containers: [{
          '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
          env: [{ name: 'C', value: '3' }, { $patch: 'delete', name: 'B' }],
          image: 'img:2',
          name: 'app',
        }],
      } } },
    });
    const out = applyStrategicMergePatch(liveDaemonSet, patch, dsSchema) as typeof liveDaemonSet;
    assertNoDirectives(out);
    const [app, sidecar] = out.spec.template.spec.containers;
    assert.equal(app.image, 'img:2');
    // The server-only SERVER entry keeps its place after the entries the order list names.
    assert.deepEqual(app.env, [{ name: 'A', value: '1' }, { name: 'C', value: '3' }, { name: 'SERVER', value: 's' }]);
    assert.deepEqual(sidecar, { name: 'sidecar', image: 'side:1' });
    assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], 'new');
    assert.deepEqual(out.spec.template.spec.tolerations, [{ operator: 'Exists' }]);
  });

  it('kubectl apply: containers reordered and one removed', () => {
    const patch = {
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
        containers: [{ $patch: 'delete', name: 'gone' }],
      } } },
    };
    const live = structuredClone(liveDaemonSet) as typeof liveDaemonSet;
    (live.spec.template.spec.containers as unknown[]).push({ name: 'gone', image: 'g' });
    const out = applyStrategicMergePatch(live, patch, dsSchema) as typeof liveDaemonSet;
    assert.deepEqual(out.spec.template.spec.containers.map((c) => c.name), ['sidecar', 'app']);
  });

  it('kubectl rollout undo: $patch replace on spec.template', () => {
    const template = { metadata: { labels: { app: 'agent', 'controller-revision-hash': 'abc' } }, spec: { containers: [{ image: 'img:0', name: 'app' }] } };
    const out = applyStrategicMergePatch(liveDaemonSet, { spec: { template: { ...template, $patch: 'replace' } } }, dsSchema) as typeof liveDaemonSet;
    assert.deepEqual(out.spec.template, template);
    assert.deepEqual(out.spec.selector, liveDaemonSet.spec.selector);
    assert.deepEqual(out.spec.updateStrategy, liveDaemonSet.spec.updateStrategy);
  });

  it('kubectl rollout restart: template annotation only', () => {
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } };
    const out = applyStrategicMergePatch(liveDaemonSet, patch, dsSchema) as typeof liveDaemonSet & { spec: { template: { metadata: { annotations: object } } } };
    assert.deepEqual(out.spec.template.metadata, { labels: { app: 'agent' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } });
    assert.deepEqual(out.spec.template.spec, liveDaemonSet.spec.template.spec);
  });

  it('kubectl label / annotate: null removes a key', () => {
    const out = applyStrategicMergePatch(liveDaemonSet, { metadata: { labels: { team: null, tier: 'web' } } }, dsSchema) as typeof liveDaemonSet;
    assert.deepEqual(out.metadata.labels, { app: 'agent', tier: 'web' });
  });

  it('kubectl cordon and taint on a node: scalar set, taints replaced whole', () => {
    const node = deepFreeze({ metadata: { name: 'n1' }, spec: { podCIDRs: ['10.0.0.0/24'], taints: [{ key: 'old', effect: 'NoSchedule' }] } });
    assert.deepEqual(applyStrategicMergePatch(node, { spec: { unschedulable: true } }, nodeSchema),
      { metadata: { name: 'n1' }, spec: { podCIDRs: ['10.0.0.0/24'], taints: [{ key: 'old', effect: 'NoSchedule' }], unschedulable: true } });
    const tainted = applyStrategicMergePatch(node, { spec: { taints: [{ effect: 'NoSchedule', key: 'k', value: 'v' }] } }, nodeSchema);
    assert.deepEqual((tainted.spec as { taints: unknown }).taints, [{ effect: 'NoSchedule', key: 'k', value: 'v' }]);
  });

  it('node status: conditions merge by type', () => {
    const node = deepFreeze({ status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'MemoryPressure', status: 'False' }] } });
    const out = applyStrategicMergePatch(node, { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } }, nodeSchema);
    assert.deepEqual((out.status as { conditions: unknown }).conditions,
      [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }, { type: 'MemoryPressure', status: 'False' }]);
  });
});

describe('applyStrategicMergePatch: directives', () => {
  const meta = (m: object) => ({ metadata: m });

  it('unions primitive merge lists and deletes from them', () => {
    const doc = deepFreeze(meta({ finalizers: ['a', 'b'] }));
    assert.deepEqual(applyStrategicMergePatch(doc, meta({ finalizers: ['c', 'a'] }), dsSchema), meta({ finalizers: ['c', 'a', 'b'] }));
    assert.deepEqual(applyStrategicMergePatch(doc, meta({ '$deleteFromPrimitiveList/finalizers': ['a'] }), dsSchema), meta({ finalizers: ['b'] }));
    // What kubectl apply sends when a finalizer is swapped.
    const swapped = meta({ '$setElementOrder/finalizers': ['a', 'c'], finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['b'] });
    assert.deepEqual(applyStrategicMergePatch(doc, swapped, dsSchema), meta({ finalizers: ['a', 'c'] }));
    assert.deepEqual(applyStrategicMergePatch({}, meta({ '$deleteFromPrimitiveList/finalizers': ['a'] }), dsSchema), meta({}));
  });

  it('merges ownerReferences by uid and puts new entries first, as upstream', () => {
    const doc = deepFreeze(meta({ ownerReferences: [{ uid: '1', name: 'a' }, { uid: '2', name: 'b' }] }));
    const out = applyStrategicMergePatch(doc, meta({ ownerReferences: [{ uid: '3', name: 'c' }, { uid: '2', controller: true }] }), dsSchema);
    // Upstream's interleave: a server-only entry goes first only when it preceded the next
    // patched entry on the server; '3' is new, so it lands before '1'.
    assert.deepEqual(out, meta({ ownerReferences: [{ uid: '3', name: 'c' }, { uid: '1', name: 'a' }, { uid: '2', name: 'b', controller: true }] }));
    const added = applyStrategicMergePatch(doc, meta({ ownerReferences: [{ uid: '3' }] }), dsSchema);
    assert.deepEqual((added.metadata as { ownerReferences: { uid: string }[] }).ownerReferences.map((o) => o.uid), ['3', '1', '2']);
  });

  it('honours $patch replace and merge as list elements', () => {
    const out = applyStrategicMergePatch(liveDaemonSet,
      { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o', env: [{ name: 'X', $patch: 'delete' }] }] } } } }, dsSchema) as typeof liveDaemonSet;
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only', image: 'o', env: [] }]);
    const merged = applyStrategicMergePatch(meta({ ownerReferences: [{ uid: '1' }] }), meta({ ownerReferences: [{ $patch: 'merge' }, { uid: '2' }] }), dsSchema);
    assert.deepEqual(merged, meta({ ownerReferences: [{ uid: '2' }, { uid: '1' }] }));
  });

  it('honours $patch on maps: replace, delete, merge', () => {
    const doc = deepFreeze({ spec: { a: { x: 1, y: 2 }, b: { z: 1 } } });
    assert.deepEqual(applyStrategicMergePatch(doc, { spec: { a: { y: 3, $patch: 'replace' } } }, undefined), { spec: { a: { y: 3 }, b: { z: 1 } } });
    assert.deepEqual(applyStrategicMergePatch(doc, { spec: { a: { $patch: 'delete' } } }, undefined), { spec: { b: { z: 1 } } });
    assert.deepEqual(applyStrategicMergePatch(doc, { spec: { a: { y: 3, $patch: 'merge' } } }, undefined), { spec: { a: { x: 1, y: 3 }, b: { z: 1 } } });
    assert.deepEqual(applyStrategicMergePatch(doc, { $patch: 'delete' }, undefined), {});
    assert.throws(() => applyStrategicMergePatch(doc, { spec: { $patch: 'explode' } }, undefined), patchError(400, /^unknown patch type: "explode" in map/));
  });

  it('applies $retainKeys to union-type volume sources', () => {
    const pod = deepFreeze({ spec: { volumes: [{ name: 'v', hostPath: { path: '/x' } }, { name: 'w', emptyDir: {} }] } });
    const patch = { spec: { volumes: [{ name: 'v', emptyDir: { medium: 'Memory' }, $retainKeys: ['emptyDir', 'name'] }] } };
    const out = applyStrategicMergePatch(pod, patch, smpSchemaFor('Pod'));
    assert.deepEqual(out, { spec: { volumes: [{ name: 'v', emptyDir: { medium: 'Memory' } }, { name: 'w', emptyDir: {} }] } });
    assert.throws(() => applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'v', hostPath: {}, $retainKeys: ['name'] }] } }, smpSchemaFor('Pod')),
      patchError(422, "patch content doesn't match retainKeys list"));
    assert.throws(() => applyStrategicMergePatch(pod, { spec: { $retainKeys: 'volumes' } }, smpSchemaFor('Pod')), patchError(400, 'invalid patch format of retainKeys'));
  });

  it('keeps server-only items in place under $setElementOrder', () => {
    const doc = deepFreeze({ spec: { containers: [{ name: 'a' }, { name: 's1' }, { name: 'b' }, { name: 's2' }] } });
    const out = applyStrategicMergePatch(doc, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'c' }], containers: [{ name: 'c' }] } }, smpSchemaFor('Pod'));
    // Named items follow the order list; s1 stays ahead of b (it was before b on the server),
    // s2 stays after everything it followed.
    assert.deepEqual((out.spec as { containers: { name: string }[] }).containers.map((c) => c.name), ['s1', 'b', 'a', 'c', 's2']);
  });

  it('maps malformed directives and impossible merges to 400, 422 and 500', () => {
    const pod = smpSchemaFor('Pod');
    assert.throws(() => applyStrategicMergePatch({}, [1], pod), patchError(400, 'invalid JSON document'));
    assert.throws(() => applyStrategicMergePatch({}, { metadata: { '$setElementOrder/finalizers': 'a' } }, pod), patchError(400, 'invalid patch format of setElementOrder list'));
    assert.throws(() => applyStrategicMergePatch({}, { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, pod), patchError(400, 'invalid patch format of primitive list'));
    assert.throws(() => applyStrategicMergePatch({}, { metadata: { '$deleteFromPrimitiveListfinalizers': ['a'] } }, pod), patchError(400));
    assert.throws(() => applyStrategicMergePatch({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [['b']] } }, pod), patchError(422, 'lists of lists are not supported'));
    assert.throws(() => applyStrategicMergePatch({}, { spec: { containers: [{ image: 'x' }] } }, pod), patchError(500, /does not contain declared merge key: name/));
    assert.throws(() => applyStrategicMergePatch({ spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] } }, pod),
    patchError(500, /^The order in patch list/));
  });

  it('consumes every directive, even in values that are new', () => {
    const patch = { spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'n' }],
      containers: [{ name: 'n', '$setElementOrder/env': [{ name: 'E' }], env: [{ name: 'E' }, { name: 'D', $patch: 'delete' }] }],
      volumes: [{ name: 'v', $retainKeys: ['name'] }],
    } }, unknownMap: { $patch: 'replace', k: { $patch: 'delete' } } } };
    const out = applyStrategicMergePatch({}, patch, dsSchema);
    assertNoDirectives(out);
    assert.deepEqual(out, { spec: { template: { spec: { containers: [{ name: 'n', env: [{ name: 'E' }] }], volumes: [{ name: 'v' }] } }, unknownMap: {} } });
  });
});

// --- properties -----------------------------------------------------------------------------

const plainKey = fc.string({ maxLength: 4 }).filter((k) => !k.startsWith('$'));
const { json: plainJson } = fc.letrec<{ json: unknown; obj: JsonObject }>((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 3 }),
    fc.array(tie('json'), { maxLength: 3 }), tie('obj')),
  obj: fc.dictionary(plainKey, tie('json'), { maxKeys: 4 }),
}));
// Round-tripped through JSON so values look like decoded request bodies (fast-check builds
// null-prototype objects for a "__proto__" key; JSON.parse never does).
const plainObject = fc.dictionary(plainKey, plainJson, { maxKeys: 5 }).map((o) => JSON.parse(JSON.stringify(o)) as JsonObject);
const withoutNulls = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
};

describe('patch properties', () => {
  it('an empty patch is the identity', () => {
    fc.assert(fc.property(plainObject, (doc) => {
      assert.deepEqual(applyMergePatch(doc, {}), doc);
      assert.deepEqual(applyStrategicMergePatch(doc, {}, dsSchema), doc);
    }));
  });

  it('merge patch: applying a null-free patch twice equals applying it once', () => {
    fc.assert(fc.property(plainObject, plainObject.map(withoutNulls), (doc, patch) => {
      const once = applyMergePatch(doc, patch);
      assert.deepEqual(applyMergePatch(once, patch), once);
    }));
  });

  it('SMP without merge-keyed lists behaves as merge patch', () => {
    const noMergeLists: SmpSchema = { spec: { schema: { template: { schema: {} } } }, metadata: {} };
    fc.assert(fc.property(plainObject, plainObject, (doc, patch) => {
      assert.deepEqual(applyStrategicMergePatch(doc, patch, noMergeLists), applyMergePatch(doc, patch));
    }), { numRuns: 300 });
  });

  it('SMP never persists directives and never mutates its inputs', () => {
    const directive = fc.constantFrom<[string, unknown]>(['$patch', 'replace'], ['$patch', 'delete'], ['$retainKeys', ['name', 'image']]);
    const container = fc.record({ name: fc.constantFrom('a', 'b', 'c'), image: fc.constantFrom('x', 'y') });
    const patchContainer = fc.tuple(container, fc.option(directive, { nil: undefined }))
      .map(([c, d]) => (d ? { ...c, [d[0]]: d[1] } : c));
    fc.assert(fc.property(fc.uniqueArray(container, { selector: (c) => c.name }), fc.array(patchContainer, { maxLength: 3 }), (live, patched) => {
      const doc = deepFreeze({ spec: { containers: live } });
      const patch = deepFreeze({ spec: { containers: patched } });
      let out: JsonObject;
      try {
        out = applyStrategicMergePatch(doc, patch, smpSchemaFor('Pod'));
      } catch (e) {
        // Only the documented rejection (retainKeys list not covering the patch) is allowed.
        assert.ok(e instanceof PatchError && e.code === 422, String(e));
        return;
      }
      assertNoDirectives(out);
    }));
  });
});

describe('strategic merge patch errors kube-apiserver answers 500 for', () => {
  const podSchema = smpSchemaFor('Pod')!;
  it('objects in a list without a merge key (metadata.finalizers), in mergeSlice\'s words', () => {
    assert.throws(() => applyStrategicMergePatch({ metadata: { name: 'p', finalizers: [] } }, { metadata: { finalizers: [{ a: { b: [] } }] } }, podSchema),
      (e: unknown) => e instanceof PatchError && e.code === 500 && e.message === 'cannot merge lists without merge key for map[string]interface {}');
  });
});
