#!/usr/bin/env node
// `kubectl everynode …`: kubectl runs any executable named kubectl-<name> on PATH as a plugin,
// with the remaining arguments and kubectl's environment (KUBECONFIG included). It is the
// everynode command itself (package.json "bin" installs both).
await import('./everynode.mjs');
