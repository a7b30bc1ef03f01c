/** What the shipping API accepts, checked once at the edge, and what it answers. */
import { z } from 'zod';
import { shipmentStatuses } from '../../domain/shipment';

export const uuid = z.string().uuid();

/** The shipment as the API shows it (`shipmentView` is typed by it): fields that do not apply yet are left out. */
export const shipmentBody = z.object({
  orderId: z.string().uuid(),
  shipmentId: z.string().uuid(),
  status: z.enum(shipmentStatuses),
  address: z.object({ name: z.string(), line1: z.string(), city: z.string(), postalCode: z.string(), country: z.string() }),
  trackingNumber: z.string().optional().describe('from dispatch on'),
  scheduledAt: z.iso.datetime(),
  dispatchedAt: z.iso.datetime().optional(),
  deliveredAt: z.iso.datetime().optional(),
});
