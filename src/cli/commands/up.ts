// `everynode up`: the embedded cluster in the foreground until Ctrl-C / SIGTERM.
import { Command, Option } from '@commander-js/extra-typings';
import { resolve } from 'node:path';
import { startCluster } from '../../cluster/cluster.js';
import { lockDataDir, restrictDataDirFiles } from '../../cluster/datadir.js';
import { clusterConfigFor } from '../../nodes/cluster-config.js';

function nonNegativeInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
    return Number(v);
  };
}

export function upCommand() {
  return new Command('up')
    .description('Start the embedded cluster (API server, simulated nodes, scheduler, DaemonSet controller) in the foreground')
    .addOption(new Option('--port <port>', 'HTTPS port (0 picks a free one)').default(6443).argParser(nonNegativeInt('--port')))
    .option('--address <ip>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where state, certificates and the kubeconfig live', './.everynode')
    .option('--kubeconfig <path>', 'where to write the kubeconfig (default <data-dir>/kubeconfig)')
    .addOption(new Option('--fsync <mode>', 'normal: a commit survives the process dying, a power loss may drop the newest ones; always: fsync every commit').choices(['normal', 'always'] as const).default('normal' as const))
    .option('--in-memory', 'keep state in memory only (nothing written but the kubeconfig)', false)
    .addOption(new Option('--nodes <n>', 'number of simulated nodes').default(0).argParser(nonNegativeInt('--nodes')))
    .option('--config <file>', 'cluster file describing node pools (see examples/cluster.yaml)')
    .option('--no-controller', 'do not run the DaemonSet controller')
    .option('--no-scheduler', 'do not run the scheduler')
    .addOption(new Option('--dashboard-port <port>', 'port of the web dashboard on 127.0.0.1 (0 picks a free one)').default(0).argParser(nonNegativeInt('--dashboard-port')))
    .option('--no-dashboard', 'do not serve the web dashboard')
    .option('--bind-directly', 'the DaemonSet controller sets spec.nodeName itself instead of leaving pods to the scheduler', false)
    .action(async (o) => {
      const dataDir = resolve(o.dataDir);
      // Everything that can be refused is refused before anything starts or is written: the
      // cluster the flags describe, --nodes alone too (it can overflow nodeAddressCIDR).
      clusterConfigFor(o.config, o.nodes);
      // Locked even --in-memory: the kubeconfig is written there and must not replace a running cluster's.
      const lock = lockDataDir(dataDir);
      try {
        await runUp(o, dataDir);
      } finally {
        lock.release();
      }
    });
}

type UpOptions = ReturnType<ReturnType<typeof upCommand>['opts']>;

async function runUp(o: UpOptions, dataDir: string): Promise<void> {
  const kubeconfig = resolve(o.kubeconfig ?? `${dataDir}/kubeconfig`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const cluster = await startCluster({
    dataDir: o.inMemory ? null : dataDir, fsync: o.fsync, address: o.address, port: o.port, kubeconfigPath: kubeconfig,
    nodes: o.nodes, configFile: o.config, controller: o.controller, scheduler: o.scheduler, bindDirectly: o.bindDirectly,
    dashboardPort: o.dashboard ? o.dashboardPort : undefined,
    log: (line) => console.error(line),
  }).catch((err: unknown) => { throw listenError(err, o.address, o.port); });
  restrictDataDirFiles(dataDir);
  console.log(`everynode: cluster ready at ${cluster.url}`);
  console.log(`everynode: kubeconfig written to ${kubeconfig}`);
  // The token in the fragment: the browser never sends it to the server, the page keeps it.
  if (cluster.dashboardUrl) console.log(`everynode: dashboard at ${cluster.dashboardUrl}/#token=${encodeURIComponent(cluster.token)}`);
  console.log('To use it with kubectl:');
  console.log(`  export KUBECONFIG=${kubeconfig}`);
  console.log('  kubectl get nodes');
  console.log('Press Ctrl-C to stop.');
  const { componentFailures } = await cluster.run(stop.signal);
  console.error('everynode: stopped');
  // A component that failed was restarted and the API kept serving, but the run was not
  // clean: exit non-zero (main.ts turns a rejected command into exit 1) so a supervisor sees it.
  if (componentFailures > 0) throw new Error(`${componentFailures} component failure(s) during the run (see the log above)`);
}

/** A port that cannot be had is one line saying which and what to do, not a stack from listen(). */
function listenError(err: unknown, address: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new Error(`port ${port} on ${address} is already in use; stop what is listening there or pick another port (--port 0 picks a free one)`);
  if (code === 'EACCES') return new Error(`no permission to listen on port ${port} on ${address}; pick a port above 1023 (--port 0 picks a free one)`);
  if (code === 'EADDRNOTAVAIL') return new Error(`address ${address} is not an address of this machine (--address)`);
  return err;
}
