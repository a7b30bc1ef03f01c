import { cancelShipment, deliverShipment, dispatchShipment, scheduleShipment, ShipmentRuleViolation } from './decide';
import { evolve, type Shipment, type ShipmentEvent } from './shipment';

const orderId = '6f1c2a54-4d43-4c38-9d0a-0f8e3c1b2a01';
const shipmentId = 'a4d1a1f0-5b5e-4f0e-9f63-2c7e1d0b9a11';
const otherShipmentId = 'b5e2b2f1-6c6f-4a1f-8a74-3d8f2e1c0b22';
const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();

const scheduled: ShipmentEvent = { type: 'ShipmentScheduled', data: { orderId, shipmentId, trackingNumber: null, at: at(1) } };
const dispatched: ShipmentEvent = { type: 'ShipmentDispatched', data: { orderId, shipmentId, trackingNumber: 'TRK-AB12CD34EF', at: at(2) } };
const delivered: ShipmentEvent = { type: 'ShipmentDelivered', data: { orderId, shipmentId, trackingNumber: 'TRK-AB12CD34EF', at: at(3) } };
const cancelled: ShipmentEvent = { type: 'ShipmentCancelled', data: { orderId, shipmentId, trackingNumber: null, at: at(4) } };

/** given(events) → the shipment they fold into (null when none was scheduled). */
const given = (...events: ShipmentEvent[]): Shipment | null => events.reduce<Shipment | null>(evolve, null);
const givenShipment = (...events: ShipmentEvent[]): Shipment => {
  const shipment = given(...events);
  if (!shipment) throw new Error('no shipment');
  return shipment;
};

describe('scheduling', () => {
  const command = { orderId, shipmentId, now: at(1) };

  it('schedules a shipment without a tracking number when the order is confirmed', () => {
    expect(scheduleShipment(given(), command)).toEqual([scheduled]);
    expect(given(scheduled)).toEqual({ status: 'SCHEDULED', orderId, shipmentId, scheduledAt: at(1) });
  });

  it('schedules only once per order, whatever became of the first shipment', () => {
    const again = { ...command, shipmentId: otherShipmentId, now: at(9) };
    expect(scheduleShipment(given(scheduled), again)).toEqual([]);
    expect(scheduleShipment(given(scheduled, dispatched, delivered), again)).toEqual([]);
    expect(scheduleShipment(given(scheduled, cancelled), again)).toEqual([]);
  });
});

describe('dispatching', () => {
  it('dispatches a scheduled shipment with the tracking number it is given', () => {
    const event = dispatchShipment(givenShipment(scheduled), { trackingNumber: 'TRK-AB12CD34EF', now: at(2) });
    expect(event).toEqual(dispatched);
    expect(given(scheduled, event)).toMatchObject({ status: 'DISPATCHED', trackingNumber: 'TRK-AB12CD34EF', dispatchedAt: at(2), scheduledAt: at(1) });
  });

  it.each([
    ['DISPATCHED', [scheduled, dispatched]],
    ['DELIVERED', [scheduled, dispatched, delivered]],
    ['CANCELLED', [scheduled, cancelled]],
  ] as Array<[string, ShipmentEvent[]]>)('refuses a shipment that is %s, saying so', (status, events) => {
    const attempt = () => dispatchShipment(givenShipment(...events), { trackingNumber: 'TRK-ZZZZZZZZZZ', now: at(9) });
    expect(attempt).toThrow(ShipmentRuleViolation);
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_shipment_state', currentStatus: status }));
    expect(attempt).toThrow(new RegExp(`is ${status}`));
  });
});

describe('delivering', () => {
  it('delivers a dispatched shipment, keeping its tracking number', () => {
    const event = deliverShipment(givenShipment(scheduled, dispatched), { now: at(3) });
    expect(event).toEqual(delivered);
    expect(given(scheduled, dispatched, event)).toEqual({
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
    expect(() => deliverShipment(givenShipment(...events), { now: at(9) })).toThrow(
      expect.objectContaining({ code: 'invalid_shipment_state', currentStatus: status }),
    );
  });
});

describe('cancelling', () => {
  it('cancels a shipment that has not left yet', () => {
    expect(cancelShipment(given(scheduled), { now: at(4) })).toEqual([cancelled]);
    expect(given(scheduled, cancelled)).toEqual({ status: 'CANCELLED', orderId, shipmentId, scheduledAt: at(1), cancelledAt: at(4) });
  });

  it('does nothing once the parcel is on its way or delivered', () => {
    expect(cancelShipment(given(scheduled, dispatched), { now: at(4) })).toEqual([]);
    expect(cancelShipment(given(scheduled, dispatched, delivered), { now: at(4) })).toEqual([]);
  });

  it('does nothing when there is no shipment yet, or it is cancelled already', () => {
    expect(cancelShipment(given(), { now: at(4) })).toEqual([]);
    expect(cancelShipment(given(scheduled, cancelled), { now: at(5) })).toEqual([]);
  });
});

describe('the shipment as its events tell it', () => {
  it('changes nothing when an event is applied twice', () => {
    expect(given(scheduled, scheduled, dispatched, dispatched, delivered, delivered)).toEqual(given(scheduled, dispatched, delivered));
  });

  it('never moves a status backwards', () => {
    expect(given(scheduled, dispatched, cancelled)?.status).toBe('DISPATCHED');
    expect(given(scheduled, cancelled, dispatched)?.status).toBe('CANCELLED');
    expect(given(scheduled, delivered)?.status).toBe('SCHEDULED');
  });

  it('ignores facts about a shipment it never saw scheduled', () => {
    expect(given(dispatched, delivered)).toBeNull();
  });
});
