import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allowed, verify, type Content, type Model, type ObjectModel, type Version } from './model.js';
import { nextRequest, rng, contentOf, WRITE_ANNOTATION } from './workload.js';

const c = (w: string, fields: Record<string, string> = { v: w }): Content => ({ w, fields });
const v = (rv: number, w: string): Version => ({ rv, content: c(w) });

describe('allowed: the states an object may be in after a crash', () => {
  it('the acknowledged state, exactly', () => {
    const m: ObjectModel = { acked: v(5, 'a') };
    assert.equal(allowed(m, v(5, 'a')), true);
    assert.equal(allowed(m, v(6, 'a')), false, 'same write at another revision');
    assert.equal(allowed(m, { rv: 5, content: c('a', { v: 'other' }) }), false, 'same write, other payload');
    assert.equal(allowed(m, null), false, 'an acknowledged write vanished');
  });

  it('an acknowledged delete stays deleted', () => {
    assert.equal(allowed({ acked: null }, null), true);
    assert.equal(allowed({ acked: null }, v(3, 'old')), false);
  });

  it('an unanswered write may or may not have applied, but only as that write, after the acknowledged revision', () => {
    const m: ObjectModel = { acked: v(5, 'a'), inflight: { exists: true, content: c('b') } };
    assert.equal(allowed(m, v(5, 'a')), true);
    assert.equal(allowed(m, v(9, 'b')), true);
    assert.equal(allowed(m, v(4, 'b')), false, 'revisions never go backwards');
    assert.equal(allowed(m, v(9, 'c')), false, 'nobody wrote c');
    assert.equal(allowed(m, null), false);
    const del: ObjectModel = { acked: v(5, 'a'), inflight: { exists: false } };
    assert.equal(allowed(del, null), true);
    assert.equal(allowed(del, v(5, 'a')), true);
  });
});

describe('verify', () => {
  it('reports objects nobody wrote and resolves the model to what was observed', () => {
    const model: Model = new Map([['configmaps/x', { acked: v(2, 'a'), inflight: { exists: false } }]]);
    const observed = new Map([['configmaps/y', v(7, 'z')]]);
    const verdict = verify(model, observed);
    assert.deepEqual(verdict.violations.map((x) => [x.key, x.kind]), [['configmaps/y', 'unexpected']]);
    assert.deepEqual(verdict.next.get('configmaps/x'), { acked: null });
    assert.deepEqual(verdict.next.get('configmaps/y'), { acked: v(7, 'z') });
    assert.equal(verdict.checked, 2);
  });

  // A reference server applies each request of the workload in order; the crash cuts the history
  // at a random point, with the last request applied or not. Whatever the cut, verify accepts the
  // surviving state, and it rejects it once any acknowledged write is rolled back.
  it('accepts every crash cut of a history and rejects a lost acknowledged write', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), (seed, steps, lastApplied) => {
      const random = rng(seed);
      const kinds = ['configmaps', 'secrets', 'pods'] as const;
      const key = `${kinds[seed % 3]}/o`;
      const kind = kinds[seed % 3];
      const m: ObjectModel = { acked: null };
      let server: Version | null = null;
      let rev = 0;
      const history: Array<Version | null> = [null];
      for (let i = 1; i <= steps; i++) {
        const req = nextRequest(random, key, m, `w${i}`);
        const crashHere = i === steps;
        if (crashHere) m.inflight = req.outcome;
        if (!crashHere || lastApplied) {
          // What the real server stores: read back through contentOf from the wire object.
          server = req.outcome.exists ? { rv: ++rev, content: req.outcome.content } : null;
          if (server) assert.deepEqual(contentOf(kind, wire(kind, server.content)), server.content);
        }
        if (!crashHere) { m.acked = server; history.push(server); }
      }
      const observed = new Map(server ? [[key, server]] : []);
      assert.deepEqual(verify(new Map([[key, m]]), observed).violations, []);
      // Roll back to an older acknowledged state that differs from the newest: a loss.
      const older = history.slice(0, -1).find((h) => h === null ? m.acked !== null : m.acked === null || h.rv !== m.acked.rv);
      if (older !== undefined && !(m.inflight?.exists === false && older === null)) {
        const rolledBack = new Map(older ? [[key, older]] : []);
        assert.equal(verify(new Map([[key, { ...m }]]), rolledBack).violations.length, 1);
      }
    }), { numRuns: 300 });
  });
});

/** The object as the API server returns it, for contentOf. */
function wire(kind: string, content: Content): Record<string, unknown> {
  const metadata = { annotations: { [WRITE_ANNOTATION]: content.w } };
  if (kind === 'pods') return { metadata: { ...metadata, labels: content.fields } };
  if (kind === 'secrets') {
    return { metadata, data: Object.fromEntries(Object.entries(content.fields).map(([k, x]) => [k, Buffer.from(x).toString('base64')])) };
  }
  return { metadata, data: content.fields };
}
