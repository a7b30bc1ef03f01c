/**
 * Email's contact book: for each order, who to write to and what they ordered, folded from
 * PurchaseRequested (its "little bit of your data"). Applied live and in a replay, which rebuilds it
 * from the orders topic. The first PurchaseRequested of an order wins; a redelivery or a replay
 * changes nothing. Pure.
 */
import type { Projection } from '@webshop/domain';
import type { EventOf } from '@webshop/events';
import type { OrderContact } from '../domain/templates';

export const orderContactTriggers = ['PurchaseRequested'] as const;

export const orderContacts: Projection<OrderContact, EventOf<'PurchaseRequested'>> = {
  evolve: (known, { data }) =>
    known ?? {
      orderId: data.orderId,
      customerId: data.customerId,
      email: data.email,
      // The name on the shipping address: the only name the order carries.
      name: data.shippingAddress.name,
      items: data.items,
      totalCents: data.totalCents,
      requestedAt: data.requestedAt,
    },
};
