import { samples } from './testing/samples';
import { dlqTopicName, keyOf, serviceNames, topicNames, topicOf, topics } from './topics';
import { eventTypes, EventTypes } from './types';

describe('topic registry', () => {
  it('puts every event type on exactly one topic', () => {
    const carried = topicNames.flatMap((name) => topics[name].events);

    expect([...carried].sort()).toEqual([...eventTypes].sort());
  });

  it('names each topic after its registry entry, with a known service as the only writer', () => {
    for (const name of topicNames) {
      expect(topics[name].name).toBe(name);
      expect(serviceNames).toContain(topics[name].writer);
    }
  });

  it('finds the topic of an event type', () => {
    expect(topicOf(EventTypes.PurchaseRequested)).toBe(topics.orders);
    expect(topicOf(EventTypes.ProductUpdated)).toBe(topics.products);
    expect(topicOf(EventTypes.EmailSent).writer).toBe('email');
  });

  it.each(eventTypes)('keys a %s by its topic’s key field', (type) => {
    const expected = type === 'ProductUpdated' ? samples.ProductUpdated.sku : samples.OrderConfirmed.orderId;

    expect(keyOf(type, samples[type])).toBe(expected);
  });

  it('names dead-letter topics <topic>.dlq.<consumer service>', () => {
    expect(dlqTopicName(topics.orders.name, 'payment')).toBe('orders.dlq.payment');
    expect(dlqTopicName('t-123.products', 'orders')).toBe('t-123.products.dlq.orders');
  });

  it('offers every event type by name', () => {
    expect(Object.entries(EventTypes).every(([key, value]) => key === value)).toBe(true);
  });
});
