/**
 * The payment HTTP API (docs/architecture.md, "HTTP API"): validate → command → one transaction → respond.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { withTransaction, type Pool } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { HttpError, parseParam, pathParam, route, type Route } from '@webshop/service-kit';
import { paymentDecider } from '../../domain/decide';
import type { Account, Payment } from '../../domain/payment';
import { depositLedger, loadAccount, loadPayment } from '../pg/payment-store';
import { accountBody, customerIdParam, depositBody, paymentBody, uuid } from './schemas';

export const accountView = (account: Account): z.output<typeof accountBody> => ({ customerId: account.customerId, balanceCents: account.balanceCents });

/** The payment as the API shows it: the reason only when it was declined. */
export const paymentView = (payment: Payment): z.output<typeof paymentBody> => ({
  orderId: payment.orderId,
  customerId: payment.customerId,
  amountCents: payment.amountCents,
  status: payment.status,
  ...(payment.status === 'DECLINED' ? { declineReason: payment.reason } : {}),
});

/** The payment API's routes; a deposit is for operators only (service-kit's operator access). */
export function paymentRoutes({ pool, clock = () => new Date() }: { pool: Pool; clock?: () => Date }): Route[] {
  return [
    route({
      method: 'post',
      path: '/accounts/:customerId/deposits',
      summary: 'Deposit money on a customer\'s account (opened by the first deposit)',
      operator: true,
      params: z.object({ customerId: customerIdParam }),
      body: depositBody,
      responses: { 200: { description: 'the account after the deposit', schema: accountBody } },
      errors: { 422: ['balance_limit_exceeded'] },
      async handle(req, res, { body: { amountCents } }) {
        const customerId = parseParam(customerIdParam, req, 'customerId');
        const now = clock().toISOString();
        const { after } = await withTransaction(pool, (tx) =>
          decideAndRecord(tx, 'payment', paymentDecider, depositLedger(customerId, now), { type: 'Deposit', depositId: randomUUID(), customerId, amountCents, now }),
        );
        res.status(200).json(accountView(after.account!));
      },
    }),

    route({
      method: 'get',
      path: '/accounts/:customerId',
      summary: 'A customer\'s balance',
      params: z.object({ customerId: customerIdParam }),
      responses: { 200: { description: 'the account', schema: accountBody } },
      errors: { 404: ['not_found'] },
      async handle(req, res) {
        const customerId = pathParam(req, 'customerId');
        // An id the deposit route would refuse cannot name an account.
        const account = customerIdParam.safeParse(customerId).success ? await loadAccount(pool, customerId) : null;
        if (!account) throw new HttpError(404, 'not_found', `no account for customer ${customerId}`);
        res.json(accountView(account));
      },
    }),

    route({
      method: 'get',
      path: '/payments/:orderId',
      summary: 'The payment of an order',
      params: z.object({ orderId: uuid }),
      responses: { 200: { description: 'the payment; `declineReason` only when it was declined', schema: paymentBody } },
      errors: { 404: ['not_found'] },
      async handle(req, res) {
        const orderId = pathParam(req, 'orderId');
        const payment = uuid.safeParse(orderId).success ? await loadPayment(pool, orderId) : null;
        if (!payment) throw new HttpError(404, 'not_found', `no payment for order ${orderId}`);
        res.json(paymentView(payment));
      },
    }),
  ];
}
