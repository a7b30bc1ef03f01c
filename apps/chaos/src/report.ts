/**
 * The outputs: results.json (options, seed, schedule, figures, every check) and report.html, the
 * faults on a time line beside throughput, latency (from the shared HDR-style histogram) and
 * consumer lag, one column per second of the run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHistogram } from '@webshop/testing';
import type { CheckResult } from './checks';
import type { FaultRecord } from './faults';
import type { Exchange } from './ledger';

export interface LagSample {
  atMs: number;
  lag: number;
}

export interface SecondStats {
  second: number;
  requests: number;
  failed: number;
  p50: number;
  p99: number;
}

export function perSecond(exchanges: readonly Exchange[]): SecondStats[] {
  const seconds = new Map<number, Exchange[]>();
  for (const e of exchanges) if (e.atMs >= 0) seconds.set(Math.floor(e.atMs / 1000), [...(seconds.get(Math.floor(e.atMs / 1000)) ?? []), e]);
  const last = Math.max(0, ...seconds.keys());
  return Array.from({ length: last + 1 }, (_, second) => {
    const list = seconds.get(second) ?? [];
    const h = createHistogram();
    // Long polls (?until=) wait on purpose: they are not latency.
    for (const e of list) if (!e.path.includes('until=')) h.record(e.latencyMs);
    return { second, requests: list.length, failed: list.filter((e) => e.status === 0 || e.status >= 500).length, p50: h.percentile(50), p99: h.percentile(99) };
  });
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function reportHtml(input: { title: string; summary: string; stats: SecondStats[]; lag: LagSample[]; faults: FaultRecord[]; results: CheckResult[]; durationMs: number }): string {
  const { stats, lag, faults, results } = input;
  const seconds = Math.max(stats.length, Math.ceil(input.durationMs / 1000), 1);
  const W = 1000;
  const x = (s: number) => 60 + (s / seconds) * (W - 80);
  const panel = (title: string, y0: number, h: number, max: number, series: Array<{ points: Array<[number, number]>; colour: string; label: string }>) => {
    const y = (v: number) => y0 + h - (max > 0 ? (v / max) * h : 0);
    const lines = series
      .map((s) => `<polyline fill="none" stroke="${s.colour}" stroke-width="1.5" points="${s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`)
      .join('');
    const legend = series.map((s, i) => `<text x="${W - 220 + i * 90}" y="${y0 - 4}" fill="${s.colour}" font-size="11">${esc(s.label)}</text>`).join('');
    return `<text x="4" y="${y0 + 12}" font-size="12">${esc(title)}</text><text x="4" y="${y0 + 26}" font-size="10" fill="#666">max ${max.toFixed(0)}</text>
      <line x1="60" x2="${W - 20}" y1="${y0 + h}" y2="${y0 + h}" stroke="#ccc"/>${lines}${legend}`;
  };
  const maxReq = Math.max(1, ...stats.map((s) => s.requests));
  const maxLat = Math.max(1, ...stats.map((s) => s.p99));
  const maxLag = Math.max(1, ...lag.map((l) => l.lag));
  const colour: Record<string, string> = { sigkill: '#d62728', sigstop: '#ff7f0e', 'broker-kill': '#9467bd', 'postgres-crash': '#8c564b' };
  const bands = faults
    .map((f) => {
      const a = x(f.startedMs / 1000);
      const b = Math.max(a + 2, x((f.endedMs ?? f.startedMs) / 1000));
      return `<rect x="${a}" y="20" width="${b - a}" height="470" fill="${colour[f.fault.kind]}" opacity="0.25"><title>${esc(f.description)}${f.error ? ` (failed: ${esc(f.error)})` : ''}</title></rect>`;
    })
    .join('');
  const ticks = Array.from({ length: 11 }, (_, i) => Math.round((i * seconds) / 10)).map((s) => `<text x="${x(s)}" y="505" font-size="10" text-anchor="middle">${s}s</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="520" font-family="sans-serif">${bands}
    ${panel('requests/s', 30, 120, maxReq, [
      { points: stats.map((s) => [s.second, s.requests]), colour: '#1f77b4', label: 'sent' },
      { points: stats.map((s) => [s.second, s.failed]), colour: '#d62728', label: '5xx/none' },
    ])}
    ${panel('latency ms', 190, 120, maxLat, [
      { points: stats.map((s) => [s.second, s.p50]), colour: '#2ca02c', label: 'p50' },
      { points: stats.map((s) => [s.second, s.p99]), colour: '#ff7f0e', label: 'p99' },
    ])}
    ${panel('consumer lag', 350, 120, maxLag, [{ points: lag.map((l) => [l.atMs / 1000, l.lag]), colour: '#9467bd', label: 'total lag' }])}
    ${ticks}</svg>`;
  const rows = results
    .map((r) => `<tr class="${r.passed ? 'pass' : 'fail'}"><td>${r.passed ? 'PASS' : 'FAIL'}</td><td>${esc(r.name)}</td><td>${esc(r.scope)}</td><td>${r.details.map((d) => esc(d)).join('<br>')}</td></tr>`)
    .join('');
  const faultRows = faults.map((f) => `<li style="color:${colour[f.fault.kind]}">${esc(f.description)}${f.error ? ` — failed: ${esc(f.error)}` : ''}</li>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(input.title)}</title><style>
    body{font-family:sans-serif;margin:20px} td{border-bottom:1px solid #eee;padding:4px;vertical-align:top;font-size:13px}
    tr.fail td:first-child{color:#c00;font-weight:bold} tr.pass td:first-child{color:#080} pre{background:#f6f6f6;padding:8px}</style></head>
    <body><h1>${esc(input.title)}</h1><pre>${esc(input.summary)}</pre>${svg}<h2>Faults</h2><ol>${faultRows}</ol>
    <h2>Checks</h2><table>${rows}</table></body></html>`;
}

export function writeReport(dir: string, json: unknown, html: string): { json: string; html: string } {
  const files = { json: path.join(dir, 'results.json'), html: path.join(dir, 'report.html') };
  writeFileSync(files.json, JSON.stringify(json, null, 2));
  writeFileSync(files.html, html);
  return files;
}
