import { deciderSpec } from '@webshop/testing';
import { evolve, noOrder, type OrderEvent } from '../domain/order';
import { asked, at, cancelled, confirmed, declined, dispatched, orderId, paid, paymentId, requested, reserved, scheduled, shipmentCancelled, unavailable } from '../testing/order-story';
import { orderSaga, type SagaStep } from './order-saga';

// The saga decides on the order the events fold into; its own decisions are folded in like any event.
const saga = deciderSpec<SagaStep, ReturnType<typeof noOrder>, OrderEvent>({ decide: orderSaga.decide, evolve, initialState: noOrder });
const react: SagaStep = { now: at(9) };

describe('the order saga', () => {
  it('waits while only one answer is in', () => {
    saga.given([requested]).when(react).thenNothingHappened();
    saga.given([requested, paid]).when(react).thenNothingHappened();
    saga.given([requested, reserved]).when(react).thenNothingHappened();
  });

  it('confirms when payment and stock both succeeded, whichever answered first', () => {
    const orderConfirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId, paymentId, confirmedAt: at(9) } };
    saga.given([requested, paid, reserved]).when(react).then([orderConfirmed]);
    saga.given([requested, reserved, paid]).when(react).then([orderConfirmed]);
  });

  it('rejects with PAYMENT_DECLINED when the payment is declined', () => {
    saga.given([requested, reserved, declined]).when(react).then([
      { type: 'OrderRejected', data: { orderId, reason: 'PAYMENT_DECLINED', detail: 'the balance does not cover the total', rejectedAt: at(9) } },
    ]);
  });

  it('rejects with OUT_OF_STOCK, naming what was short, as soon as stock is unavailable', () => {
    saga.given([requested, unavailable]).when(react).then([
      { type: 'OrderRejected', data: { orderId, reason: 'OUT_OF_STOCK', detail: 'TEA-1: requested 2, available 1', rejectedAt: at(9) } },
    ]);
  });

  it('rejects only once when both fail', () => {
    const rejected = saga.given([requested, unavailable]).when(react).then([expect.objectContaining({ type: 'OrderRejected' })]);
    saga.givenState(rejected.state, [declined]).when(react).thenNothingHappened();
  });

  it('does nothing for answers that come after a cancellation', () => {
    saga.given([requested, cancelled, paid, reserved]).when(react).thenNothingHappened();
  });
});

describe('the order saga on a cancellation', () => {
  const orderCancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId, reason: 'r', cancelledAt: at(9) } };

  it('cancels the order when shipping answers that the shipment is cancelled', () => {
    saga.given([requested, paid, reserved, confirmed, scheduled, asked]).when(react).thenNothingHappened();
    const after = saga.given([requested, paid, reserved, confirmed, scheduled, asked, shipmentCancelled]).when(react).then([orderCancelled]);
    after.when(react).thenNothingHappened();
    expect(after.state?.status).toBe('CANCELLED');
  });

  it('comes to the same order whichever of the request and the answer a replay reads first', () => {
    const answerFirst = saga.given([requested, paid, reserved, confirmed, scheduled, shipmentCancelled, asked]);
    expect(answerFirst.state).toEqual(saga.given([requested, paid, reserved, confirmed, scheduled, asked, shipmentCancelled]).state);
    answerFirst.when(react).then([orderCancelled]);
  });

  it('lets the dispatch stand when the parcel left before shipping saw the request', () => {
    const shipped = saga.given([requested, paid, reserved, confirmed, scheduled, asked, dispatched]);
    expect(shipped.state?.status).toBe('SHIPPED');
    shipped.when(react).thenNothingHappened();
  });

  it('ignores a ShipmentCancelled nobody asked for (an older OrderCancelled already cancelled the order)', () => {
    expect(saga.given([requested, paid, reserved, confirmed, cancelled, shipmentCancelled]).state).toMatchObject({
      status: 'CANCELLED',
      cancellation: null,
      shipmentCancelled: true,
    });
    saga.given([requested, paid, reserved, confirmed, shipmentCancelled]).when(react).thenNothingHappened();
  });
});
