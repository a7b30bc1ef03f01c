/**
 * A real Prometheus (Debian's `prometheus` package; .ci/run installs it) on compose's configuration,
 * infra/prometheus/prometheus.yml, with only its targets changed to the shop under test, and the
 * queries of the Grafana dashboard, infra/grafana/dashboards/webshop.json, as Grafana sends them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, waitFor } from '@webshop/testing';

const root = path.resolve(__dirname, '../..');
export const PROMETHEUS_CONFIG = path.join(root, 'infra/prometheus/prometheus.yml');
export const DASHBOARD = path.join(root, 'infra/grafana/dashboards/webshop.json');
export const PROMETHEUS_BIN = '/usr/bin/prometheus';

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  static_configs: Array<{ targets: string[] }>;
}
export interface PrometheusConfig {
  global: { scrape_interval: string };
  scrape_configs: ScrapeConfig[];
}
export const prometheusConfig = (): PrometheusConfig => parse(readFileSync(PROMETHEUS_CONFIG, 'utf8')) as PrometheusConfig;

export interface DashboardQuery {
  panel: string;
  expr: string;
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
}
export const dashboard = (): { uid: string; title: string; panels: Panel[] } => JSON.parse(readFileSync(DASHBOARD, 'utf8'));
export const dashboardQueries = (): DashboardQuery[] =>
  dashboard().panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** The project's metric families a query reads: `webshop_x_bucket`, `_count` and `_sum` are of the histogram `webshop_x`. */
export const metricsOf = (expr: string): string[] => [...new Set([...expr.matchAll(/\bwebshop_[a-z0-9_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')))];

/** What Grafana puts in for its variables (its $__rate_interval is at least four scrape intervals). */
export const asGrafanaSends = (expr: string, rateInterval: string): string => expr.replaceAll('$__rate_interval', rateInterval);

export interface RunningPrometheus {
  url: string;
  /** An instant query's result; throws with Prometheus' own error for a query it refuses. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  targets(): Promise<Array<{ scrapeUrl: string; health: string; lastError: string }>>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: string[], scrapeInterval = '1s'): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`${PROMETHEUS_BIN} is missing: apt-get install -y --no-install-recommends prometheus (.ci/run does)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webshop-prometheus-'));
  const config = prometheusConfig();
  config.global.scrape_interval = scrapeInterval;
  for (const job of config.scrape_configs) job.static_configs = [{ targets }];
  writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(PROMETHEUS_BIN, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const body = (await (await fetch(`${url}${pathAndQuery}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus refused ${decodeURIComponent(pathAndQuery)}: ${body.error}`);
    return body.data;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${output.slice(-2000)}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      { timeoutMs: 30_000, description: 'Prometheus ready' },
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.slice(-2000)}`);
  }
  return {
    url,
    query: async (expr) => (await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    targets: async () => (await api<{ activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string }> }>('/api/v1/targets')).activeTargets,
    stop,
  };
}
