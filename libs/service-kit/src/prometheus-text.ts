/**
 * Reads a /metrics answer (Prometheus text format 0.0.4) into samples: the metric families it
 * declares (`# TYPE`) and each sample's labels. The web pulse reads the services' figures with it,
 * the tests what a service really exposes. A line it cannot read is passed over.
 */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ScrapedMetrics {
  /** Each family declared with `# TYPE`, and its type. */
  families: Map<string, string>;
  samples: MetricSample[];
  /** The samples named `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): MetricSample[];
  /** Their sum; 0 when there are none. */
  sum(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string): ScrapedMetrics {
  const families = new Map<string, string>();
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) families.set(type[1]!, type[2]!);
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return { families, samples, find, sum: (name, labels) => find(name, labels).reduce((n, s) => n + s.value, 0) };
}
