// What a Prometheus scrape of the controller's /metrics costs (issue #10): its time, its size and
// its number of series. controller-runtime users scrape every 15-30 s; a series per node or per
// pod would make every scrape grow with the fleet. The exposition summary is pure; the scrape
// itself is a plain HTTP GET, as Prometheus makes it.
import { performance } from 'node:perf_hooks';
import { percentile } from './report.js';

export interface ExpositionSummary {
  bytes: number;
  /** Sample lines (one per series: a histogram's buckets, _sum and _count each count). */
  series: number;
  /** Metric families (# TYPE lines; a sample without one is its own family). */
  families: number;
  /** The families with the most series, largest first (ties by name). */
  largest: { name: string; series: number }[];
}

/** A sample line's metric name: everything before its labels or its value. */
const sampleName = (line: string) => /^[^{\s]+/.exec(line)?.[0] ?? '';
/** The suffixes a family's samples carry (histograms, summaries, counters in OpenMetrics). */
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info'];

/** Counts the series and families of a text exposition (format 0.0.4, which prom-client writes). */
export function summarizeExposition(text: string, top = 3): ExpositionSummary {
  const perFamily = new Map<string, number>();
  let family = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const t = /^#\s+TYPE\s+(\S+)/.exec(line);
      if (t) { family = t[1]; if (!perFamily.has(family)) perFamily.set(family, 0); }
      continue;
    }
    const name = sampleName(line);
    const of = family && (name === family || SUFFIXES.some((s) => name === family + s)) ? family : name;
    perFamily.set(of, (perFamily.get(of) ?? 0) + 1);
  }
  const series = [...perFamily.values()].reduce((a, b) => a + b, 0);
  const largest = [...perFamily].map(([name, n]) => ({ name, series: n }))
    .sort((a, b) => b.series - a.series || a.name.localeCompare(b.name)).slice(0, top);
  return { bytes: Buffer.byteLength(text, 'utf8'), series, families: perFamily.size, largest };
}

export interface ScrapeResult extends ExpositionSummary {
  /** Wall time of each scrape, request sent to body read, in ms. */
  timesMs: number[];
  p50Ms: number;
  maxMs: number;
}

/** Median and max of the scrape times, with the last scrape's exposition summarised. */
export function scrapeResult(timesMs: number[], lastBody: string): ScrapeResult {
  return { ...summarizeExposition(lastBody), timesMs, p50Ms: percentile(timesMs, 50), maxMs: timesMs.length ? Math.max(...timesMs) : NaN };
}

/** `count` scrapes of `url`, one after another, as a Prometheus server makes them (each bounded). */
export async function scrape(url: string, count = 10): Promise<ScrapeResult> {
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { Accept: 'text/plain;version=0.0.4' }, signal: AbortSignal.timeout(10_000) });
    body = await res.text();
    times.push(performance.now() - t0);
    if (!res.ok) throw new Error(`scrape of ${url}: HTTP ${res.status}`);
  }
  return scrapeResult(times, body);
}
