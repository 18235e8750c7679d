import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Broadcaster } from './broadcaster.js';

describe('Broadcaster', () => {
  it('isolates throwing subscribers and reports their errors', () => {
    const errors: unknown[] = [];
    const b = new Broadcaster<number>((err) => errors.push(err));
    const got: number[][] = [];
    b.subscribe(() => { throw new Error('boom'); });
    b.subscribe((batch) => got.push(batch));
    b.publish([1]);
    assert.deepEqual(got, [[1]]);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['boom']);
  });

  it('delivers a batch published from inside a subscriber after the current one reached everyone', () => {
    const b = new Broadcaster<number>(() => {});
    const log: string[] = [];
    b.subscribe((batch) => {
      log.push(`first ${batch}`);
      if (batch[0] === 1) b.publish([2]);
    });
    b.subscribe((batch) => log.push(`second ${batch}`));
    b.publish([1]);
    assert.deepEqual(log, ['first 1', 'second 1', 'first 2', 'second 2']);
  });

  it('unsubscribe takes effect immediately, even mid-delivery, and only for that subscription', () => {
    const b = new Broadcaster<number>(() => {});
    const got: number[] = [];
    const fn = (batch: number[]) => got.push(...batch);
    const offA = b.subscribe(fn);
    b.subscribe(fn);
    let offC = () => {};
    b.subscribe(() => offC());
    offC = b.subscribe(fn);
    b.publish([1]);
    assert.deepEqual(got, [1, 1], 'the subscriber removed during delivery did not get the batch');
    offA();
    offA();
    b.publish([2]);
    assert.deepEqual(got, [1, 1, 2]);
    assert.equal(b.size, 2);
  });

  it('a throwing error reporter does not break delivery', () => {
    const b = new Broadcaster<number>(() => { throw new Error('reporter'); });
    const got: number[] = [];
    b.subscribe(() => { throw new Error('boom'); });
    b.subscribe((batch) => got.push(...batch));
    b.publish([1]);
    b.publish([2]);
    assert.deepEqual(got, [1, 2]);
  });
});
