/**
 * Each service as the pulse sees it from outside, through its HTTP contract only: `/readyz` (ready,
 * or 503 with the failing checks' reasons, or nothing answering) and `/metrics` (Prometheus text:
 * `webshop_consumer_lag_records`, `webshop_outbox_pending_events`, `webshop_dead_letters_total`,
 * summed over their labels; service-kit's metricNames and parser).
 */
import { serviceNames, type ServiceName } from '@webshop/events';
import { metricNames, parsePrometheusText, type ScrapedMetrics } from '@webshop/service-kit';
import type { ServiceHealth } from '../shared/types';
import type { PulseModel } from './pulse-model';

/** The sum of every sample of `metric` over its labels; null when the metric has no sample. */
export function sumOfMetric(scraped: ScrapedMetrics, metric: string): number | null {
  return scraped.find(metric).length > 0 ? scraped.sum(metric) : null;
}

interface ReadyBody {
  checks?: Array<{ name: string; ok: boolean; reason?: string }>;
}

async function fetchWithin(url: string, ms: number): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(ms) });
}

export async function checkService(service: ServiceName, url: string, model: PulseModel, now: () => Date = () => new Date()): Promise<ServiceHealth> {
  const last = model.lastBy(service);
  const base = { service, lastEventAt: last?.occurredAt ?? null };
  try {
    const ready = await fetchWithin(`${url}/readyz`, 3_000);
    const body = (await ready.json().catch(() => ({}))) as ReadyBody;
    const problems = (body.checks ?? []).filter((c) => !c.ok).map((c) => `${c.name}: ${c.reason ?? 'failing'}`);
    const text = await fetchWithin(`${url}/metrics`, 3_000)
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '');
    const metrics = parsePrometheusText(text);
    return {
      ...base,
      state: ready.status === 200 ? 'ready' : 'not_ready',
      problems: ready.status === 200 ? [] : problems.length ? problems : [`/readyz answered ${ready.status}`],
      consumerLag: sumOfMetric(metrics, metricNames.consumerLag),
      outboxBacklog: sumOfMetric(metrics, metricNames.outboxPending),
      deadLetters: sumOfMetric(metrics, metricNames.deadLetters) ?? (text ? 0 : null),
      checkedAt: now().toISOString(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { ...base, state: 'down', problems: [`not answering at ${url} (${cause})`], consumerLag: null, outboxBacklog: null, deadLetters: null, checkedAt: now().toISOString() };
  }
}

export const checkServices = (urls: Record<ServiceName, string>, model: PulseModel): Promise<ServiceHealth[]> =>
  Promise.all(serviceNames.map((s) => checkService(s, urls[s], model)));
