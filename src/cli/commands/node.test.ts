import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultPatch } from './node.js';

test('each verb maps to its fault annotation (null clears)', () => {
  assert.deepEqual(faultPatch('stop'), { 'everynode.dev/heartbeat': 'stopped' });
  assert.deepEqual(faultPatch('start'), { 'everynode.dev/heartbeat': null });
  assert.deepEqual(faultPatch('notready'), { 'everynode.dev/ready': 'false' });
  assert.deepEqual(faultPatch('ready'), { 'everynode.dev/ready': null });
  assert.deepEqual(faultPatch('pressure', 'memory, pid'), { 'everynode.dev/pressure': 'memory,pid' });
  assert.deepEqual(faultPatch('pressure', 'none'), { 'everynode.dev/pressure': null });
  assert.equal(faultPatch('delete'), undefined);
});

test('bad input is a one-line error', () => {
  assert.throws(() => faultPatch('pressure', 'cpu'), /^Error: pressure must be a comma list of memory, disk, pid or "none", got "cpu"$/);
  assert.throws(() => faultPatch('pressure', ''), /pressure must be/);
  assert.throws(() => faultPatch('explode'), /unknown node action "explode"/);
});
