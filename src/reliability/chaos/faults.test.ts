import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_RATES, decide, faultOf, isWatchRequest, NO_FAULTS, statusBody, type Decision, type FaultRates } from './faults.js';
import { rng, streamSeed } from './rng.js';

test('rng: same seed, same stream; streams per purpose differ; int stays in range', () => {
  const a = rng(42), b = rng(42);
  assert.deepEqual(Array.from({ length: 5 }, () => a.next()), Array.from({ length: 5 }, () => b.next()));
  assert.notEqual(streamSeed(1, 'proxy'), streamSeed(1, 'plan'));
  assert.notEqual(streamSeed(1, 'proxy'), streamSeed(2, 'proxy'));
  fc.assert(fc.property(fc.integer(), fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 20 }), (seed, min, span) => {
    const x = rng(seed).int(min, min + span);
    return Number.isInteger(x) && x >= min && x <= min + span;
  }));
});

test('isWatchRequest: ?watch=true|1 and the legacy /watch/ prefix', () => {
  assert.equal(isWatchRequest('/api/v1/pods?watch=true&resourceVersion=5'), true);
  assert.equal(isWatchRequest('/apis/apps/v1/daemonsets?watch=1'), true);
  assert.equal(isWatchRequest('/api/v1/watch/namespaces/x/pods'), true);
  assert.equal(isWatchRequest('/apis/apps/v1/watch/daemonsets'), true);
  assert.equal(isWatchRequest('/api/v1/pods?watch=false'), false);
  assert.equal(isWatchRequest('/api/v1/namespaces/watch/pods'), false);
});

test('no faults: every request passes', () => {
  const r = rng(1);
  for (const p of ['/api/v1/pods', '/api/v1/pods?watch=true', '/version']) assert.deepEqual(decide('GET', p, NO_FAULTS, r), { kind: 'pass' });
});

test('each rate at 1 gives its fault; /version is always spared', () => {
  const only = (k: keyof FaultRates): FaultRates => ({ ...NO_FAULTS, [k]: 1 });
  const r = rng(7);
  assert.equal(faultOf(decide('GET', '/api/v1/pods', only('error500'), r)), 'error500');
  assert.equal(faultOf(decide('GET', '/api/v1/pods', only('error503'), r)), 'error503');
  const t = decide('POST', '/api/v1/pods', only('throttle429'), r);
  assert.equal(t.kind === 'status' && t.code, 429);
  assert.ok(t.kind === 'status' && t.retryAfterSeconds! >= 1);
  assert.equal(faultOf(decide('DELETE', '/api/v1/pods/x', only('resetBefore'), r)), 'resetBefore');
  assert.equal(faultOf(decide('DELETE', '/api/v1/pods/x', only('resetAfter'), r)), 'resetAfter');
  assert.equal(faultOf(decide('GET', '/api/v1/pods', only('resetAfter'), r)), undefined, 'reads do not lose their answer after the fact');
  assert.equal(faultOf(decide('GET', '/api/v1/pods', only('latency'), r)), 'latency');
  assert.equal(faultOf(decide('GET', '/api/v1/pods?watch=1', only('watchCut'), r)), 'watchCut');
  assert.equal(faultOf(decide('GET', '/api/v1/pods?watch=1', only('watchStall'), r)), 'watchStall');
  assert.equal(faultOf(decide('GET', '/api/v1/pods?watch=1', only('watchDrop'), r)), 'watchDrop');
  assert.equal(faultOf(decide('GET', '/api/v1/pods?watch=1', only('error500'), r)), undefined, 'watch faults are their own');
  assert.deepEqual(decide('GET', '/version', only('error500'), r), { kind: 'pass' });
});

test('property: decisions are bounded (latency, cut and stall times) and reproducible from the seed', () => {
  fc.assert(fc.property(fc.integer(), fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), fc.boolean(), (seed, method, watch) => {
    const path = watch ? '/api/v1/pods?watch=true' : '/api/v1/pods';
    const d: Decision = decide(method, path, DEFAULT_RATES, rng(seed));
    assert.deepEqual(decide(method, path, DEFAULT_RATES, rng(seed)), d);
    if (d.kind === 'latency') return d.ms >= 20 && d.ms <= 400;
    if (d.kind === 'watchCut') return watch && d.afterMs <= 6_000;
    if (d.kind === 'watchStall') return watch && d.afterMs + d.stallMs <= 9_000;
    return true;
  }));
});

test('statusBody is a metav1.Status with the code and reason kube-apiserver uses', () => {
  const b = statusBody({ kind: 'status', fault: 'throttle429', code: 429, reason: 'TooManyRequests', retryAfterSeconds: 2 });
  assert.deepEqual(b, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Too many requests, please try again later.', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 2 } });
  assert.equal(statusBody({ kind: 'status', fault: 'error503', code: 503, reason: 'ServiceUnavailable' }).reason, 'ServiceUnavailable');
});
