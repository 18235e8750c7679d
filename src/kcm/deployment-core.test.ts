// The Deployment controller's decisions, against a small simulated world in which ReplicaSets
// get or lose pods at once and new pods become available at random (seeded) moments.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rfc3339 } from '../api/meta.js';
import { HASH_LABEL, REVISION, computeHash, fenceposts, planDeployment, sameTemplate, scaledValue, type KDeployment, type KReplicaSet } from './deployment-core.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

function deployment(replicas: number, strategy: NonNullable<KDeployment['spec']>['strategy'], limit = 10): KDeployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'd', uid: 'd-uid', generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template('v0'), strategy, revisionHistoryLimit: limit, progressDeadlineSeconds: 600 },
  };
}

/** ReplicaSets and their pods (true: available); one `step` is one sync and the world's answer to it. */
class World {
  readonly sets = new Map<string, { rs: KReplicaSet; pods: boolean[] }>();
  #t = T0;
  #seed: number;
  constructor(public d: KDeployment, seed: number) { this.#seed = seed >>> 0; }
  #rand(): number { this.#seed = (Math.imul(this.#seed, 1664525) + 1013904223) >>> 0; return this.#seed / 2 ** 32; }
  owned(): KReplicaSet[] { return [...this.sets.values()].map((s) => s.rs); }
  pods(): number { return [...this.sets.values()].reduce((n, s) => n + s.pods.length, 0); }
  available(): number { return [...this.sets.values()].reduce((n, s) => n + s.pods.filter(Boolean).length, 0); }
  oldPods(): number { return [...this.sets.values()].filter((s) => !sameTemplate(s.rs.spec?.template, this.d.spec?.template)).reduce((n, s) => n + s.pods.length, 0); }
  newPods(): number { return this.pods() - this.oldPods(); }

  step(): void {
    this.#t += 1000;
    const plan = planDeployment(this.d, this.owned(), this.#t);
    for (const a of plan.actions) {
      if (a.type === 'create') {
        assert.ok(!this.sets.has(a.rs.metadata!.name!), 'a ReplicaSet is created once');
        const rs = { ...structuredClone(a.rs), metadata: { ...structuredClone(a.rs.metadata), uid: `uid-${a.rs.metadata!.name}`, generation: 1, creationTimestamp: rfc3339(this.#t) }, status: { replicas: 0 } };
        this.sets.set(rs.metadata.name!, { rs, pods: [] });
      } else if (a.type === 'update') {
        const s = this.sets.get(a.rs.metadata!.name!)!;
        s.rs = { ...s.rs, metadata: { ...s.rs.metadata, generation: (s.rs.metadata!.generation ?? 1) + 1, annotations: { ...s.rs.metadata!.annotations, ...a.annotations } }, spec: { ...s.rs.spec!, replicas: a.replicas } };
      } else if (a.type === 'delete') this.sets.delete(a.rs.metadata!.name!);
      else this.d = { ...this.d, metadata: { ...this.d.metadata, annotations: { ...this.d.metadata?.annotations, [REVISION]: a.revision } } };
    }
    this.d = { ...this.d, status: plan.status };
    // The ReplicaSet controller: unavailable pods go first; new pods start unavailable.
    for (const s of this.sets.values()) {
      const want = s.rs.spec!.replicas!;
      s.pods.sort((a, b) => Number(a) - Number(b));
      while (s.pods.length > want) s.pods.shift();
      while (s.pods.length < want) s.pods.push(false);
    }
  }

  /** Pods come up at random; then the ReplicaSets' statuses say what is there. */
  settle(): void {
    for (const s of this.sets.values()) {
      s.pods = s.pods.map((p) => p || this.#rand() < 0.5);
      const available = s.pods.filter(Boolean).length;
      s.rs = { ...s.rs, status: { replicas: s.pods.length, readyReplicas: available || undefined, availableReplicas: available || undefined, observedGeneration: s.rs.metadata?.generation } };
    }
  }

  converged(): boolean {
    const replicas = this.d.spec!.replicas!;
    const progressing = this.d.status?.conditions?.find((c) => c.type === 'Progressing');
    return this.newPods() === replicas && this.oldPods() === 0 && this.available() === replicas && progressing?.reason === 'NewReplicaSetAvailable';
  }

  run(maxSteps: number, check?: () => void): number {
    for (let i = 0; i < maxSteps; i++) {
      this.step();
      check?.();
      this.settle();
      if (this.converged()) return i;
    }
    assert.fail(`no convergence in ${maxSteps} steps: ${JSON.stringify([...this.sets.values()].map((s) => [s.rs.metadata?.name, s.rs.spec?.replicas, s.pods]))}`);
  }

  setTemplate(image: string): void {
    this.d = { ...this.d, metadata: { ...this.d.metadata, generation: (this.d.metadata!.generation ?? 1) + 1 }, spec: { ...this.d.spec!, template: template(image) } };
  }
}

const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom('0%', '10%', '25%', '50%', '100%'));

describe('Deployment rolling update (property)', () => {
  test('never more than replicas+maxSurge pods nor fewer than replicas-maxUnavailable available; converges', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), intOrPercent, intOrPercent, fc.integer(), (replicas, maxSurge, maxUnavailable, seed) => {
      const d = deployment(replicas, { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } });
      const w = new World(d, seed);
      w.run(200);
      const { maxSurge: surge, maxUnavailable: unavailable } = fenceposts(d);
      for (const image of ['v1', 'v2']) {
        w.setTemplate(image);
        w.run(400, () => {
          assert.ok(w.pods() <= replicas + surge, `${w.pods()} pods > ${replicas}+${surge}`);
          assert.ok(w.available() >= replicas - unavailable, `${w.available()} available < ${replicas}-${unavailable}`);
        });
      }
      assert.deepEqual(w.owned().map((rs) => rs.metadata?.annotations?.[REVISION]).sort(), ['1', '2', '3']);
      assert.equal(w.d.metadata?.annotations?.[REVISION], '3');
    }), { numRuns: 150 });
  });

  test('a scaling event in the middle of a rollout still converges at the new size', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 5 }), fc.integer(), (from, to, after, seed) => {
      const w = new World(deployment(from, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }), seed);
      w.run(200);
      w.setTemplate('v1');
      for (let i = 0; i < after; i++) { w.step(); w.settle(); }
      w.d = { ...w.d, metadata: { ...w.d.metadata, generation: w.d.metadata!.generation! + 1 }, spec: { ...w.d.spec!, replicas: to } };
      w.run(400);
    }), { numRuns: 100 });
  });
});

