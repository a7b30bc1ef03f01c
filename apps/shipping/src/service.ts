/**
 * The shipping service: keeps its own copy of where each order goes, schedules a shipment when an
 * order is confirmed, cancels it when the order is cancelled before the parcel left, and dispatches
 * and delivers it by API or, with AUTO_DISPATCH_MS, on its own.
 *
 * Reads: orders. Writes: shipments.
 */
import type { ServiceDefinition } from '@webshop/service-kit';
import { startAutoDispatcher } from './adapters/auto-dispatch/auto-dispatcher';
import { shippingRoutes } from './adapters/http/router';
import { consumedTopics, shippingEventHandlers } from './adapters/kafka/handlers';
import { migrations, projectionTables } from './adapters/pg/migrations';
import type { Config } from './config';

export const shippingService: ServiceDefinition<Config> = {
  name: 'shipping',
  migrations,
  operatorRoutes: true, // dispatch, deliver
  consumes: { topics: consumedTopics, handlers: ({ logger }) => shippingEventHandlers('live', { logger }) },
  projections: { tables: projectionTables.map((name) => ({ name })), handlers: ({ logger }) => shippingEventHandlers('replay', { logger }) },
  async start({ pool, logger, config }) {
    const { AUTO_DISPATCH_MS } = config;
    const dispatcher = AUTO_DISPATCH_MS ? startAutoDispatcher({ pool, afterMs: AUTO_DISPATCH_MS, logger }) : undefined;
    if (dispatcher) logger.info('dispatching and delivering shipments automatically', { afterMs: AUTO_DISPATCH_MS });
    return { routes: shippingRoutes({ pool }), stop: async () => dispatcher?.stop() };
  },
};
