/**
 * Payment's part in the order saga: what it does about each event of the orders topic.
 *   PurchaseRequested            → charge the order's total (PaymentProcessed) or decline it;
 *   OrderRejected/OrderCancelled → give the money back if it was taken (PaymentRefunded).
 * Events of one order share its key, so a purchase is always charged before it is compensated.
 * Pure: the ids and the time come in.
 */
import { byType } from '@webshop/domain';
import type { EventOf } from '@webshop/events';
import type { PaymentCommand } from '../domain/decide';

export const paymentTriggers = ['PurchaseRequested', 'OrderRejected', 'OrderCancelled'] as const;
export type PaymentTrigger = EventOf<(typeof paymentTriggers)[number]>;

const refund = (_event: unknown, { now }: { now: string }): PaymentCommand => ({ type: 'RefundPayment', now });

export const commandFor = byType<PaymentTrigger, [{ paymentId: string; now: string }], PaymentCommand>({
  PurchaseRequested: (event, { paymentId, now }) => ({ type: 'ChargeForPurchase', purchase: event.data, paymentId, now }),
  OrderRejected: refund,
  OrderCancelled: refund,
});
