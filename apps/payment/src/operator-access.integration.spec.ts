/**
 * Operator access to the payment API on real Kafka and Postgres (libs/service-kit's operator
 * access, the same for every service): a deposit needs the operator's Bearer token, 401 without
 * one, 403 with a wrong one, and neither moves money nor publishes anything; the customer's reads
 * need none. Also the HTTP plumbing every service shares: security headers, CORS for the web's
 * origin only, and a real service process that refuses to start without a token unless the demo
 * mode is asked for.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  call,
  createTestDatabase,
  freePort,
  startServiceHarness,
  startServiceProcess,
  tableFingerprint,
  testKafkaAccess,
  testOperatorToken,
  uniqueName,
  waitFor,
  type ServiceHarness,
} from '@webshop/testing';
import { paymentService } from './service';

const webOrigin = 'http://127.0.0.1:3000';
let shop: ServiceHarness;
beforeAll(async () => {
  shop = await startServiceHarness(paymentService, { label: 'pay_auth', reads: ['payments'], env: { CORS_ORIGIN: [webOrigin] } });
});
afterAll(() => shop?.stop());

const stored = () => tableFingerprint(shop.db.pool, { accounts: '*', deposits: '*', outbox: 'event_id' });
const deposit = (customerId: string, headers: Record<string, string>) =>
  fetch(shop.url(`/accounts/${customerId}/deposits`), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ amountCents: 700 }) });

describe('a deposit (an operator operation)', () => {
  it('is refused 401 unauthorized without a Bearer token, or with another scheme, and moves no money', async () => {
    const customerId = uniqueName('cust');
    expect((await call(shop.url(`/accounts/${customerId}/deposits`), 'POST', { amountCents: 1_000 })).status).toBe(200);
    const before = await stored();
    for (const headers of [{}, { authorization: `Basic ${Buffer.from(`operator:${testOperatorToken}`).toString('base64')}` }, { authorization: 'Bearer' }, { authorization: testOperatorToken }] as Array<Record<string, string>>) {
      const answer = await deposit(customerId, headers);
      expect({ headers, status: answer.status, body: await answer.json() }).toEqual({ headers, status: 401, body: { error: 'unauthorized', message: expect.stringContaining('Bearer') } });
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    expect(await stored()).toEqual(before);
    expect(await call(shop.url(`/accounts/${customerId}`), 'GET', undefined, { token: null })).toEqual({ status: 200, body: { customerId, balanceCents: 1_000 } });
  });

  it('is refused 403 forbidden with a token that is not accepted, and moves no money', async () => {
    const customerId = uniqueName('cust');
    const before = await stored();
    for (const wrong of [`${testOperatorToken}x`, testOperatorToken.slice(0, -1), 'not-the-operator-token-at-all', testOperatorToken.toUpperCase()]) {
      const answer = await deposit(customerId, { authorization: `Bearer ${wrong}` });
      expect({ status: answer.status, body: await answer.json() }).toEqual({ status: 403, body: { error: 'forbidden', message: 'the operator token is not accepted' } });
    }
    expect(await stored()).toEqual(before);
    expect((await call(shop.url(`/accounts/${customerId}`), 'GET', undefined, { token: null })).status).toBe(404);
  });

  it('is done with the operator token (the scheme in any case)', async () => {
    const customerId = uniqueName('cust');
    await deposit(customerId, { authorization: 'Bearer wrong-token-wrong-token' });
    expect((await deposit(customerId, { authorization: `Bearer ${testOperatorToken}` })).status).toBe(200);
    expect((await deposit(customerId, { authorization: `bearer ${testOperatorToken}` })).status).toBe(200);
    expect(await call(shop.url(`/accounts/${customerId}`), 'GET', undefined, { token: null })).toEqual({ status: 200, body: { customerId, balanceCents: 1_400 } });
  });

  it('never writes a token, accepted or refused, to the log', async () => {
    const customerId = uniqueName('cust');
    await deposit(customerId, { authorization: 'Bearer refused-token-must-not-be-logged' });
    await deposit(customerId, { authorization: `Bearer ${testOperatorToken}` });
    const logged = JSON.stringify(shop.logs);
    expect(logged).not.toContain('refused-token-must-not-be-logged');
    expect(logged).not.toContain(testOperatorToken);
  });
});

describe("the customer's reads", () => {
  it('need no token: an account, a payment', async () => {
    expect(await call(shop.url('/accounts/nobody-here'), 'GET', undefined, { token: null })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await call(shop.url('/payments/00000000-0000-4000-8000-000000000000'), 'GET', undefined, { token: null })).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});

describe('the HTTP plumbing every service shares', () => {
  it('sends the security headers (helmet) on every answer, errors and health included', async () => {
    for (const route of ['/healthz', '/accounts/nobody-here', '/no/such/route']) {
      const answer = await fetch(shop.url(route));
      expect([route, answer.headers.get('x-content-type-options')]).toEqual([route, 'nosniff']);
      expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
  });

  it("allows the web front end's origin across origins, and no other", async () => {
    const preflight = (origin: string) =>
      fetch(shop.url('/accounts/ada/deposits'), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const allowed = await preflight(webOrigin);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(webOrigin);
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(shop.url('/accounts/nobody-here'), { headers: { origin: 'http://evil.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps the body limit: 413 payload_too_large over 64 KiB, for the operator too', async () => {
    const answer = await call(shop.url('/accounts/ada/deposits'), 'POST', JSON.stringify({ amountCents: 1, pad: 'x'.repeat(70_000) }));
    expect(answer).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });
});

describe('a payment process', () => {
  const kafka = testKafkaAccess();
  const env = async (extra: Record<string, string>) => {
    const db = await createTestDatabase('pay_auth_proc');
    const prefix = `${uniqueName('pay-auth')}.`;
    const revokeAcls = await kafka.grantShop(prefix);
    return { db, revokeAcls, env: { ...kafka.env('payment'), DATABASE_URL: db.url, TOPIC_PREFIX: prefix, LOG_LEVEL: 'info', ADMIN_TOKENS: '', ...extra } };
  };
  const logFile = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'pay-auth-')), 'payment.log');

  it('with no operator token refuses to start, saying why', async () => {
    const { db, revokeAcls, env: settings } = await env({});
    try {
      const file = logFile();
      const service = await startServiceProcess({ name: 'payment', port: await freePort(), env: settings, logFile: file, waitUntilReady: false });
      expect(await service.exited).toBe(1);
      await waitFor(() => /ADMIN_TOKENS: is required/.test(readFileSync(file, 'utf8')), { timeoutMs: 10_000, description: 'the reason in the log' });
      expect(readFileSync(file, 'utf8')).toMatch(/ADMIN_AUTH=off/);
    } finally {
      await revokeAcls();
      await db.drop();
    }
  }, 90_000);

  it('in the demo mode (ADMIN_AUTH=off) starts without one, says so, and takes a deposit without a token', async () => {
    const { db, revokeAcls, env: settings } = await env({ ADMIN_AUTH: 'off' });
    const file = logFile();
    const service = await startServiceProcess({ name: 'payment', port: await freePort(), env: settings, logFile: file, readyTimeoutMs: 90_000 });
    try {
      expect(await call(`${service.url}/accounts/demo/deposits`, 'POST', { amountCents: 300 }, { token: null })).toEqual({ status: 200, body: { customerId: 'demo', balanceCents: 300 } });
      const warning = readFileSync(file, 'utf8').split('\n').filter((line) => line.includes('ADMIN_AUTH=off'));
      expect(warning).toHaveLength(1);
      expect(JSON.parse(warning[0]!)).toMatchObject({ level: 'warn' });
    } finally {
      await service.stop();
      await revokeAcls();
      await db.drop();
    }
  }, 120_000);
});
