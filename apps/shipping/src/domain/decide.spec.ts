import { deciderSpec } from '@webshop/testing';
import { shippingDecider, type ShippingCommand } from './decide';
import type { ShipmentEvent } from './shipment';

const orderId = '6f1c2a54-4d43-4c38-9d0a-0f8e3c1b2a01';
const shipmentId = 'a4d1a1f0-5b5e-4f0e-9f63-2c7e1d0b9a11';
const otherShipmentId = 'b5e2b2f1-6c6f-4a1f-8a74-3d8f2e1c0b22';
const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();

const scheduled: ShipmentEvent = { type: 'ShipmentScheduled', data: { orderId, shipmentId, trackingNumber: null, at: at(1) } };
const dispatched: ShipmentEvent = { type: 'ShipmentDispatched', data: { orderId, shipmentId, trackingNumber: 'TRK-AB12CD34EF', at: at(2) } };
const delivered: ShipmentEvent = { type: 'ShipmentDelivered', data: { orderId, shipmentId, trackingNumber: 'TRK-AB12CD34EF', at: at(3) } };
const cancelled: ShipmentEvent = { type: 'ShipmentCancelled', data: { orderId, shipmentId, trackingNumber: null, at: at(4) } };

const spec = deciderSpec(shippingDecider);
const schedule = (s: number, id = shipmentId): ShippingCommand => ({ type: 'ScheduleShipment', orderId, shipmentId: id, now: at(s) });
const dispatch = (s: number, trackingNumber = 'TRK-AB12CD34EF'): ShippingCommand => ({ type: 'DispatchShipment', orderId, trackingNumber, now: at(s) });
const deliver = (s: number): ShippingCommand => ({ type: 'DeliverShipment', orderId, now: at(s) });
const cancel = (s: number): ShippingCommand => ({ type: 'CancelShipment', now: at(s) });

/** The shipment the events fold into (null when none was scheduled). */
const shipmentAfter = (...events: ShipmentEvent[]) => spec.given(events).state;

describe('scheduling', () => {
  it('schedules a shipment without a tracking number when the order is confirmed', () => {
    const after = spec.given().when(schedule(1)).then([scheduled]).state;
    expect(after).toEqual({ status: 'SCHEDULED', orderId, shipmentId, scheduledAt: at(1) });
  });

  it('schedules only once per order, whatever became of the first shipment', () => {
    const again = schedule(9, otherShipmentId);
    spec.given([scheduled]).when(again).thenNothingHappened();
    spec.given([scheduled, dispatched, delivered]).when(again).thenNothingHappened();
    spec.given([scheduled, cancelled]).when(again).thenNothingHappened();
  });
});

/** A refusal of `command` on the shipment `events` tell: 409 invalid_shipment_state, naming the status. */
function expectRefusal(events: ShipmentEvent[], command: ShippingCommand, status: string) {
  const error = spec.given(events).when(command).thenThrows('invalid_shipment_state');
  expect(error.status).toBe(409);
  expect(error.facts).toEqual({ currentStatus: status });
  expect(error.message).toMatch(new RegExp(`is ${status}`));
}

describe('dispatching', () => {
  it('dispatches a scheduled shipment with the tracking number it is given', () => {
    const after = spec.given([scheduled]).when(dispatch(2)).then([dispatched]).state;
    expect(after).toMatchObject({ status: 'DISPATCHED', trackingNumber: 'TRK-AB12CD34EF', dispatchedAt: at(2), scheduledAt: at(1) });
  });

  it.each([
    ['DISPATCHED', [scheduled, dispatched]],
    ['DELIVERED', [scheduled, dispatched, delivered]],
    ['CANCELLED', [scheduled, cancelled]],
  ] as Array<[string, ShipmentEvent[]]>)('refuses a shipment that is %s, saying so', (status, events) => {
    expectRefusal(events, dispatch(9, 'TRK-ZZZZZZZZZZ'), status);
  });

  it('refuses an order without a shipment as not found', () => {
    const error = spec.given().when(dispatch(2)).thenThrows('not_found');
    expect({ status: error.status, message: error.message }).toEqual({ status: 404, message: `no shipment for order ${orderId}` });
  });
});

describe('delivering', () => {
  it('delivers a dispatched shipment, keeping its tracking number', () => {
    const after = spec.given([scheduled, dispatched]).when(deliver(3)).then([delivered]).state;
    expect(after).toEqual({
      status: 'DELIVERED',
      orderId,
      shipmentId,
      trackingNumber: 'TRK-AB12CD34EF',
      scheduledAt: at(1),
      dispatchedAt: at(2),
      deliveredAt: at(3),
    });
  });

  it.each([
    ['SCHEDULED', [scheduled]],
    ['DELIVERED', [scheduled, dispatched, delivered]],
    ['CANCELLED', [scheduled, cancelled]],
  ] as Array<[string, ShipmentEvent[]]>)('refuses a shipment that is %s', (status, events) => {
    expectRefusal(events, deliver(9), status);
  });

  it('refuses an order without a shipment as not found', () => {
    expect(spec.given().when(deliver(3)).thenThrows('not_found').status).toBe(404);
  });
});

describe('cancelling', () => {
  it('cancels a shipment that has not left yet', () => {
    const after = spec.given([scheduled]).when(cancel(4)).then([cancelled]).state;
    expect(after).toEqual({ status: 'CANCELLED', orderId, shipmentId, scheduledAt: at(1), cancelledAt: at(4) });
  });

  it('does nothing once the parcel is on its way or delivered', () => {
    spec.given([scheduled, dispatched]).when(cancel(4)).thenNothingHappened();
    spec.given([scheduled, dispatched, delivered]).when(cancel(4)).thenNothingHappened();
  });

  it('does nothing when there is no shipment yet, or it is cancelled already', () => {
    spec.given().when(cancel(4)).thenNothingHappened();
    spec.given([scheduled, cancelled]).when(cancel(5)).thenNothingHappened();
  });
});

describe('the shipment as its events tell it', () => {
  it('changes nothing when an event is applied twice', () => {
    expect(shipmentAfter(scheduled, scheduled, dispatched, dispatched, delivered, delivered)).toEqual(shipmentAfter(scheduled, dispatched, delivered));
  });

  it('never moves a status backwards', () => {
    expect(shipmentAfter(scheduled, dispatched, cancelled)?.status).toBe('DISPATCHED');
    expect(shipmentAfter(scheduled, cancelled, dispatched)?.status).toBe('CANCELLED');
    expect(shipmentAfter(scheduled, delivered)?.status).toBe('SCHEDULED');
  });

  it('ignores facts about a shipment it never saw scheduled', () => {
    expect(shipmentAfter(dispatched, delivered)).toBeNull();
  });
});
