/**
 * What a run leaves behind: a summary for the terminal, `results.json` (options, counts,
 * percentiles and a per-second series) and `latency.html`, a self-contained page (inline SVG and
 * CSS, no scripts, nothing fetched) plotting every order's latency against its scheduled send time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Progress, RunResult } from './run';
import type { Sample, SecondStats } from './tally';

/** Beyond this many dots the page gets too heavy for a browser; an even subset is drawn instead. */
export const MAX_DOTS = 200_000;

const ms = (value: number) => Math.round(value * 1000) / 1000;
const fixed = (value: number, digits = 1) => value.toFixed(digits);

export function resultsJson(result: RunResult) {
  const { latency } = result;
  return {
    runId: result.runId,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    options: result.options,
    interrupted: result.interrupted,
    check: result.check,
    counts: result.counts,
    errorsByKind: result.errorsByKind,
    throughput: {
      offeredPerSecond: ms(result.throughput.offeredPerSecond),
      confirmedPerSecond: ms(result.throughput.confirmedPerSecond),
      spanS: ms(result.throughput.spanS),
    },
    latencyMs: {
      measuredFrom: 'scheduled send time',
      measuredTo: 'observed CONFIRMED',
      count: latency.count,
      min: ms(latency.min),
      mean: ms(latency.mean),
      p50: ms(latency.p50),
      p90: ms(latency.p90),
      p99: ms(latency.p99),
      'p99.9': ms(latency.p99_9),
      max: ms(latency.max),
    },
    schedulerMaxLagMs: ms(result.schedulerMaxLagMs),
    series: result.series.map((s) => ({
      second: s.second,
      sent: s.sent,
      confirmed: s.confirmed,
      p50: s.p50 === null ? null : ms(s.p50),
      p99: s.p99 === null ? null : ms(s.p99),
      max: s.max === null ? null : ms(s.max),
    })),
  };
}

export function summaryText(result: RunResult): string {
  const { counts, latency, check } = result;
  const lines = [
    `run ${result.runId}: ${result.options.rate} orders/s for ${result.options.durationS} s${result.interrupted ? ' (interrupted)' : ''}`,
    `throughput  ${fixed(result.throughput.confirmedPerSecond, 2)} confirmed/s over ${fixed(result.throughput.spanS)} s (offered ${fixed(result.throughput.offeredPerSecond, 2)}/s)`,
    `orders      sent ${counts.sent}  confirmed ${counts.confirmed}  rejected ${counts.rejected}` +
      (counts.cancelled ? `  cancelled ${counts.cancelled}` : '') +
      `  errors ${counts.errors}  not final ${counts.notFinal}`,
    `latency ms  p50 ${fixed(latency.p50)}  p90 ${fixed(latency.p90)}  p99 ${fixed(latency.p99)}  p99.9 ${fixed(latency.p99_9)}  max ${fixed(latency.max)}` +
      `  (${latency.count} confirmed, from scheduled send)`,
  ];
  if (result.schedulerMaxLagMs > 100) lines.push(`warning     the generator sent up to ${fixed(result.schedulerMaxLagMs)} ms late: it may be the bottleneck`);
  if (counts.rejected > 0) lines.push(`warning     ${counts.rejected} orders were rejected although their stock and money were provided`);
  for (const [kind, n] of Object.entries(result.errorsByKind)) lines.push(`error       ${n} × ${kind}`);
  if (check.passed) {
    lines.push(`CHECK OK    all ${counts.scheduled} orders final within the settle timeout, no HTTP errors`);
  } else {
    const why = [
      ...(check.allFinal ? [] : [`${counts.notFinal} orders not final ${result.options.settleTimeoutS} s after the last send`]),
      ...(check.httpErrors ? [`${check.httpErrors} errors`] : []),
      ...(check.interrupted ? ['interrupted'] : []),
    ];
    lines.push(`CHECK FAILED ${why.join('; ')}`);
  }
  return lines.join('\n');
}

