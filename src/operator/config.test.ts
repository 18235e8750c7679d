import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration, runConfig, type ControllerFlags } from './config.js';

const flags = (o: Partial<ControllerFlags> = {}): ControllerFlags => ({
  leaderElectId: 'everynode-controller', leaderElectLeaseDuration: '15s', leaderElectRenewDeadline: '10s', leaderElectRetryPeriod: '2s', workers: '4', ...o,
});
const outside = { inCluster: false, serviceAccountNamespace: undefined };
const inside = { inCluster: true, serviceAccountNamespace: 'everynode-system' };

test('Go durations', () => {
  assert.equal(parseGoDuration('15s'), 15_000);
  assert.equal(parseGoDuration('500ms'), 500);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('0'), 0);
  for (const bad of ['', '15', 's', '15x', '1s2', '-1s', ' 1s']) assert.equal(parseGoDuration(bad), undefined, bad);
});

test("defaults: leader election on with client-go's timings; endpoints off outside a cluster, :8080/:8081 inside", () => {
  const out = runConfig(flags(), outside);
  assert.deepEqual(out.election, { namespace: 'kube-system', name: 'everynode-controller', timings: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } });
  assert.equal(out.metrics, undefined);
  assert.equal(out.probes, undefined);
  assert.equal(out.gracefulShutdownMs, 30_000, "controller-runtime's GracefulShutdownTimeout");
  assert.equal(runConfig(flags({ gracefulShutdownTimeout: '5s' }), outside).gracefulShutdownMs, 5_000);
  const inc = runConfig(flags(), inside);
  assert.equal(inc.election?.namespace, 'everynode-system', "in a cluster the lease lives in the pod's namespace");
  assert.deepEqual(inc.metrics, { host: undefined, port: 8080 });
  assert.deepEqual(inc.probes, { host: undefined, port: 8081 });
});

test('explicit flags win; --leader-elect=false turns election off; "" turns an endpoint off', () => {
  const c = runConfig(flags({ leaderElect: 'false', metricsBindAddress: '127.0.0.1:0', healthProbeBindAddress: '' }), inside);
  assert.equal(c.election, undefined);
  assert.deepEqual(c.metrics, { host: '127.0.0.1', port: 0 });
  assert.equal(c.probes, undefined);
  assert.equal(runConfig(flags({ leaderElect: true, leaderElectNamespace: 'ops' }), inside).election?.namespace, 'ops');
});

test('bad flags are one-line errors', () => {
  const cases: [Partial<ControllerFlags>, RegExp][] = [
    [{ workers: '0' }, /--workers must be a positive integer/],
    [{ leaderElect: 'yes' }, /--leader-elect must be true or false/],
    [{ leaderElectLeaseDuration: 'soon' }, /--leader-elect-lease-duration must be a duration/],
    [{ leaderElectLeaseDuration: '10s' }, /leaseDuration must be greater than renewDeadline/],
    [{ leaderElectRetryPeriod: '9s' }, /renewDeadline must be greater than retryPeriod/],
    [{ leaderElectId: 'Not_A_Name' }, /--leader-elect-id must be a lowercase DNS subdomain/],
    [{ metricsBindAddress: '8080' }, /--metrics-bind-address: invalid bind address "8080"/],
    [{ gracefulShutdownTimeout: 'never' }, /--graceful-shutdown-timeout must be a duration/],
  ];
  for (const [o, re] of cases) assert.throws(() => runConfig(flags(o), outside), (e: Error) => re.test(e.message) && !e.message.includes('\n'), JSON.stringify(o));
  // With election off its timings are not checked.
  assert.doesNotThrow(() => runConfig(flags({ leaderElect: 'false', leaderElectLeaseDuration: '1s' }), outside));
});

test('--rollouts and --daemonsets: both on by default, true/false only, not both off', () => {
  const d = runConfig(flags(), outside);
  assert.equal(d.rollouts, true);
  assert.equal(d.daemonSets, true);
  assert.equal(runConfig(flags({ rollouts: 'false' }), outside).rollouts, false);
  assert.equal(runConfig(flags({ daemonsets: false }), outside).daemonSets, false);
  assert.throws(() => runConfig(flags({ rollouts: 'yes' }), outside), /^Error: --rollouts must be true or false, got "yes"$/);
  assert.throws(() => runConfig(flags({ rollouts: 'false', daemonsets: 'false' }), outside), /leave nothing to run/);
});

test('--dashboard-bind-address: off by default, in a cluster too; host:port when given', () => {
  assert.equal(runConfig(flags(), outside).dashboard, undefined);
  assert.equal(runConfig(flags(), inside).dashboard, undefined);
  assert.deepEqual(runConfig(flags({ dashboardBindAddress: '127.0.0.1:0' }), outside).dashboard, { host: '127.0.0.1', port: 0 });
  assert.deepEqual(runConfig(flags({ dashboardBindAddress: ':8082' }), inside).dashboard, { host: undefined, port: 8082 });
  assert.throws(() => runConfig(flags({ dashboardBindAddress: 'nope' }), outside), /--dashboard-bind-address: invalid bind address/);
});
