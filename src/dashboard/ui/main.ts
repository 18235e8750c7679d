// The dashboard page: counts, the heat-map, each rollout's waves on a timeline, the blockers,
// and the details of a node on click. Preact for the tables, a canvas for the cells (heatmap.ts).
// Written with h() rather than JSX so that the project's tsconfig needs no JSX settings.
import { h, render, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Counts, NodeDetails, NodeView, RolloutEntry, StreamMessage, WaveEntry } from '../types.js';
import { NODE_STATES } from '../types.js';
import { applyDelta } from '../derive.js';
import { Heatmap, STATE_COLOURS } from './heatmap.js';
import { connect, takeToken } from './stream.js';

interface Fleet { nodes: NodeView[]; counts: Counts | undefined; total: number; rollouts: RolloutEntry[]; version: number }

/** The fleet as the stream tells it, outside Preact (the heat-map reads it every frame). */
const fleet: Fleet = { nodes: [], counts: undefined, total: 0, rollouts: [], version: 0 };

function applyMessage(m: StreamMessage, map: Heatmap | undefined): { touched: Set<string> } {
  const touched = new Set<string>();
  if (m.type === 'snapshot') {
    fleet.nodes = m.nodes; fleet.rollouts = m.rollouts;
    map?.set(fleet.nodes, true);
  } else {
    const layoutChanged = m.remove.length > 0 || m.upsert.some((n) => !fleet.nodes.some((o) => o.name === n.name && o.zone === n.zone && o.pool === n.pool));
    // A delta that only changes states keeps the order: patch in place instead of re-sorting.
    if (layoutChanged) fleet.nodes = applyDelta(fleet.nodes, m);
    else {
      const index = new Map(fleet.nodes.map((n, i) => [n.name, i]));
      fleet.nodes = fleet.nodes.slice();
      for (const n of m.upsert) fleet.nodes[index.get(n.name)!] = n;
    }
    for (const n of m.upsert) touched.add(n.name);
    if (m.rollouts) fleet.rollouts = m.rollouts;
    map?.set(fleet.nodes, layoutChanged);
  }
  fleet.counts = m.counts; fleet.total = m.total; fleet.version++;
  return { touched };
}

const fmtAge = (iso: string, now: number) => {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};

function Counter({ counts, total }: { counts: Counts | undefined; total: number }) {
  return h('div', { id: 'counts', style: 'display:flex;gap:14px;flex-wrap:wrap' },
    h('span', { class: 'count' }, 'nodes ', h('b', { 'data-count': 'total' }, String(total))),
    NODE_STATES.map((s) => h('span', { class: 'count', key: s },
      h('span', { class: 'swatch', style: `background:${STATE_COLOURS[s]}` }), `${s} `, h('b', { 'data-count': s }, String(counts?.[s] ?? 0)))));
}

const WAVE_COLOURS: Record<string, string> = { Complete: '#2ea043', Progressing: '#388bfd', Baking: '#3fb950', WaitingApproval: '#d29922', Pending: '#484f58' };

