#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's built-in runner.
// Node 20's --test takes no globs and silently runs zero tests when given none, so we
// list the files ourselves and refuse to run an empty suite.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out = []) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) find(p, out);
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2);
const files = only.length ? only : [...find('src'), ...find('test')].sort();
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// Where the time went, for keeping the suite within its budget (read it after a run).
const durationsFile = 'node_modules/.cache/everynode-test-durations.txt';
mkdirSync('node_modules/.cache', { recursive: true });
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=tap', '--test-reporter-destination=stdout', '--test-reporter=./scripts/test-durations.mjs', `--test-reporter-destination=${durationsFile}`, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