describe('Deployment Recreate', () => {
  test('old pods are all gone before any new pod exists', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer(), (replicas, seed) => {
      const w = new World(deployment(replicas, { type: 'Recreate' }), seed);
      w.run(100);
      w.setTemplate('v1');
      w.run(100, () => assert.ok(w.oldPods() === 0 || w.newPods() === 0, 'old and new pods together'));
    }), { numRuns: 50 });
  });
});

describe('revision history, pause, conditions', () => {
  test('old ReplicaSets beyond revisionHistoryLimit are deleted, oldest revision first', () => {
    const w = new World(deployment(2, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, 1), 7);
    w.run(100);
    for (const image of ['v1', 'v2', 'v3']) { w.setTemplate(image); w.run(100); w.step(); w.settle(); }
    assert.deepEqual(w.owned().map((rs) => rs.metadata?.annotations?.[REVISION]).sort(), ['3', '4']);
  });

  test('paused: a template change makes no new ReplicaSet, a scale still applies; Progressing says so', () => {
    const w = new World(deployment(2, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }), 3);
    w.run(100);
    w.d = { ...w.d, spec: { ...w.d.spec!, paused: true, replicas: 4, template: template('v1') } };
    for (let i = 0; i < 5; i++) { w.step(); w.settle(); }
    assert.equal(w.sets.size, 1);
    assert.equal(w.pods(), 4);
    const p = w.d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.deepEqual([p?.status, p?.reason], ['Unknown', 'DeploymentPaused']);
    w.d = { ...w.d, spec: { ...w.d.spec!, paused: false } };
    w.run(100);
    assert.equal(w.sets.size, 2);
  });

  test('a rollout that makes no progress for progressDeadlineSeconds is ProgressDeadlineExceeded', () => {
    const d = deployment(1, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const created = planDeployment(d, [], T0);
    const first = created.actions[0];
    assert.ok(first?.type === 'create');
    const rs = { ...first.rs, metadata: { ...first.rs.metadata, uid: 'u', creationTimestamp: rfc3339(T0) }, status: { replicas: 1 } } as KReplicaSet;
    const stuck = { ...d, status: created.status };
    const early = planDeployment(stuck, [rs], T0 + 1000);
    assert.equal(early.status.conditions?.find((c) => c.type === 'Progressing')?.reason, 'ReplicaSetUpdated');
    const waiting = planDeployment({ ...d, status: early.status }, [rs], T0 + 2000);
    assert.equal(waiting.recheckAtMs, Date.parse(early.status.conditions!.find((c) => c.type === 'Progressing')!.lastUpdateTime!) + 600_001);
    const late = planDeployment({ ...d, status: early.status }, [rs], T0 + 700_000);
    const p = late.status.conditions?.find((c) => c.type === 'Progressing');
    assert.deepEqual([p?.status, p?.reason, p?.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs.metadata?.name}" has timed out progressing.`]);
    const a = late.status.conditions?.find((c) => c.type === 'Available');
    assert.deepEqual([a?.status, a?.reason], ['False', 'MinimumReplicasUnavailable']);
  });
});

describe('helpers', () => {
  test('computeHash: stable, safe alphabet, changes with the template and the collision count', () => {
    const h = computeHash(template('a'));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(computeHash(structuredClone(template('a'))), h);
    assert.notEqual(computeHash(template('b')), h);
    assert.notEqual(computeHash(template('a'), 1), h);
  });
  test('sameTemplate ignores the pod-template-hash label only', () => {
    const t = template('a');
    assert.ok(sameTemplate(t, { ...t, metadata: { labels: { app: 'web', [HASH_LABEL]: 'xyz' } } }));
    assert.ok(!sameTemplate(t, template('b')));
  });
  test('fenceposts: surge rounds up, unavailability down, both zero means one', () => {
    assert.deepEqual(fenceposts(deployment(10, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } })), { maxSurge: 3, maxUnavailable: 2 });
    assert.deepEqual(fenceposts(deployment(1, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10%', maxUnavailable: '10%' } })), { maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(fenceposts(deployment(3, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } })), { maxSurge: 0, maxUnavailable: 1 });
    assert.equal(scaledValue('50%', 5, true), 3);
  });
});
