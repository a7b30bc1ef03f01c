/**
 * Each service as the pulse sees it from outside, through its HTTP contract only: `/readyz` (ready,
 * or 503 with the failing checks' reasons, or nothing answering) and `/metrics` (Prometheus text:
 * `webshop_consumer_lag_records`, `webshop_outbox_pending_events`, `webshop_dead_letters_total`,
 * summed over their labels; service-kit's metricNames).
 */
import { serviceNames, type ServiceName } from '@webshop/events';
import { metricNames } from '@webshop/service-kit';
import type { ServiceHealth } from '../shared/types';
import type { PulseModel } from './pulse-model';

/** The sum of every sample of `metric` in Prometheus text format; null when the metric is absent. */
export function sumOfMetric(text: string, metric: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== metric) continue;
    const value = Number(m[3]);
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
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
    const metrics = await fetchWithin(`${url}/metrics`, 3_000)
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '');
    return {
      ...base,
      state: ready.status === 200 ? 'ready' : 'not_ready',
      problems: ready.status === 200 ? [] : problems.length ? problems : [`/readyz answered ${ready.status}`],
      consumerLag: sumOfMetric(metrics, metricNames.consumerLag),
      outboxBacklog: sumOfMetric(metrics, metricNames.outboxPending),
      deadLetters: sumOfMetric(metrics, metricNames.deadLetters) ?? (metrics ? 0 : null),
      checkedAt: now().toISOString(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { ...base, state: 'down', problems: [`not answering at ${url} (${cause})`], consumerLag: null, outboxBacklog: null, deadLetters: null, checkedAt: now().toISOString() };
  }
}

export const checkServices = (urls: Record<ServiceName, string>, model: PulseModel): Promise<ServiceHealth[]> =>
  Promise.all(serviceNames.map((s) => checkService(s, urls[s], model)));
