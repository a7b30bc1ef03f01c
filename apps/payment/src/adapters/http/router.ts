/**
 * The payment HTTP API (docs/architecture.md, "HTTP API"): validate → command → one transaction → respond.
 */
import { randomUUID } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { withTransaction, type Pool } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { HttpError, parseBody, parseParam, pathParam } from '@webshop/service-kit';
import { paymentDecider } from '../../domain/decide';
import type { Account, Payment } from '../../domain/payment';
import { depositLedger, loadAccount, loadPayment } from '../pg/payment-store';
import { customerIdParam, depositBody, uuid } from './schemas';

export const accountView = (account: Account) => ({ customerId: account.customerId, balanceCents: account.balanceCents });

/** The payment as the API shows it: the reason only when it was declined. */
export const paymentView = (payment: Payment) => ({
  orderId: payment.orderId,
  customerId: payment.customerId,
  amountCents: payment.amountCents,
  status: payment.status,
  ...(payment.status === 'DECLINED' ? { declineReason: payment.reason } : {}),
});

/** `operatorOnly` guards what only an operator may do: deposits (service-kit's operator access). */
export function paymentRouter({ pool, operatorOnly, clock = () => new Date() }: { pool: Pool; operatorOnly: RequestHandler; clock?: () => Date }): Router {
  const router = Router();

  router.post('/accounts/:customerId/deposits', operatorOnly, async (req, res) => {
    const customerId = parseParam(customerIdParam, req, 'customerId');
    const { amountCents } = parseBody(depositBody, req.body);
    const now = clock().toISOString();
    const { after } = await withTransaction(pool, (tx) =>
      decideAndRecord(tx, 'payment', paymentDecider, depositLedger(customerId, now), { type: 'Deposit', depositId: randomUUID(), customerId, amountCents, now }),
    );
    res.status(200).json(accountView(after.account!));
  });

  router.get('/accounts/:customerId', async (req, res) => {
    const customerId = pathParam(req, 'customerId');
    // An id the deposit route would refuse cannot name an account.
    const account = customerIdParam.safeParse(customerId).success ? await loadAccount(pool, customerId) : null;
    if (!account) throw new HttpError(404, 'not_found', `no account for customer ${customerId}`);
    res.json(accountView(account));
  });

  router.get('/payments/:orderId', async (req, res) => {
    const orderId = pathParam(req, 'orderId');
    const payment = uuid.safeParse(orderId).success ? await loadPayment(pool, orderId) : null;
    if (!payment) throw new HttpError(404, 'not_found', `no payment for order ${orderId}`);
    res.json(paymentView(payment));
  });

  return router;
}
