import { envelopeHeaders } from './envelope';
import { eventLogFields } from './log-fields';

describe('the log fields of an event', () => {
  it("name its correlation id, its trace id, its id and type, from a record's headers as Kafka hands them (Buffers)", () => {
    const orderId = '736db1bd-a74a-46f1-9ae9-b20d1150864d';
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { eventId, headers } = envelopeHeaders({ type: 'OrderConfirmed', data: { orderId }, traceparent } as never, 'orders', orderId, 'c0ffee');
    const asKafka = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)]));
    expect(eventLogFields(asKafka)).toEqual({ correlationId: orderId, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', eventId, eventType: 'OrderConfirmed' });
  });

  it('are null where a header is missing or a traceparent malformed', () => {
    expect(eventLogFields({ traceparent: 'not-a-traceparent' })).toEqual({ correlationId: null, traceId: null, eventId: null, eventType: null });
  });
});
