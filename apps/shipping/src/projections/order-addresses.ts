/**
 * Shipping's copy of where each order goes, folded from PurchaseRequested (its "little bit of your
 * data"): applied live and in a replay, which rebuilds it from the orders topic. The first
 * PurchaseRequested of an order wins; a redelivery or a replay changes nothing. Pure.
 */
import type { EventOf, ShippingAddress } from '@webshop/events';
import type { Projection } from '@webshop/domain';

export interface OrderAddress {
  orderId: string;
  customerId: string;
  address: ShippingAddress;
  requestedAt: string;
}

export const orderAddressTriggers = ['PurchaseRequested'] as const;

export const orderAddresses: Projection<OrderAddress, EventOf<'PurchaseRequested'>> = {
  evolve: (known, { data }) => known ?? { orderId: data.orderId, customerId: data.customerId, address: data.shippingAddress, requestedAt: data.requestedAt },
};
