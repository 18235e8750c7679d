// Worker-thread entry: builds the cluster's components from a ComponentsSpec and runs them until
// the parent says stop. They reach the API server over HTTPS like any other client.
import { parentPort, workerData } from 'node:worker_threads';
import { KubeConfig } from '@kubernetes/client-node';
import { buildComponents, type ComponentsSpec } from './components.js';
import { runAll } from '../kube/manager.js';

export type ToParent = { log: string } | { failed: string };

const { spec, kubeconfig } = workerData as { spec: ComponentsSpec; kubeconfig: string };
const port = parentPort!;
const send = (m: ToParent) => port.postMessage(m);
const stop = new AbortController();
port.on('message', (m: unknown) => { if (m === 'stop') stop.abort(); });

const kubeConfig = () => { const k = new KubeConfig(); k.loadFromString(kubeconfig); return k; };
const parts = buildComponents(kubeConfig, spec, (line) => send({ log: line }));
await runAll(parts, stop.signal, (name, err) => send({ failed: `${name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}` }));
// Idle keep-alive sockets and client timers must not keep the thread alive once every part has
// stopped; in a worker, process.exit ends this thread only.
process.exit(0);
