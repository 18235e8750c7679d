// Runs the cluster's components in a worker thread as one Runnable of the main thread.
import { Worker } from 'node:worker_threads';
import type { Runnable } from '../kube/manager.js';
import type { ComponentsSpec } from './components.js';
import type { ToParent } from './component-worker.js';

export class ComponentsWorker implements Runnable {
  constructor(readonly name: string, private readonly spec: ComponentsSpec, private readonly kubeconfig: string, private readonly log: (line: string) => void) {}

  start(signal: AbortSignal): Promise<void> {
    // The same file extension as this module: .ts under tsx (tests, dev), .js once built.
    const fromSource = import.meta.url.endsWith('.ts');
    const entry = new URL(`./component-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
    const workerData = { spec: this.spec, kubeconfig: this.kubeconfig };
    // Under tsx (tests, development) Node 20 does not apply the parent's --import loader to a
    // worker's entry module, so a small bootstrap registers tsx in the worker first.
    const worker = fromSource
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true, workerData })
      : new Worker(entry, { workerData });
    return new Promise((resolve, reject) => {
      let failure: string | undefined;
      const onAbort = () => worker.postMessage('stop');
      signal.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (m: ToParent) => {
        if ('log' in m) this.log(m.log);
        else { failure = m.failed; this.log(`everynode: ${m.failed}`); }
      });
      worker.on('error', (err) => { signal.removeEventListener('abort', onAbort); reject(err); });
      worker.on('exit', (code) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) resolve();
        else reject(new Error(failure ?? `${this.name} worker exited with code ${code}`));
      });
    });
  }
}
