/**
 * The orders service: takes orders over HTTP, prices them from its copy of the catalogue, runs the
 * order saga on the answers of payment and stock, and keeps the order view and timeline.
 *
 * Reads: orders, payments, stock, products, shipments, emails. Writes: orders.
 */
import type { ServiceDefinition } from '@webshop/service-kit';
import { ordersRoutes } from './adapters/http/router';
import type { Config } from './config';
import { consumedTopics, orderEventHandlers } from './adapters/kafka/handlers';
import { listenForOrderChanges } from './adapters/pg/order-changes';
import { migrations, projectionTables } from './adapters/pg/migrations';

export const ordersService: ServiceDefinition<Config> = {
  name: 'orders',
  migrations,
  consumes: { topics: consumedTopics, handlers: () => orderEventHandlers('live') },
  projections: {
    // A timeline entry's seq and position are taken at insert, in commit order: a rebuild numbers
    // them anew (a stream resumed across it may repeat entries), so they are not compared.
    tables: projectionTables.map((name) =>
      name === 'timeline' ? { name, columns: ['event_id', 'order_id', 'type', 'topic', 'partition', 'offset', 'occurred_at', 'producer', 'data'] } : { name },
    ),
    handlers: () => orderEventHandlers('replay'),
  },
  async start({ pool, logger, config, stopping }) {
    const changes = listenForOrderChanges(pool, (error) => logger.warn('order change feed interrupted; re-reading', { err: error }));
    return { routes: ordersRoutes({ pool, changes, stopping, cancelWaitMs: config.CANCEL_WAIT_MS }), stop: () => changes.stop() };
  },
};
