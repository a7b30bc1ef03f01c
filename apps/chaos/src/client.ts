/**
 * The workload's HTTP client: every request goes to the instance the balancer picks and lands in
 * the ledger with its answer (status 0 when none came in time). The operator's requests (`operator:
 * true`: deposits, restocks, products, dispatch, deliver) carry the run's operator token, which
 * every instance was started with (startServiceProcess); the customer's carry none.
 */
import { operatorHeaders } from '@webshop/testing';
import type { Exchange, Ledger, WorkloadKind } from './ledger';
import type { ServiceName } from './schedule';
import type { Shop } from './supervisor';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON of many shapes: each caller reads the fields it knows
export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers | undefined;
}

export interface Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON of many shapes: each caller reads the fields it knows
  send<T = any>(service: ServiceName, method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number; op?: number; kind?: WorkloadKind; operator?: boolean }): Promise<Answer<T>>;
}

export function createClient(shop: Pick<Shop, 'pick'>, ledger: Ledger, clock: () => number, onAnswer?: (e: Exchange) => void): Client {
  return {
    async send(service, method, path, { body, headers = {}, timeoutMs = 10_000, op = -1, kind = 'normal', operator = false } = {}) {
      const instance = shop.pick(service);
      const atMs = clock();
      const started = performance.now();
      let answer: Answer;
      try {
        const response = await fetch(`${instance.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(operator ? operatorHeaders() : {}), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: kept as text
        }
        answer = { status: response.status, body: parsed, headers: response.headers };
      } catch (error) {
        answer = { status: 0, body: { error: 'no_answer', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, headers: undefined };
      }
      const exchange: Exchange = { op, kind, atMs, latencyMs: performance.now() - started, method, path, instance: instance.name, status: answer.status, body: answer.body };
      ledger.exchanges.push(exchange);
      onAnswer?.(exchange);
      return answer;
    },
  };
}
