// A short fuzz run with a fixed seed against an in-process server: any 5xx, hang, crash or probe
// failure fails the test, with the fuzzer's report (requests, minimised reproducers) as the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../../src/reliability/fuzz/runner.js';
import { inProcessTarget } from '../../src/reliability/fuzz/target.js';
import { formatReport } from '../../src/reliability/fuzz/report.js';
import { generators } from '../../src/reliability/fuzz/generators.js';

test('fuzz smoke: 2,000 hostile requests (seed 1) get no 5xx, no hang, no crash, and the probes keep passing', { timeout: 300_000 }, async () => {
  const target = await inProcessTarget();
  try {
    const report = await runFuzz(target, { requests: 2_000, seed: 1, concurrency: 8, batch: 500, maxSeconds: 240 });
    const text = formatReport(report);
    assert.equal(report.stopped, undefined, text);
    assert.equal(report.requests, 2_000, text);
    // Every generator ran, so a generator that broke (threw, or never drew) cannot pass unnoticed.
    assert.deepEqual(Object.keys(report.byGenerator).sort(), generators.map(([, name]) => name).sort(), text);
    // A connection error other than a reset (the server may answer early, e.g. 413, and close) is a
    // request the client could not send (a fuzzer bug) or an answer that is not HTTP (a server bug).
    assert.deepEqual(Object.keys(report.byStatus).filter((s) => s.startsWith('error:') && !/^error:(ECONNRESET|EPIPE)$/.test(s)), [], text);
    assert.deepEqual(report.defects.map((d) => `[${d.type}] ${d.message}`), [], text);
  } finally {
    await target.close();
  }
});
