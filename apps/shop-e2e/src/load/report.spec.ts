import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatProgress, latencyHtml, resultsJson, summaryText, writeResults } from './report';
import type { RunResult } from './run';
import type { Sample } from './tally';

function aResult(samples: Sample[], overrides: Partial<RunResult> = {}): RunResult {
  const confirmed = samples.filter((s) => s.status === 'CONFIRMED').length;
  return {
    runId: 'abc<1>',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:05.000Z',
    options: { rate: 10, durationS: 3, ordersUrl: 'http://o', stockUrl: 'http://s', paymentUrl: 'http://p', out: '/tmp/x', settleTimeoutS: 60, customers: 50, skus: 20 },
    interrupted: false,
    counts: { scheduled: samples.length, sent: samples.length, confirmed, rejected: samples.length - confirmed, cancelled: 0, errors: 0, notFinal: 0 },
    errorsByKind: {},
    throughput: { offeredPerSecond: 10, confirmedPerSecond: confirmed / 3, spanS: 3 },
    latency: { count: confirmed, min: 3.2, mean: 20.5, p50: 18.25, p90: 30, p99: 41.5, p99_9: 42.1, max: 42.123456 },
    series: [
      { second: 0, sent: 10, confirmed: 10, p50: 15, p99: 30, max: 31 },
      { second: 1, sent: 10, confirmed: 0, p50: null, p99: null, max: null },
      { second: 2, sent: 10, confirmed: 9, p50: 20.123456, p99: 41, max: 42 },
    ],
    samples,
    schedulerMaxLagMs: 1.5,
    check: { allFinal: true, httpErrors: 0, interrupted: false, passed: true },
    ...overrides,
  };
}

const samples: Sample[] = Array.from({ length: 29 }, (_, i) => ({ scheduledMs: i * 100, latencyMs: 3 + i * 1.4, status: i === 7 ? 'REJECTED' : 'CONFIRMED' }));

describe('the report of a run', () => {
  it('draws an inline SVG with one circle per sample, and fetches or runs nothing', () => {
    const html = latencyHtml(aResult(samples));
    expect(html.match(/<svg[\s>]/g)).toHaveLength(1);
    expect(html.match(/<circle /g)).toHaveLength(29);
    expect(html.match(/<circle class="r"/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script|<link|\bsrc=|@import|url\(/i);
    expect(html).toContain('<path class="p50" d="M');
    expect(html).toContain('abc&#60;1&#62;'); // text is escaped
  });

  it('draws an empty chart when nothing became final', () => {
    const html = latencyHtml(aResult([]));
    expect(html).toContain('<svg');
    expect(html).not.toContain('<circle');
    expect(html).not.toContain('NaN');
    expect(html).not.toContain('Infinity');
  });

  it('writes results.json with options, counts, percentiles and the per-second series, and latency.html beside it', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'load-report-')), 'nested');
    const written = await writeResults(dir, aResult(samples));
    const json = JSON.parse(await readFile(written.json, 'utf8'));
    expect(json).toMatchObject({
      options: { rate: 10, durationS: 3 },
      counts: { sent: 29, confirmed: 28, rejected: 1, errors: 0, notFinal: 0 },
      latencyMs: { p50: 18.25, p90: 30, p99: 41.5, 'p99.9': 42.1, max: 42.123 },
      check: { passed: true },
    });
    expect(json.series).toEqual([
      { second: 0, sent: 10, confirmed: 10, p50: 15, p99: 30, max: 31 },
      { second: 1, sent: 10, confirmed: 0, p50: null, p99: null, max: null },
      { second: 2, sent: 10, confirmed: 9, p50: 20.123, p99: 41, max: 42 },
    ]);
    expect(json.samples).toBeUndefined();
    expect(await readFile(written.html, 'utf8')).toBe(latencyHtml(aResult(samples)));
    expect(resultsJson(aResult(samples)).throughput.confirmedPerSecond).toBe(9.333);
  });

  it('sums the run up, and says why the check failed', () => {
    const summary = summaryText(aResult(samples));
    expect(summary).toContain('throughput  9.33 confirmed/s over 3.0 s');
    expect(summary).toContain('sent 29  confirmed 28  rejected 1  errors 0  not final 0');
    expect(summary).toContain('p50 18.3  p90 30.0  p99 41.5  p99.9 42.1  max 42.1');
    expect(summary).toContain('CHECK OK');
    const failed = aResult(samples, {
      counts: { scheduled: 31, sent: 30, confirmed: 28, rejected: 0, cancelled: 0, errors: 2, notFinal: 1 },
      errorsByKind: { 'POST /orders → 503 unavailable': 2 },
      check: { allFinal: false, httpErrors: 2, interrupted: false, passed: false },
    });
    expect(summaryText(failed)).toContain('2 × POST /orders → 503 unavailable');
    expect(summaryText(failed)).toContain('CHECK FAILED 1 orders not final 60 s after the last send; 2 errors');
  });

  it('formats the progress line', () => {
    const counts = { scheduled: 50, sent: 50, confirmed: 40, rejected: 1, cancelled: 0, errors: 2, notFinal: 0, inFlight: 7 };
    expect(formatProgress({ phase: 'sending', elapsedS: 5.04, counts, recent: { count: 9, p50: 12.34, p99: 56.78 } })).toBe(
      '[   5.0s] sent 50  confirmed 40  rejected 1  errors 2  in flight 7  p50 12.3ms p99 56.8ms (last 1s)',
    );
    expect(formatProgress({ phase: 'settling', elapsedS: 61, counts, recent: { count: 0, p50: 0, p99: 0 } })).toContain('[  61.0s settling]');
  });
});
