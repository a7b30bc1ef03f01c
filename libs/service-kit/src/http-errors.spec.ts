/**
 * The error contract through a real express app as createHttpApp builds it: every service's domain
 * refusals come out the same way, from this one place, with no router catching them.
 */
import { DomainError } from '@webshop/domain';
import { Router } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpApp, listen } from './http-app';
import { createLogger } from './logger';

describe('the error handler', () => {
  let server: Server;
  let base: string;
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    const routes = Router();
    routes.post('/refused/:status', async (req) => {
      const status = Number(req.params['status']) as 404 | 409 | 422;
      // Thrown from an async handler, as a decider's refusal reaches express from a transaction.
      await Promise.resolve();
      throw new DomainError(status, 'some_rule', 'the rule says no', status === 422 ? [{ path: 'items.0.sku', message: 'no such sku' }] : []);
    });
    // An error the handler does not know is logged as unhandled: a refusal must never be one.
    const logger = createLogger({ service: 'test' }, 'error', { write: (line: string) => void unexpected.push(JSON.parse(line)) });
    const app = createHttpApp({ logger, routes });
    server = await listen(app, 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([404, 409, 422])('answers a domain refusal with the status it carries (%i), its code and message', async (status) => {
    const res = await fetch(`${base}/refused/${status}`, { method: 'POST' });
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body).toEqual({
      error: 'some_rule',
      message: 'the rule says no',
      ...(status === 422 ? { details: [{ path: 'items.0.sku', message: 'no such sku' }] } : {}),
    });
    expect(unexpected).toEqual([]);
  });
});
