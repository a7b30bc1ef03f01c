import { samples } from './testing/samples';
import { dlqTopicName, keyOf, topicNames, topicOf, topics } from './topics';
import { eventTypes, EventTypes } from './types';

describe('topic registry', () => {
  it('puts every event type on exactly one topic', () => {
    const carried = topicNames.flatMap((name) => topics[name].events);

    expect([...carried].sort()).toEqual([...eventTypes].sort());
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
});
