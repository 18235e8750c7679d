// Where the fuzzer sends requests: the embedded server in a child process of the fuzzer's own (the
// default), or any running server named by a kubeconfig.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import type https from 'node:https';
import type { Target } from './transport.js';
import type { Started } from './server-child.js';

function fromUrl(server: string): { host: string; port: number; prefix: string } {
  const u = new URL(server);
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 443), prefix: u.pathname.replace(/\/+$/, '') };
}

interface ServerChild { started: Started; dead(): string | undefined; stop(kill?: boolean): Promise<void> }

/** Forks server-child and waits for its address; `dead()` says how it ended if it ended unasked. */
async function forkServer(onDeath: () => void): Promise<ServerChild> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./server-child.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  const child = fork(entry, [], { execArgv: fromSource ? ['--import', 'tsx'] : [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  let dead: string | undefined;
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.on('exit', (code, signal) => {
    if (!stopping) {
      const tail = stderr.trim().split('\n').filter((l) => l.trim()).slice(0, 3).join(' | ');
      dead ??= `server process exited (${signal ?? `code ${code}`})${tail ? `: ${tail.slice(0, 400)}` : ''}`;
      onDeath();
    }
    resolve();
  }));
  const started = await new Promise<Started>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Started));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server process exited with code ${code} before it started: ${stderr.slice(-500)}`)));
  });
  return {
    started,
    dead: () => dead,
    async stop(kill = false) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (kill) { child.kill('SIGKILL'); await exited; return; }
      // A server whose event loop is stuck never reads 'stop': it gets a grace period, then SIGKILL.
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts the embedded cluster in a child process; `alive()` reports its crash or exit with the
 * start of its stderr, and `restart()` replaces a dead or stuck server with a fresh one.
 */
export async function inProcessTarget(): Promise<Target> {
  const deathWatchers: Array<() => void> = [];
  let server = await forkServer(() => deathWatchers.forEach((w) => w()));
  const t: Target = {
    host: '', port: 0, prefix: '',
    alive: () => server.dead(),
    onDeath: (f) => { deathWatchers.push(f); },
    async restart() {
      await server.stop(true); // it is dead or stuck: nothing to wait for
      server = await forkServer(() => deathWatchers.forEach((w) => w()));
      point();
    },
    close: () => server.stop(),
  };
  const point = () => Object.assign(t, fromUrl(server.started.url), { ca: server.started.caCertPem, authorization: `Bearer ${server.started.token}` });
  point();
  return t;
}

/** A server named by a kubeconfig file (its current context), with the kubeconfig's TLS and credentials. */
export async function kubeconfigTarget(file: string): Promise<Target> {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${file}: no current cluster`);
  const opts: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const auth = (opts.headers as Record<string, string | undefined>).Authorization;
  return {
    ...fromUrl(cluster.server), ca: opts.ca as string | undefined, cert: opts.cert as string | undefined, key: opts.key as string | undefined, authorization: auth,
    alive: () => undefined,
    async close() {},
  };
}
