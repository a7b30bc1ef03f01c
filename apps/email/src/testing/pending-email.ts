/** A PENDING confirmation email to `to`, as the sender's tests store it before it goes out. */
import { randomUUID } from 'node:crypto';
import type { Email } from '../domain/email';

export const pendingEmail = (to: string): Email => ({
  emailId: randomUUID(),
  orderId: randomUUID(),
  template: 'ORDER_CONFIRMED',
  to,
  subject: 'Your order is confirmed',
  body: 'Hello',
  createdAt: new Date().toISOString(),
  attempts: 0,
  status: 'PENDING',
  lastError: null,
});
