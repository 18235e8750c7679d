import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../kube/client.js';
import type { SharedInformers } from '../kube/shared.js';
import { ResourceMonitor } from './resourcemonitor.js';

/** A discovery endpoint whose served groups the test changes, counting the requests it answers. */
function fakeServer() {
  const groups = new Map<string, { kind: string; name: string }[]>([['apps/v1', [{ kind: 'DaemonSet', name: 'daemonsets' }]]]);
  let requests = 0;
  const client = {
    async request(_m: string, path: string) {
      requests++;
      if (path === '/api/v1') return { groupVersion: 'v1', resources: [{ name: 'pods', kind: 'Pod', namespaced: true, verbs: ['watch', 'delete'] }, { name: 'pods/status', kind: 'Pod', namespaced: true, verbs: ['get'] }] };
      if (path === '/apis') return { groups: [...groups.keys()].map((gv) => ({ name: gv.split('/')[0], preferredVersion: { groupVersion: gv } })) };
      const gv = path.slice('/apis/'.length);
      return { groupVersion: gv, resources: (groups.get(gv) ?? []).map((r) => ({ ...r, namespaced: true, verbs: ['watch', 'delete'] })) };
    },
  } as unknown as RawClient;
  let handler: { onAdd?: () => void } = {};
  const shared = { informer: () => ({ addHandler: (h: typeof handler) => { handler = h; } }) } as unknown as SharedInformers;
  return { groups, client, shared, requests: () => requests, crdChanged: () => handler.onAdd?.() };
}

test('new resources are handed over once; owner kinds resolve by group', async () => {
  const f = fakeServer();
  const seen: string[] = [];
  const m = new ResourceMonitor(f.client, f.shared, { filter: (r) => r.resource !== 'daemonsets', onNew: (r) => seen.push(r.path) });
  await m.sync();
  assert.deepEqual(seen, ['/api/v1/pods']);
  f.groups.set('certs.example.io/v1', [{ kind: 'Certificate', name: 'certificates' }]);
  f.groups.set('apps.example.io/v1alpha1', [{ kind: 'DaemonSet', name: 'xdaemonsets' }]);
  await m.sync();
  await m.sync();
  assert.deepEqual(seen, ['/api/v1/pods', '/apis/certs.example.io/v1/certificates', '/apis/apps.example.io/v1alpha1/xdaemonsets']);
  assert.equal(m.resolve('certs.example.io/v1', 'Certificate')?.resource, 'certificates');
  assert.equal(m.resolve('apps.example.io/v1alpha1', 'DaemonSet')?.resource, 'xdaemonsets', 'same kind, other group');
  assert.equal(m.resolve('apps/v1', 'DaemonSet'), undefined, 'filtered out');
  assert.equal(m.resolve('nope.io/v1', 'Certificate'), undefined);
  // A resource that disappears stays known: its informer resumes when the kind comes back.
  f.groups.delete('certs.example.io/v1');
  await m.sync();
  assert.ok(m.resolve('certs.example.io/v1', 'Certificate'));
});

test('concurrent syncs share one discovery and run once more for what came in meanwhile', async () => {
  const f = fakeServer();
  const m = new ResourceMonitor(f.client, f.shared, { filter: () => true, onNew: () => {} });
  const before = f.requests();
  await Promise.all([m.sync(), m.sync(), m.sync()]);
  const perDiscovery = 3; // /api/v1, /apis, /apis/apps/v1
  assert.equal(f.requests() - before, 2 * perDiscovery);
});

test('a CRD change triggers a rediscovery soon; abort stops it', async () => {
  const f = fakeServer();
  const seen: string[] = [];
  const ac = new AbortController();
  const m = new ResourceMonitor(f.client, f.shared, { filter: () => true, onNew: (r) => seen.push(r.resource), debounceMs: 5, periodMs: 60_000 });
  await m.start(ac.signal);
  f.groups.set('late.example.io/v1', [{ kind: 'Widget', name: 'widgets' }]);
  f.crdChanged();
  for (let i = 0; i < 200 && !seen.includes('widgets'); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(seen.includes('widgets'));
  ac.abort();
  f.groups.set('later.example.io/v1', [{ kind: 'Gadget', name: 'gadgets' }]);
  f.crdChanged();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(seen.includes('gadgets'), false, 'stopped');
});