function Timeline({ r, now }: { r: RolloutEntry; now: number }) {
  const times = r.waves.flatMap((w) => [w.startedAt, w.completedAt, w.bakedAt]).filter((t): t is string => !!t).map(Date.parse).filter(Number.isFinite);
  const t0 = times.length ? Math.min(...times) : now;
  const t1 = Math.max(now, ...times, t0 + 1000);
  const pct = (t: number) => `${(100 * (t - t0)) / (t1 - t0)}%`;
  const bar = (w: WaveEntry) => {
    if (!w.startedAt) return h('div', { class: 'bar' });
    const s = Date.parse(w.startedAt), e = Date.parse(w.bakedAt ?? w.completedAt ?? '') || now;
    return h('div', { class: 'bar', title: `${w.startedAt} → ${w.bakedAt ?? w.completedAt ?? 'now'}` },
      h('span', { style: `left:${pct(s)};width:max(3px, calc(${pct(e)} - ${pct(s)}));background:${WAVE_COLOURS[w.state] ?? '#388bfd'}` }));
  };
  return h('div', { class: 'timeline', 'data-rollout': r.key },
    h('div', null, h('b', null, r.key), ' ', h('span', { 'data-phase': r.phase }, r.phase || 'Unknown'), r.currentWave ? ` · wave ${r.currentWave}` : '',
      r.fromRevision || r.toRevision ? h('span', { class: 'mute' }, ` · ${r.fromRevision || '?'} → ${r.toRevision || '?'}`) : ''),
    r.failure ? h('div', { class: 'error', style: 'padding:2px 0' }, r.failure) : null,
    h('table', null,
      h('tr', null, ['wave', 'nodes', 'updated', 'ready', 'failed', 'state', ''].map((c) => h('th', null, c))),
      r.waves.map((w) => h('tr', { key: w.name, 'data-wave': w.name, 'data-state': w.state },
        h('td', null, w.name), h('td', null, w.nodes), h('td', null, w.updated), h('td', null, w.ready), h('td', null, w.failed), h('td', null, w.state),
        h('td', { style: 'width:40%' }, bar(w))))));
}

function Blockers({ rollouts, now, pick }: { rollouts: RolloutEntry[]; now: number; pick: (n: string) => void }) {
  const rows = rollouts.flatMap((r) => r.blockers.map((b) => ({ ...b, rollout: r.key })));
  const total = rollouts.reduce((n, r) => n + r.blockedTotal, 0);
  if (!rows.length) return h('p', { class: 'mute' }, 'No blocked nodes.');
  return h('div', null,
    total > rows.length ? h('p', { class: 'mute' }, `${rows.length} of ${total} shown`) : null,
    h('table', { id: 'blockers' },
      h('tr', null, ['node', 'wave', 'reason', 'cause', 'since', 'message'].map((c) => h('th', null, c))),
      rows.slice(0, 200).map((b) => h('tr', { key: `${b.rollout}/${b.node}`, class: 'clickable', 'data-node': b.node, onClick: () => pick(b.node) },
        h('td', null, b.node), h('td', null, b.wave), h('td', null, b.reason), h('td', null, b.cause), h('td', null, fmtAge(b.since, now)), h('td', null, b.message)))));
}

function Details({ d, error }: { d: NodeDetails | undefined; error: string }) {
  if (error) return h('p', { class: 'error' }, error);
  if (!d) return h('p', { class: 'mute' }, 'Click a cell or a blocked node.');
  const kv = (k: string, v: ComponentChildren) => h('tr', null, h('th', null, k), h('td', null, v));
  return h('div', { id: 'details', 'data-node': d.node.name },
    h('table', null,
      kv('node', h('b', null, d.node.name)),
      kv('state', h('span', { 'data-detail-state': d.state, style: `color:${STATE_COLOURS[d.state]}` }, d.state)),
      kv('zone / pool', `${d.node.zone || '—'} / ${d.node.pool || '—'}`),
      d.node.unschedulable ? kv('scheduling', 'cordoned') : null,
      d.node.quarantinedBy ? kv('quarantined by', d.node.quarantinedBy) : null),
    d.blockers.length ? h('div', null, h('h2', { style: 'margin-top:10px' }, 'Why blocked'),
      d.blockers.map((b) => h('p', { class: 'why', key: b.rollout }, h('b', null, `${b.reason}`), ` (cause ${b.cause}, wave ${b.wave}, rollout ${b.rollout}): `, b.message))) : null,
    h('h2', { style: 'margin-top:10px' }, 'Pods'),
    d.pods.length ? h('table', null,
      h('tr', null, ['pod', 'phase', 'ready', 'revision', 'restarts', 'reason'].map((c) => h('th', null, c))),
      d.pods.map((p) => h('tr', { key: p.key }, h('td', null, p.key, p.terminating ? ' (terminating)' : ''), h('td', null, p.phase), h('td', null, p.ready ? 'yes' : 'no'),
        h('td', null, h('code', null, p.revision)), h('td', null, p.restarts), h('td', null, p.reason)))) : h('p', { class: 'mute' }, 'No pods.'),
    h('h2', { style: 'margin-top:10px' }, 'Conditions'),
    h('table', null, d.node.conditions.map((c) => h('tr', { key: c.type }, h('td', null, c.type), h('td', null, c.status), h('td', null, c.reason ?? ''), h('td', { class: 'mute' }, c.message ?? '')))));
}

