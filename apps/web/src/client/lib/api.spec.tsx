import { renderToStaticMarkup } from 'react-dom/server';
import { api, ApiError, explain, operatorToken, setOperatorToken } from './api';
import { ErrorMessage } from './ui';

/** fetch as the web server would answer one request (the browser's fetch, without a browser). */
const answering = (status: number, body: unknown) =>
  jest.fn(async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

describe('API errors as a person reads them', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it("shows a refusal (409) in the API's own words, with its code", async () => {
    globalThis.fetch = answering(409, { error: 'not_cancellable', message: 'the parcel has already been dispatched' });
    const error = (await api('orders', '/orders/o1/cancel', { method: 'POST' }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({ status: 409, code: 'not_cancellable', message: 'the parcel has already been dispatched' });
    const html = renderToStaticMarkup(<ErrorMessage error={error} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('the parcel has already been dispatched');
    expect(html).toContain('[not_cancellable, HTTP 409]');
  });

  it('names the service that is down (the proxy says 502 service_unavailable)', async () => {
    globalThis.fetch = answering(502, { error: 'service_unavailable', message: 'The shipping service is not answering (ECONNREFUSED); try again once it is back.', service: 'shipping' });
    const error = (await api('shipping', '/shipments/o1/dispatch', { method: 'POST' }).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe('The shipping service is not answering (ECONNREFUSED); try again once it is back.');
    expect(explain('shipping', 502, { error: 'service_unavailable' })).toBe('The shipping service is not answering right now.');
    expect(error.code).toBe('service_unavailable');
  });

  it('explains validation failures field by field, a 5xx without a body, and the web server not answering', async () => {
    expect(explain('orders', 400, { error: 'validation_failed', message: 'invalid request', details: [{ path: 'items.0.quantity', message: 'too small' }] })).toBe(
      'The orders service refused the request: invalid request (items.0.quantity: too small)',
    );
    globalThis.fetch = answering(500, '<html>oops</html>');
    expect(await api('stock', '/products').catch((e: ApiError) => [e.code, e.message])).toEqual(['http_500', 'The stock service failed (HTTP 500).']);
    globalThis.fetch = jest.fn(async () => {
      throw new TypeError('fetch failed');
    });
    expect(await api('stock', '/products').catch((e: ApiError) => [e.service, e.code])).toEqual(['web', 'network_error']);
  });

  it('hands a success back parsed', async () => {
    globalThis.fetch = answering(202, { orderId: 'o1', status: 'PENDING' });
    expect(await api('orders', '/orders', { method: 'POST', body: {} })).toEqual({ status: 202, body: { orderId: 'o1', status: 'PENDING' } });
  });
});

describe("the operator's calls", () => {
  const realFetch = globalThis.fetch;
  const store = new Map<string, string>();
  beforeAll(() => {
    Object.defineProperty(globalThis, 'sessionStorage', {
      configurable: true,
      value: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) },
    });
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
    store.clear();
  });

  it('carry the token typed into the admin panel as a Bearer token; the customer\'s carry none', async () => {
    const fetched = answering(200, {});
    globalThis.fetch = fetched;
    setOperatorToken('  typed-token  ');
    await api('payment', '/accounts/alice/deposits', { method: 'POST', body: { amountCents: 1 }, operator: true });
    await api('orders', '/orders', { method: 'POST', body: {} });
    const headersOf = (call: number) => (fetched.mock.calls[call] as unknown as [string, RequestInit])[1].headers as Record<string, string>;
    expect(headersOf(0)['authorization']).toBe('Bearer typed-token');
    expect(headersOf(1)['authorization']).toBeUndefined();
    setOperatorToken('');
    expect(operatorToken()).toBe('');
  });

  it('say what to do on 401 unauthorized and 403 forbidden', () => {
    expect(explain('payment', 401, { error: 'unauthorized', message: 'this operation is for operators' })).toMatch(/enter the operator token in the admin panel/);
    expect(explain('payment', 403, { error: 'forbidden', message: 'the operator token is not accepted' })).toMatch(/operator token was not accepted/);
  });
});
