// `everynode node stop|start|delete|ready|notready|pressure NAME`: fault injection on simulated
// nodes. Each verb sets or clears a fault annotation (src/nodes/node.ts) through the API, so the
// same effects are available to kubectl users (`kubectl annotate node ...`).
import { Command } from '@commander-js/extra-typings';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { RawClient, isNotFound } from '../../kube/client.js';
import { FAULT_ANNOTATIONS } from '../../nodes/node.js';

export const PRESSURE_KINDS = ['memory', 'disk', 'pid'] as const;

/** The annotation merge patch for a verb (null removes); undefined for `delete`, which deletes the Node. */
export function faultPatch(verb: string, arg?: string): Record<string, string | null> | undefined {
  switch (verb) {
    case 'stop': return { [FAULT_ANNOTATIONS.heartbeat]: 'stopped' };
    case 'start': return { [FAULT_ANNOTATIONS.heartbeat]: null };
    case 'notready': return { [FAULT_ANNOTATIONS.ready]: 'false' };
    case 'ready': return { [FAULT_ANNOTATIONS.ready]: null };
    case 'pressure': {
      const kinds = (arg ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (kinds.length === 1 && kinds[0] === 'none') return { [FAULT_ANNOTATIONS.pressure]: null };
      const bad = kinds.find((k) => !(PRESSURE_KINDS as readonly string[]).includes(k));
      if (!kinds.length || bad) throw new Error(`pressure must be a comma list of ${PRESSURE_KINDS.join(', ')} or "none"${bad ? `, got "${bad}"` : ''}`);
      return { [FAULT_ANNOTATIONS.pressure]: kinds.join(',') };
    }
    case 'delete': return undefined;
    default: throw new Error(`unknown node action "${verb}"`);
  }
}

function loadKubeConfig(path: string | undefined): KubeConfig {
  const file = resolve(path ?? process.env.KUBECONFIG?.split(':')[0] ?? './.everynode/kubeconfig');
  if (!existsSync(file)) throw new Error(`kubeconfig ${file} not found (is "everynode up" running? use --kubeconfig)`);
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

async function act(verb: string, name: string, arg: string | undefined, kubeconfig: string | undefined): Promise<void> {
  const patch = faultPatch(verb, arg);
  const client = new RawClient(loadKubeConfig(kubeconfig));
  const path = `/api/v1/nodes/${encodeURIComponent(name)}`;
  try {
    if (patch) await client.request('PATCH', path, { metadata: { annotations: patch } }, 'application/merge-patch+json');
    else await client.request('DELETE', path);
  } catch (err) {
    if (isNotFound(err)) throw new Error(`node "${name}" not found`);
    throw new Error(err instanceof Error ? err.message.split('\n')[0] : String(err));
  } finally {
    client.close();
  }
  console.log(`node/${name} ${verb === 'delete' ? 'deleted' : `${verb}${arg ? ` ${arg}` : ''}`}`);
}

export function nodeCommand() {
  const cmd = new Command('node').description('Inject faults into simulated nodes (or delete them)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default $KUBECONFIG, then ./.everynode/kubeconfig)');
  const verbs: [string, string][] = [
    ['stop', 'stop heartbeats: the node goes Unknown after the grace period'],
    ['start', 'resume heartbeats'],
    ['notready', 'report Ready=False'],
    ['ready', 'report Ready=True again'],
    ['delete', 'delete the Node (its simulation stops)'],
  ];
  for (const [verb, help] of verbs) {
    cmd.command(verb).description(help).argument('<name>', 'node name')
      .action(async (name) => act(verb, name, undefined, cmd.opts().kubeconfig));
  }
  cmd.command('pressure').description('report pressure conditions (memory,disk,pid) or clear them (none)')
    .argument('<name>', 'node name').argument('<kinds>', 'comma list of memory, disk, pid, or none')
    .action(async (name, kinds) => act('pressure', name, kinds, cmd.opts().kubeconfig));
  return cmd;
}
