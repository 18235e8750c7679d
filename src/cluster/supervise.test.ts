import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { supervise } from './supervise.js';
import type { Runnable } from '../kube/manager.js';

/** A part that fails (throws, or returns by itself) on its first starts, then runs until stopped. */
class Flaky implements Runnable {
  readonly name = 'flaky';
  starts = 0;
  constructor(private readonly failures: ('throw' | 'return')[], private readonly onRunning: () => void) {}
  async start(signal: AbortSignal): Promise<void> {
    const mode = this.failures[this.starts++];
    if (mode === 'throw') throw new Error(`boom ${this.starts}`);
    if (mode === 'return') return;
    this.onRunning();
    if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  }
}

describe('supervise', () => {
  it('restarts a failed part with doubling back-off and counts the failures', async () => {
    const ac = new AbortController();
    const logs: string[] = [];
    const part = new Flaky(['throw', 'return', 'throw'], () => ac.abort());
    const n = await supervise(part, ac.signal, (l) => logs.push(l), { initialBackoffMs: 1, maxBackoffMs: 3 });
    assert.equal(n, 3);
    assert.equal(part.starts, 4);
    assert.match(logs.join('\n'), /flaky failed: Error: boom 1/);
    assert.match(logs.join('\n'), /flaky failed: Error: stopped by itself/);
    assert.deepEqual(logs.filter((l) => l.includes('restarting')).map((l) => /in (\d+) ms/.exec(l)![1]), ['1', '2', '3']);
  });

  it('counts nothing for a part that runs until it is stopped', async () => {
    const ac = new AbortController();
    const part = new Flaky([], () => ac.abort());
    assert.equal(await supervise(part, ac.signal, () => {}), 0);
    assert.equal(part.starts, 1);
  });

  it('stops waiting for a restart as soon as it is told to stop', async () => {
    const ac = new AbortController();
    const part = new Flaky(['throw'], () => {});
    const run = supervise(part, ac.signal, () => ac.abort(), { initialBackoffMs: 3_600_000 });
    assert.equal(await run, 1);
    assert.equal(part.starts, 1);
  });

  it('resets the back-off after a long enough run', async () => {
    const ac = new AbortController();
    let t = 0;
    const logs: string[] = [];
    const part: Runnable = { name: 'slow', start: async () => { t += 100; if (logs.length >= 6) ac.abort(); throw new Error('x'); } };
    await supervise(part, ac.signal, (l) => logs.push(l), { initialBackoffMs: 1, maxBackoffMs: 8, resetAfterMs: 100, now: () => t });
    assert.deepEqual(logs.filter((l) => l.includes('restarting')).map((l) => /in (\d+) ms/.exec(l)![1]), ['1', '1', '1']);
  });
});
