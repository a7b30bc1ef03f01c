/**
 * Hostile requests to the email API, on real Kafka and Postgres: a string Postgres cannot store in
 * a query value is a 400 validation_failed naming it, and no request of any shape is a 5xx.
 */
import { randomUUID } from 'node:crypto';
import { call, hostileRequests, sendHostileRequests, startMailCatcher, startServiceHarness, tableFingerprint, type MailCatcher, type ServiceHarness } from '@webshop/testing';
import { emailService } from './service';

let shop: ServiceHarness;
let mail: MailCatcher;
beforeAll(async () => {
  mail = await startMailCatcher();
  shop = await startServiceHarness(emailService, { label: 'email_hostile', reads: ['emails'], env: { SMTP_URL: mail.url, MAIL_FROM: 'Webshop <shop@example.com>' } });
});
afterAll(async () => {
  await shop?.stop();
  await mail?.stop();
});

const stored = () => tableFingerprint(shop.db.pool, { emails: '*', order_contacts: '*', outbox: 'event_id' });
const refusedNaming = (field: string) => ({
  status: 400,
  body: expect.objectContaining({ error: 'validation_failed', details: expect.arrayContaining([expect.objectContaining({ path: field })]) }),
});

describe('hostile input to the email API', () => {
  it('refuses a NUL in a query value, naming it', async () => {
    expect(await call(shop.url('/emails?to=ada%00@example.com'), 'GET')).toMatchObject(refusedNaming('query.to'));
    expect(await call(shop.url('/emails?orderId=%00'), 'GET')).toMatchObject(refusedNaming('query.orderId'));
    expect(await call(shop.url('/emails?to=a&to=b'), 'GET')).toMatchObject(refusedNaming('to'));
    expect(await call(shop.url('/emails?to=ada@example.com'), 'GET')).toEqual({ status: 200, body: [] });
  });

  it('answers a few hundred generated hostile requests without a 5xx, with the error contract, changing nothing', async () => {
    const before = await stored();
    const requests = hostileRequests(
      [
        { method: 'GET', path: '/emails', query: { orderId: randomUUID(), to: 'ada@example.com', limit: '10' }, readOnly: true },
        { method: 'GET', path: '/emails', query: { to: 'ada@example.com' }, readOnly: true },
        { method: 'GET', path: '/emails/{id}', params: { id: randomUUID() }, readOnly: true },
      ],
      { seed: 99, count: 240 },
    );
    const results = await sendHostileRequests(shop.url(''), requests);
    const failures = results.filter((r) => r.status >= 500 || (r.status >= 400 && typeof (r.body as { error?: unknown })?.error !== 'string'));
    expect(failures.map((f) => ({ status: f.status, path: f.request.path.slice(0, 120), what: f.request.what, body: f.body }))).toEqual([]);
    expect(await stored()).toEqual(before);
  });
});