function App({ token }: { token: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const map = useRef<Heatmap | undefined>(undefined);
  const [, setVersion] = useState(0);
  const [status, setStatus] = useState<{ connected: boolean; error?: string; fatal?: boolean }>({ connected: false });
  const [selected, setSelected] = useState('');
  const [details, setDetails] = useState<{ d?: NodeDetails; error: string }>({ error: '' });
  const selectedRef = useRef('');
  const refresh = useRef<(name: string) => void>(() => {});

  refresh.current = (name: string) => {
    fetch(`/api/nodes/${encodeURIComponent(name)}`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' })
      .then(async (res) => {
        if (selectedRef.current !== name) return;
        if (!res.ok) { const s = await res.json().catch(() => ({})) as { message?: string }; setDetails({ error: s.message ?? `HTTP ${res.status}` }); return; }
        setDetails({ d: await res.json() as NodeDetails, error: '' });
      })
      .catch((err: unknown) => setDetails({ error: String(err) }));
  };
  const pick = (name: string) => { selectedRef.current = name; setSelected(name); map.current?.select(name); refresh.current(name); };

  useEffect(() => {
    map.current = new Heatmap(canvas.current!, pick);
    (window as unknown as { __everynode: unknown }).__everynode = { stats: map.current.stats, cellOf: (n: string) => map.current?.cellOf(n), fleet };
    let pending = false;
    const stop = connect(token, {
      onMessage: (m) => {
        const { touched } = applyMessage(m, map.current);
        if (selectedRef.current && (m.type === 'snapshot' || touched.has(selectedRef.current) || (m.type === 'delta' && m.rollouts))) refresh.current(selectedRef.current);
        // Tables re-render at most once a frame, however fast messages come.
        if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; setVersion(fleet.version); }); }
      },
      onStatus: setStatus,
    });
    return () => { stop(); map.current?.stop(); };
  }, []);

  const now = Date.now();
  return h('div', null,
    h('header', null, h('h1', null, 'everynode'), h(Counter, { counts: fleet.counts, total: fleet.total }),
      h('span', { id: 'conn', class: status.connected ? 'mute' : 'error', style: 'padding:0' }, status.connected ? 'live' : status.error ?? 'connecting…')),
    h('main', null,
      h('div', null,
        h('section', null, h('h2', null, 'Nodes by zone / pool'), h('div', null, h('canvas', { ref: canvas, id: 'heatmap' }))),
        h('section', null, h('h2', null, 'Rollouts'), fleet.rollouts.length ? fleet.rollouts.map((r) => h(Timeline, { r, now, key: r.key })) : h('p', { class: 'mute' }, 'No DaemonSetRollouts.')),
        h('section', null, h('h2', null, 'Blocked nodes'), h(Blockers, { rollouts: fleet.rollouts, now, pick }))),
      h('div', null, h('section', null, h('h2', null, selected ? `Node ${selected}` : 'Node'), h(Details, { d: details.d, error: details.error })))));
}

const root = document.getElementById('app')!;
const token = takeToken();
if (!token) {
  render(h('p', { class: 'error' }, 'No token: open the address printed by `everynode up` (it ends in #token=…), or append #token=<a bearer token the cluster accepts> to this address.'), root);
} else {
  root.textContent = '';
  render(h(App, { token }), root);
}