export function formatProgress(p: Progress): string {
  const c = p.counts;
  const recent = p.recent.count > 0 ? `p50 ${fixed(p.recent.p50)}ms p99 ${fixed(p.recent.p99)}ms` : 'p50 - p99 -';
  return (
    `[${fixed(p.elapsedS).padStart(6)}s${p.phase === 'settling' ? ' settling' : ''}] sent ${c.sent}  confirmed ${c.confirmed}  rejected ${c.rejected}` +
    `  errors ${c.errors}  in flight ${c.inFlight}  ${recent} (last 1s)`
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** 1, 2, 5 × 10^k: the smallest such step giving at most `maxTicks` ticks over `span`. */
function niceStep(span: number, maxTicks: number): number {
  const raw = span / maxTicks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((step) => step >= raw)!;
}

const tickLabel = (v: number) => (v >= 1000 ? `${v / 1000}s` : `${v}ms`);

export function latencyHtml(result: RunResult): string {
  const width = 1000;
  const height = 480;
  const margin = { left: 70, right: 20, top: 20, bottom: 50 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  const samples = result.samples;
  const stride = Math.ceil(samples.length / MAX_DOTS) || 1;
  const drawn = stride === 1 ? samples : samples.filter((_, i) => i % stride === 0);

  // x: seconds of the schedule; y: latency on a log scale (latency spans decades under load).
  // (Loops, not Math.min(...array): a spread of a million samples overflows the stack.)
  let fastest = Infinity;
  let slowest = 0;
  for (const s of samples) {
    fastest = Math.min(fastest, s.latencyMs);
    slowest = Math.max(slowest, s.latencyMs);
  }
  const xMax = Math.max(result.options.durationS, result.series.length, 1);
  const low = Math.max(0.1, fastest === Infinity ? 1 : fastest);
  const high = Math.max(low * 10, slowest);
  const yMin = 10 ** Math.floor(Math.log10(low));
  const yMax = 10 ** Math.ceil(Math.log10(high));
  const x = (seconds: number) => margin.left + (seconds / xMax) * plotW;
  const y = (latency: number) => margin.top + plotH - ((Math.log10(Math.max(latency, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
  const f = (v: number) => v.toFixed(1);

  const decades = Math.round(Math.log10(yMax / yMin));
  const yTicks: number[] = [];
  for (let d = yMin; d <= yMax * 1.0001; d *= 10) for (const m of decades <= 3 ? [1, 2, 5] : [1]) if (d * m <= yMax * 1.0001) yTicks.push(Number((d * m).toPrecision(3)));
  const xStep = niceStep(xMax, 10);
  const xTicks = Array.from({ length: Math.floor(xMax / xStep) + 1 }, (_, i) => Number((i * xStep).toPrecision(6)));

  const grid = [
    ...yTicks.map((t) => `<line class="grid" x1="${margin.left}" x2="${width - margin.right}" y1="${f(y(t))}" y2="${f(y(t))}"/><text class="yl" x="${margin.left - 6}" y="${f(y(t) + 4)}">${tickLabel(t)}</text>`),
    ...xTicks.map((t) => `<line class="grid" y1="${margin.top}" y2="${height - margin.bottom}" x1="${f(x(t))}" x2="${f(x(t))}"/><text class="xl" x="${f(x(t))}" y="${height - margin.bottom + 18}">${t}</text>`),
  ].join('\n');

  const cls: Record<Sample['status'], string> = { CONFIRMED: 'c', REJECTED: 'r', CANCELLED: 'x' };
  const dots = drawn.map((s) => `<circle class="${cls[s.status]}" cx="${f(x(s.scheduledMs / 1000))}" cy="${f(y(s.latencyMs))}" r="1.8"/>`).join('');

  const line = (pick: (s: SecondStats) => number | null) => {
    let d = '';
    let pen = 'M';
    for (const s of result.series) {
      const v = pick(s);
      if (v === null) {
        pen = 'M';
        continue;
      }
      d += `${pen}${f(x(s.second + 0.5))},${f(y(v))}`;
      pen = 'L';
    }
    return d;
  };

  const l = result.latency;
  const c = result.counts;
  const rows: Array<[string, string]> = [
    ['rate × duration', `${result.options.rate}/s × ${result.options.durationS} s`],
    ['throughput', `${fixed(result.throughput.confirmedPerSecond, 2)} confirmed/s`],
    ['sent / confirmed / rejected / errors / not final', `${c.sent} / ${c.confirmed} / ${c.rejected} / ${c.errors} / ${c.notFinal}`],
    ['latency p50 / p90 / p99 / p99.9 / max', `${fixed(l.p50)} / ${fixed(l.p90)} / ${fixed(l.p99)} / ${fixed(l.p99_9)} / ${fixed(l.max)} ms`],
    ['check', result.check.passed ? 'passed' : 'FAILED'],
    ['started', result.startedAt],
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Load run ${escapeHtml(result.runId)}: latency</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
  table { border-collapse: collapse; margin-bottom: 16px; }
  td { padding: 2px 12px 2px 0; } td:first-child { color: #666; }
  svg { background: #fff; border: 1px solid #ddd; }
  .grid { stroke: #eee; } .axis { stroke: #999; }
  .yl { text-anchor: end; font-size: 11px; fill: #666; } .xl { text-anchor: middle; font-size: 11px; fill: #666; }
  .c { fill: #1f77b4; fill-opacity: .35; } .r { fill: #d62728; fill-opacity: .6; } .x { fill: #7f7f7f; fill-opacity: .6; }
  .p50 { fill: none; stroke: #2ca02c; stroke-width: 2; } .p99 { fill: none; stroke: #ff7f0e; stroke-width: 2; }
  .key span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px; vertical-align: -1px; }
</style>
</head>
<body>
<h1>Load run ${escapeHtml(result.runId)}</h1>
<table>${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<p class="key"><span style="background:#1f77b4"></span>confirmed<span style="background:#d62728"></span>rejected<span style="background:#7f7f7f"></span>cancelled<span style="background:#2ca02c"></span>p50 per second<span style="background:#ff7f0e"></span>p99 per second</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="latency of each order against its scheduled send time">
${grid}
<line class="axis" x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${height - margin.bottom}"/>
<line class="axis" x1="${margin.left}" x2="${width - margin.right}" y1="${height - margin.bottom}" y2="${height - margin.bottom}"/>
<text class="xl" x="${margin.left + plotW / 2}" y="${height - 10}">scheduled send time (s)</text>
<text class="xl" transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)">latency to CONFIRMED (log scale)</text>
<g>${dots}</g>
<path class="p50" d="${line((s) => s.p50)}"/>
<path class="p99" d="${line((s) => s.p99)}"/>
</svg>
<p>One dot per order that became final (${samples.length}${stride > 1 ? `; every ${stride}th drawn, ${drawn.length} dots` : ''}); orders with errors (${c.errors}) or not final (${c.notFinal}) have no latency and are not drawn.
Latency runs from the order's scheduled send time (not the moment it was actually sent) to the moment it was seen settled, so delays in the generator count too.</p>
</body>
</html>
`;
}

export async function writeResults(dir: string, result: RunResult): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, 'results.json');
  const html = path.join(dir, 'latency.html');
  await writeFile(json, `${JSON.stringify(resultsJson(result), null, 2)}\n`);
  await writeFile(html, latencyHtml(result));
  return { json, html };
}
