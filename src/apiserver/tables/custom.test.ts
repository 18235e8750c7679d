import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customResourceConvertor, parseSimpleJsonPath } from './custom.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

test('parseSimpleJsonPath accepts dotted fields and indices only', () => {
  assert.deepEqual(parseSimpleJsonPath('.spec.replicas'), ['spec', 'replicas']);
  assert.deepEqual(parseSimpleJsonPath('.status.conditions[0].type'), ['status', 'conditions', 0, 'type']);
  assert.equal(parseSimpleJsonPath(''), undefined);
  assert.equal(parseSimpleJsonPath('spec'), undefined);
  assert.equal(parseSimpleJsonPath('.items[*].name'), undefined);
});

test('custom resources without printer columns show Name and Age', () => {
  const conv = customResourceConvertor(undefined);
  assert.deepEqual(conv.columns.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Age', 'date', '']]);
  assert.deepEqual(conv.cells({ metadata: { name: 'w', creationTimestamp: '2024-05-01T11:58:00Z' } }, NOW), ['w', '2m']);
  assert.deepEqual(conv.cells({ metadata: { name: 'w' } }, NOW), ['w', null]);
});

test('additionalPrinterColumns render by type, missing values as null', () => {
  const conv = customResourceConvertor([
    { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 1, description: 'phase' },
    { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
    { name: 'Ratio', type: 'number', jsonPath: '.status.ratio' },
    { name: 'Tags', type: 'string', jsonPath: '.spec.tags' },
    { name: 'First', type: 'string', jsonPath: '.spec.tags[0]' },
    { name: 'Seen', type: 'date', jsonPath: '.status.seen' },
  ]);
  assert.deepEqual(conv.columns[2], { name: 'Phase', type: 'string', format: '', description: 'phase', priority: 1 });
  const obj = { metadata: { name: 'w' }, spec: { size: 3, tags: ['a', 'b'] }, status: { ready: true, ratio: 0.5, seen: '2024-05-01T09:00:00Z' } };
  assert.deepEqual(conv.cells(obj, NOW), ['w', 3, null, true, 0.5, '["a","b"]', 'a', '3h']);
});
