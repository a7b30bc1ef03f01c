/**
 * Orders's OpenAPI document against the service itself, started as main.ts starts it on real Kafka
 * and Postgres: /openapi.json (no token needed) names exactly the routes its express app has, is
 * valid OpenAPI 3.1, and asks for the operator token where the service does.
 */
import { call, documentedRoutes, expressRoutes, openApiVerdict, securedRoutes, startServiceHarness, type ServiceHarness } from '@webshop/testing';
import { ordersService } from './service';

let shop: ServiceHarness;
let document: object;
beforeAll(async () => {
  shop = await startServiceHarness(ordersService, { label: 'orders_openapi', reads: ['orders'] });
  const answer = await call(shop.url('/openapi.json'), 'GET', undefined, { token: null });
  expect(answer.status).toBe(200);
  document = answer.body as object;
});
afterAll(async () => {
  await shop?.stop();
});

describe('the orders OpenAPI document', () => {
  it('documents every route the service has, and only those, as valid OpenAPI 3.1', async () => {
    expect(documentedRoutes(document)).toEqual(expressRoutes(shop.running.app));
    expect(await openApiVerdict(document)).toBe('valid');
  });

  it('asks for no token anywhere', () => {
    expect(securedRoutes(document)).toEqual([]);
  });
});
