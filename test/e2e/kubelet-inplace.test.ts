// In-place image updates end to end: `kubectl set image` on a running pod makes the simulated
// kubelet restart that container from the new image — same pod UID, restartCount 1, the kubelet's
// Killing/Pulling/Pulled/Created/Started events — and only images may change on a pod.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const CLUSTER = `
pools:
  - name: node
    count: 1
    pods:
      startupDelay: 50
      readinessDelay: 100
      rules:
        - image: "agent:crash"
          crashLoop: { after: 100, exitCode: 1 }
`;
const POD = `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: default}
spec:
  nodeName: node-0
  containers: [{name: agent, image: "agent:1"}, {name: sidecar, image: "sidecar:1"}]
`;

describe('in-place image update of a running pod', { skip: !hasKubectl && 'kubectl is not installed' }, () => {
  let c: TestCluster;
  let dir: string;
  const ok = async (args: string[], input?: string) => { const r = await kubectl(c, args, input); assert.equal(r.code, 0, r.stderr); return r.stdout; };
  const get = (path: string) => ok(['get', 'pod', 'agent', '-o', `jsonpath=${path}`]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'everynode-inplace-'));
    writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
    c = await startTestCluster({ configFile: join(dir, 'cluster.yaml') });
  });
  after(async () => { await c?.stop(); rmSync(dir, { recursive: true, force: true }); });

  test('kubectl set image restarts that container with the same pod UID', async () => {
    await ok(['apply', '-f', '-'], POD);
    await ok(['wait', '--for=condition=Ready', 'pod/agent', '--timeout=30s']);
    const uid = await get('{.metadata.uid}');
    await ok(['set', 'image', 'pod/agent', 'agent=agent:2']);
    await eventually(async () => (await get('{.status.containerStatuses[0].image} {.status.containerStatuses[0].restartCount} {.status.conditions[?(@.type=="Ready")].status}')) === 'agent:2 1 True', 30_000, 'agent:2 restarted and Ready');
    assert.equal(await get('{.metadata.uid}'), uid);
    assert.equal(await get('{.status.containerStatuses[1].restartCount}'), '0', 'the sidecar kept running');
    const events = await eventually(async () => {
      const out = await ok(['get', 'events', '--field-selector', 'involvedObject.name=agent,involvedObject.fieldPath=spec.containers{agent}', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
      return out.includes('Killing: Container agent definition changed, will be restarted') && out.includes('Pulling image "agent:2"') && /Started: Started container agent\n[\s\S]*Started container agent/.test(out) ? out : undefined;
    }, 30_000, 'kubelet events for the restart');
    assert.match(events, /Pulled: Successfully pulled image "agent:2"/);
    assert.match(events, /Created: Created container: agent/);
  });

  test('a crash-looping new image leaves the pod NotReady; rolling back in place makes it Ready', async () => {
    // One container: the simulation's crash-loop rules act on the whole pod.
    await ok(['run', 'solo', '--image=agent:1', '--restart=Always', '--overrides={"spec":{"nodeName":"node-0"}}']);
    await ok(['wait', '--for=condition=Ready', 'pod/solo', '--timeout=30s']);
    const solo = (path: string) => ok(['get', 'pod', 'solo', '-o', `jsonpath=${path}`]);
    await ok(['set', 'image', 'pod/solo', 'solo=agent:crash']);
    await eventually(async () => (await solo('{.status.containerStatuses[0].state.waiting.reason}')) === 'CrashLoopBackOff', 30_000, 'CrashLoopBackOff');
    assert.equal(await solo('{.status.conditions[?(@.type=="Ready")].status}'), 'False');
    assert.equal(await solo('{.status.containerStatuses[0].restartCount}'), '2');
    await ok(['set', 'image', 'pod/solo', 'solo=agent:1']);
    await ok(['wait', '--for=condition=Ready', 'pod/solo', '--timeout=30s']);
    assert.equal(await solo('{.status.containerStatuses[0].image}'), 'agent:1');
  });

  test('only images may change on a running pod', async () => {
    const r = await kubectl(c, ['patch', 'pod', 'agent', '--type=json', '-p', '[{"op":"replace","path":"/spec/containers/0/name","value":"other"}]']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pod updates may not change fields other than `spec.containers\[\*\].image`/);
  });
});
