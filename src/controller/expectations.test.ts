import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Expectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';

function fixture() {
  const clock = { t: 1_000 };
  return { clock, e: new Expectations(() => clock.t) };
}

describe('Expectations', () => {
  it('a key with no record is satisfied', () => {
    assert.equal(fixture().e.satisfied('ns/ds'), true);
  });

  it('is satisfied once every expected create and delete is observed', () => {
    const { e } = fixture();
    e.expect('ns/ds', 2, ['u1']);
    assert.equal(e.satisfied('ns/ds'), false);
    e.creationObserved('ns/ds');
    e.deletionObserved('ns/ds', 'u1');
    assert.equal(e.satisfied('ns/ds'), false, 'one create still missing');
    e.creationObserved('ns/ds');
    assert.equal(e.satisfied('ns/ds'), true);
  });

  it('expecting nothing is satisfied at once', () => {
    const { e } = fixture();
    e.expect('k', 0, []);
    assert.equal(e.satisfied('k'), true);
  });

  it('counts a deletion once per UID (graceful delete, then removal) and ignores unknown UIDs', () => {
    const { e } = fixture();
    e.expect('k', 0, ['u1', 'u2']);
    e.deletionObserved('k', 'u1');
    e.deletionObserved('k', 'u1');
    e.deletionObserved('k', 'other');
    e.deletionObserved('k', undefined);
    assert.deepEqual(e.pending('k'), { adds: 0, dels: 1 });
    assert.equal(e.satisfied('k'), false);
    e.deletionObserved('k', 'u2');
    assert.equal(e.satisfied('k'), true);
  });

  it('duplicate UIDs in one expectation are one deletion', () => {
    const { e } = fixture();
    e.expect('k', 0, ['u1', 'u1']);
    e.deletionObserved('k', 'u1');
    assert.equal(e.satisfied('k'), true);
  });

  it('a failed create lowers the count like an observed one', () => {
    const { e } = fixture();
    e.expect('k', 1, []);
    e.creationFailed('k');
    assert.equal(e.satisfied('k'), true);
  });

  it('expires strictly after the timeout so a lost event cannot stall the key', () => {
    const { e, clock } = fixture();
    e.expect('k', 3, []);
    clock.t += EXPECTATIONS_TIMEOUT_MS;
    assert.equal(e.satisfied('k'), false, 'not yet at exactly the timeout');
    clock.t += 1;
    assert.equal(e.satisfied('k'), true);
  });

  it('a new expectation replaces the old one and restarts its clock', () => {
    const { e, clock } = fixture();
    e.expect('k', 1, ['old']);
    clock.t += EXPECTATIONS_TIMEOUT_MS;
    e.expect('k', 1, ['new']);
    clock.t += 1;
    assert.equal(e.satisfied('k'), false);
    e.deletionObserved('k', 'old');
    assert.deepEqual(e.pending('k'), { adds: 1, dels: 1 });
  });

  it('observations for keys without a record are ignored; forget drops the record (recreated DaemonSet)', () => {
    const { e } = fixture();
    e.creationObserved('k');
    e.deletionObserved('k', 'u');
    assert.equal(e.pending('k'), undefined);
    e.expect('k', 5, ['u']);
    e.forget('k');
    assert.equal(e.satisfied('k'), true);
    assert.equal(e.pending('k'), undefined);
  });

  it('keys are independent', () => {
    const { e } = fixture();
    e.expect('a', 1, []);
    e.creationObserved('b');
    assert.equal(e.satisfied('a'), false);
    assert.equal(e.satisfied('b'), true);
  });

  it('a create whose outcome is unknown stays expected until observed or settled as never made', () => {
    const { e } = fixture();
    e.expect('k', 2, []);
    const a = { nodeName: 'n1', knownUids: [] }, b = { nodeName: 'n2', knownUids: ['x'] };
    e.creationUncertain('k', a);
    e.creationUncertain('k', b);
    assert.equal(e.satisfied('k'), false, 'an unknown outcome is not a failure');
    assert.deepEqual(e.uncertainCreates('k'), [a, b]);
    e.settleUncertain('k', a, true);
    assert.deepEqual(e.pending('k'), { adds: 2, dels: 0 }, 'it happened: the informer will show it');
    e.creationObserved('k');
    e.settleUncertain('k', b, false);
    e.settleUncertain('k', b, false);
    assert.deepEqual(e.pending('k'), { adds: 0, dels: 0 }, 'settled once');
    assert.equal(e.satisfied('k'), true);
    assert.deepEqual(e.uncertainCreates('k'), []);
  });

  it('uncertain creates of an expired record are not reported (the record no longer gates)', () => {
    const { clock, e } = fixture();
    e.expect('k', 1, []);
    e.creationUncertain('k', { nodeName: 'n', knownUids: [] });
    clock.t += EXPECTATIONS_TIMEOUT_MS + 1;
    assert.equal(e.satisfied('k'), true);
    assert.deepEqual(e.uncertainCreates('k'), []);
    e.expect('k', 0, []);
    assert.deepEqual(e.uncertainCreates('k'), [], 'a new record starts without them');
  });
});
