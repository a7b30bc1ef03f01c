import { parsePrometheusText, type ScrapedMetrics } from '@webshop/service-kit';

/** GET `${base}/metrics`, parsed (service-kit's parser). */
export async function scrapeMetrics(base: string): Promise<ScrapedMetrics> {
  const res = await fetch(`${base}/metrics`);
  if (!res.ok) throw new Error(`GET ${base}/metrics answered ${res.status}`);
  return parsePrometheusText(await res.text());
}
