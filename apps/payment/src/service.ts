/**
 * The payment service: keeps customers' accounts, charges each purchase (or declines it) and gives
 * the money back when the order is rejected or cancelled after it was charged.
 *
 * Reads: orders. Writes: payments.
 */
import type { ServiceDefinition } from '@webshop/service-kit';
import { paymentRoutes } from './adapters/http/router';
import { consumedTopics, paymentEventHandlers } from './adapters/kafka/handlers';
import { migrations } from './adapters/pg/migrations';

export const paymentService: ServiceDefinition = {
  name: 'payment',
  migrations,
  operatorRoutes: true, // deposits
  consumes: { topics: consumedTopics, handlers: () => paymentEventHandlers() },
  async start({ pool }) {
    return { routes: paymentRoutes({ pool }) };
  },
};
