import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESULTS_MARKER, appendRun, percentile, renderSection, renderTable, type Row } from './report.js';
import { parseCpuTicks } from './proc.js';

test('nearest-rank percentiles', () => {
  const v = Array.from({ length: 200 }, (_, i) => 200 - i); // 1..200, unsorted
  assert.equal(percentile(v, 50), 100);
  assert.equal(percentile(v, 99), 198);
  assert.equal(percentile(v, 100), 200);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

const row: Row = { scenario: 'converge', nodes: 1000, storage: 'memory', result: '1.00 s', detail: 'a | b', target: 'met (≤ 8 s)', problems: [] };

test('the table escapes pipes and shows failed checks', () => {
  const t = renderTable([row, { ...row, problems: ['x', 'y'] }]).split('\n');
  assert.equal(t.length, 4);
  assert.match(t[2], /a \\\| b/);
  assert.match(t[2], /\| ok \|$/);
  assert.match(t[3], /FAILED: x; y/);
});

test('appending keeps earlier content and runs', () => {
  const machine = { cores: 2, cpuModel: 'cpu', memoryGiB: 8, node: 'v20', platform: 'linux/x64' };
  const first = appendRun(undefined, renderSection([row], machine, '2024-01-01T00:00:00Z', 'bench --quick'));
  assert.ok(first.includes(RESULTS_MARKER));
  const handEdited = first.replace('# everynode benchmark results', '# everynode benchmark results\n\n## Idle nodes\nkept');
  const second = appendRun(handEdited, renderSection([row], machine, '2024-02-02T00:00:00Z', 'bench'));
  assert.ok(second.includes('## Idle nodes\nkept'));
  assert.ok(second.indexOf('## Run 2024-01-01') < second.indexOf('## Run 2024-02-02'));
  assert.equal(second.split(RESULTS_MARKER).length, 2, 'one marker only');
});

test('/proc stat parsing survives spaces and parentheses in the command name', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field numbers from 3
  assert.equal(parseCpuTicks(`123 (node (x) y) ${fields.join(' ')}`), 14 + 15);
});
