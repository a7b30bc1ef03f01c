/** The order and its timeline entries as the API shows them. */
import type { z } from 'zod';
import type { Order } from '../../domain/order';
import type { TimelineEntry } from '../pg/timeline-store';
import type { orderBody, timelineEntryBody } from './schemas';

export const orderView = (order: Order): z.output<typeof orderBody> => ({
  orderId: order.orderId,
  customerId: order.customerId,
  email: order.email,
  items: order.items,
  totalCents: order.totalCents,
  status: order.status,
  ...(order.rejectionReason ? { rejectionReason: order.rejectionReason } : {}),
  ...(order.cancellation ? { cancellationRequestedAt: order.cancellation.requestedAt } : {}),
  shippingAddress: order.shippingAddress,
  createdAt: order.createdAt,
  updatedAt: order.updatedAt,
});

/** An entry without its position, which only the live stream shows (as the event's id). */
export const timelineView = ({ position: _position, ...entry }: TimelineEntry): z.output<typeof timelineEntryBody> => entry;
