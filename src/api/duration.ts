// Human-readable ages as kubectl shows them ("5m", "3h12m", "2d4h"), following apimachinery's
// util/duration HumanDuration. Written here because no npm package reproduces its exact
// precision steps, and kubectl output must match a real cluster character for character.
import { parseTime } from './meta.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Succinct duration with ~2-3 significant figures. Up to one second in the future counts as
 * "0s" (clock skew between machines); further in the future is "<invalid>".
 */
export function humanDuration(ms: number): string {
  // Go truncates toward zero when converting the float seconds to int.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** Go's zero time.Time serialised: metav1.Time treats it as "unset". */
const GO_ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

/** True when a serialised metav1.Time/MicroTime is absent or Go's zero time. */
export function isZeroTime(ts: string | null | undefined): boolean {
  const ms = parseTime(ts ?? undefined);
  return ms === undefined || ms === GO_ZERO_TIME_MS;
}

/** Age of a timestamp at nowMs, or "<unknown>" when the timestamp is missing (translateTimestampSince). */
export function translateTimestampSince(ts: string | null | undefined, nowMs: number): string {
  if (ts == null || isZeroTime(ts)) return '<unknown>';
  return humanDuration(nowMs - parseTime(ts)!);
}

/** A Go duration ("15s", "1m30s", "500ms", "2h"), as kube-controller-manager's --leader-elect-* flags take. */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  if (text === '0') return 0;
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    ms += Number(m[1]) * units[m[2]];
    at = re.lastIndex;
  }
  return at > 0 ? Math.round(ms) : undefined;
}
