import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerMetrics } from './metrics.js';

test('rollout gauges: phase, nodes by state, blocked nodes summed over rollouts by reason and cause; forget removes', async () => {
  const m = new ControllerMetrics({ processMetrics: false });
  m.rollouts.observe('default', 'a', { phase: 'Progressing', updatedNodes: 3, blockedNodesTotal: 2, quarantinedNodes: ['n1'], waves: [{ nodes: 4 }, { nodes: 5 }],
    blockedNodes: [{ reason: 'NodeNotReady', cause: 'Node' }, { reason: 'CrashLoop', cause: 'Revision' }] });
  m.rollouts.observe('default', 'b', { phase: 'Complete', blockedNodes: [{ reason: 'NodeNotReady', cause: 'Node' }] });
  const text = (await m.text()).body;
  assert.match(text, /everynode_rollout_phase\{namespace="default",name="a",phase="Progressing"\} 1/);
  assert.match(text, /everynode_rollout_phase\{namespace="default",name="a",phase="Complete"\} 0/);
  assert.match(text, /everynode_rollout_nodes\{namespace="default",name="a",state="total"\} 9/);
  assert.match(text, /everynode_rollout_nodes\{namespace="default",name="a",state="quarantined"\} 1/);
  assert.match(text, /everynode_rollout_blocked_nodes\{reason="NodeNotReady",cause="Node"\} 2/);
  assert.match(text, /everynode_rollout_blocked_nodes\{reason="CrashLoop",cause="Revision"\} 1/);
  m.rollouts.forget('default', 'a');
  const after = (await m.text()).body;
  assert.doesNotMatch(after, /name="a"/);
  assert.match(after, /everynode_rollout_blocked_nodes\{reason="NodeNotReady",cause="Node"\} 1/);
  assert.doesNotMatch(after, /CrashLoop/);
});
