// Worker-thread entry: builds the cluster's components from a ComponentsSpec and runs them until
// the parent says stop. They reach the API server over HTTPS like any other client.
import { parentPort, workerData } from 'node:worker_threads';
import { KubeConfig } from '@kubernetes/client-node';
import { componentsManager, type ComponentsSpec } from './components.js';

export type ToParent = { log: string } | { failed: string };

const { spec, kubeconfig } = workerData as { spec: ComponentsSpec; kubeconfig: string };
const port = parentPort!;
const send = (m: ToParent) => port.postMessage(m);
const stop = new AbortController();
port.on('message', (m: unknown) => { if (m === 'stop') stop.abort(); });

const kubeConfig = () => { const k = new KubeConfig(); k.loadFromString(kubeconfig); return k; };
const { failed } = await componentsManager(kubeConfig, spec, (line) => send({ log: line })).start(stop.signal);
if (failed) send({ failed: `${failed.name}: ${failed.error instanceof Error ? failed.error.stack ?? failed.error.message : String(failed.error)}` });
// Idle keep-alive sockets and client timers must not keep the thread alive once every part has
// stopped; in a worker, process.exit ends this thread only.
process.exit(0);
