// A node:test reporter that prints, after the run, the test files that took longest (the sum of
// their top-level tests' wall time), so that whoever keeps the suite within its time budget
// sees where the time goes. Used beside the default reporter by run-tests.mjs.
export default async function* durations(source) {
  const byFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      byFile.set(event.data.file, (byFile.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const top = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const total = [...byFile.values()].reduce((a, b) => a + b, 0);
  yield `\n# slowest test files (of ${byFile.size}, ${(total / 1000).toFixed(0)} s in all, two at a time):\n`;
  for (const [file, ms] of top) yield `#   ${(ms / 1000).toFixed(1).padStart(6)} s  ${file.replace(process.cwd() + '/', '')}\n`;
}
