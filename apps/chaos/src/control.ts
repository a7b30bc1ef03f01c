/**
 * The control step: proves no check is vacuous. It plants one corruption of each kind the checks
 * look for in this run's private state (never anyone else's), takes a new snapshot, runs the very
 * same checks and expects each planted corruption to be reported by the check meant to see it.
 * It runs last: the shop is not fit for anything after it.
 */
import nodemailer from 'nodemailer';
import { withDatabase } from './snapshot';
import type { Shop } from './supervisor';

export interface Plant {
  what: string;
  /** The check that must now fail (its name in checks.ts). */
  check: string;
  plant: (shop: Shop) => Promise<void>;
}

export const plants: Plant[] = [
  {
    what: 'a balance one cent higher than its deposits and payments',
    check: 'per customer: balance = deposits − processed payments, never negative',
    plant: (shop) => withDatabase(shop.databaseUrl.payment, async (c) => void (await c.query("UPDATE accounts SET balance_cents = balance_cents + 1 WHERE customer_id = 'rich-0'"))),
  },
  {
    what: 'a doubled effect: a second PaymentProcessed in an order timeline',
    check: 'no effect twice in any timeline',
    plant: (shop) =>
      withDatabase(shop.databaseUrl.orders, async (c) => {
        const { rowCount } = await c.query(`
          INSERT INTO timeline (order_id, event_id, type, topic, partition, "offset", occurred_at, producer, data, position)
          SELECT order_id, gen_random_uuid(), type, topic, partition, "offset", occurred_at, producer, data,
                 (SELECT max(position) + 1 FROM timeline t2 WHERE t2.order_id = t.order_id)
          FROM timeline t WHERE type = 'PaymentProcessed' LIMIT 1`);
        if (rowCount !== 1) throw new Error('no PaymentProcessed to double');
      }),
  },
  {
    what: 'a million units of stock out of nowhere',
    check: 'per sku: restocked = available + reserved + sold, never negative',
    plant: (shop) => withDatabase(shop.databaseUrl.stock, async (c) => void (await c.query("UPDATE products SET available = available + 1000000 WHERE sku = 'CHAOS-TEA'"))),
  },
  {
    what: 'a second, different mail for an (order, template) that had one',
    check: 'exactly one email per (order, template) at the SMTP catcher',
    plant: async (shop) => {
      const sent = shop.mail.messages.find((m) => /^<[^@]+@webshop>$/.test(m.messageId));
      if (!sent) throw new Error('no mail to copy');
      await mailAgain(shop, sent.to, sent.subject, `<${crypto.randomUUID()}@webshop>`);
    },
  },
  {
    what: 'a mail delivered twice with one Message-ID, no crash before it',
    check: 'a mail delivered twice (same Message-ID) only after an email instance crashed',
    plant: async (shop) => {
      const sent = shop.mail.messages.find((m) => /^<[^@]+@webshop>$/.test(m.messageId));
      if (!sent) throw new Error('no mail to copy');
      await mailAgain(shop, sent.to, sent.subject, sent.messageId);
    },
  },
  {
    what: 'an order left PENDING',
    check: 'every accepted order exists and is final',
    plant: (shop) =>
      withDatabase(shop.databaseUrl.orders, async (c) => void (await c.query("UPDATE orders SET status = 'PENDING' WHERE order_id = (SELECT order_id FROM orders WHERE status = 'DELIVERED' LIMIT 1)"))),
  },
];

async function mailAgain(shop: Shop, to: string, subject: string, messageId: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: shop.mail.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ from: 'chaos@example.com', to, subject, text: 'planted by the chaos control step', messageId });
  } finally {
    transport.close();
  }
}
