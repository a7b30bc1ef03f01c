/**
 * The stock service: owns the catalogue and the stock levels, reserves every line of a purchase or
 * none, sells the reserved units when the order is confirmed and puts them back when it is rejected
 * or cancelled. Every level it changes is published on the products topic.
 *
 * Reads: orders. Writes: stock, products.
 */
import type { ServiceDefinition } from '@webshop/service-kit';
import { stockRoutes } from './adapters/http/router';
import { consumedTopics, stockEventHandlers } from './adapters/kafka/handlers';
import { migrations } from './adapters/pg/migrations';

export const stockService: ServiceDefinition = {
  name: 'stock',
  migrations,
  operatorRoutes: true, // product changes, restocks
  consumes: { topics: consumedTopics, handlers: () => stockEventHandlers() },
  async start({ pool }) {
    return { routes: stockRoutes({ pool }) };
  },
};
