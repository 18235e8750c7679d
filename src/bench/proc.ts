// Per-process RSS and CPU time from Linux /proc, so the controller's footprint can be read apart
// from the server's when it runs as a child process. Node only reports these for itself, and no
// installed package reads another process's usage; undefined elsewhere than Linux.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Resident set size in bytes (VmRSS), or its peak (VmHWM). */
export function rssBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch { return undefined; }
}

/** User + system CPU time consumed so far, in seconds. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    return parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLOCK_TICKS_PER_SECOND;
  } catch { return undefined; }
}

/** utime + stime from a /proc/<pid>/stat line; the command name may contain spaces and parentheses. */
export function parseCpuTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(rest[11]) + Number(rest[12]);
}
