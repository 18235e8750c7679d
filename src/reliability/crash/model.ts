// The acknowledged-write model of a crash run (pure). Each object has one writer and at most one
// request in flight, so after a SIGKILL an object may legitimately be in exactly two states: the
// newest acknowledged one, or the one its in-flight (never answered) request would have left.
// Anything else is a lost acknowledged write or a write nobody made.

/** What the checker compares: the id of the write that produced the object, and its payload. */
export interface Content { w: string; fields: Record<string, string> }
export interface Version { rv: number; content: Content }
/** The state a request leaves behind if the server applied it: absent (delete) or the given content. */
export type Outcome = { exists: false } | { exists: true; content: Content };

export interface ObjectModel {
  /** Newest acknowledged state; null when never created or when a delete was acknowledged. */
  acked: Version | null;
  /** A request that was sent but never answered (the server died): it may or may not have applied. */
  inflight?: Outcome;
}

export type Model = Map<string, ObjectModel>;

export interface Violation { key: string; kind: 'lost' | 'unexpected'; detail: string }

export interface Verdict {
  /** Keys whose state was compared (every modelled key plus every observed one). */
  checked: number;
  violations: Violation[];
  /** The model to continue with: every key resolved to what was observed, nothing in flight. */
  next: Model;
}

export function sameContent(a: Content, b: Content): boolean {
  if (a.w !== b.w) return false;
  const ka = Object.keys(a.fields).sort();
  const kb = Object.keys(b.fields).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a.fields[k] === b.fields[k]);
}

function describe(v: Version | null): string {
  return v === null ? 'absent' : `rv ${v.rv} write ${v.content.w}`;
}

/** Is `observed` a state this object may be in after the crash? */
export function allowed(m: ObjectModel, observed: Version | null): boolean {
  const { acked, inflight } = m;
  if (observed === null) {
    return acked === null || (inflight !== undefined && !inflight.exists);
  }
  if (acked !== null && observed.rv === acked.rv && sameContent(observed.content, acked.content)) return true;
  // The in-flight write applied: its content, at a revision after the acknowledged one.
  return inflight !== undefined && inflight.exists && sameContent(observed.content, inflight.content)
    && observed.rv > (acked?.rv ?? 0);
}

/**
 * Compares what the restarted server holds with the model. `observed` must hold every object of
 * the checked collections, so that an object nobody wrote shows up as a violation too.
 */
export function verify(model: Model, observed: Map<string, Version>): Verdict {
  const violations: Violation[] = [];
  const next: Model = new Map();
  for (const [key, m] of model) {
    const seen = observed.get(key) ?? null;
    if (!allowed(m, seen)) {
      // An acknowledged write or delete that did not survive is a loss; a state no request could
      // have produced (e.g. an unacknowledged in-flight state that is not the expected one) too.
      violations.push({ key, kind: 'lost', detail: `expected ${describe(m.acked)}${m.inflight ? ` or the in-flight write` : ''}, found ${describe(seen)}` });
    }
    next.set(key, { acked: seen });
  }
  for (const [key, seen] of observed) {
    if (model.has(key)) continue;
    violations.push({ key, kind: 'unexpected', detail: `nobody wrote it, found ${describe(seen)}` });
    next.set(key, { acked: seen });
  }
  return { checked: next.size, violations, next };
}

/** The newest acknowledged revision in the model (revisions must never go below it after a restart). */
export function maxAckedRev(model: Model): number {
  let max = 0;
  for (const m of model.values()) if (m.acked && m.acked.rv > max) max = m.acked.rv;
  return max;
}
