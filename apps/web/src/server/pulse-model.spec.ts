import { createPulseModel } from './pulse-model';
import { sumOfMetric } from './service-health';
import { parsePrometheusText } from '@webshop/service-kit';

const event = (eventId: string, key = 'o1', producer = 'orders') => ({
  eventId,
  type: 'PurchaseRequested',
  topic: 'orders',
  partition: 0,
  offset: '0',
  occurredAt: '2026-01-01T00:00:00.000Z',
  producer,
  key,
  causationId: null,
  data: {},
});

describe("the pulse's read model", () => {
  it('numbers events in the order it read them and answers what came after a number (a resume)', () => {
    const model = createPulseModel(10);
    ['a', 'b', 'c'].forEach((id) => model.add(event(id)));
    expect(model.since(0).map((e) => [e.seq, e.eventId])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(model.since(2).map((e) => e.eventId)).toEqual(['c']);
    expect(model.since(0, 2).map((e) => e.eventId)).toEqual(['b', 'c']);
  });

  it('keeps only the newest events, and tells listeners of each new one', () => {
    const model = createPulseModel(2);
    const heard: string[] = [];
    const stop = model.listen((e) => heard.push(e.eventId));
    ['a', 'b', 'c'].forEach((id) => model.add(event(id)));
    stop();
    model.add(event('d'));
    expect(model.since(0).map((e) => e.eventId)).toEqual(['c', 'd']);
    expect(heard).toEqual(['a', 'b', 'c']);
  });

  it("finds an order's events and each service's newest", () => {
    const model = createPulseModel(10);
    model.add(event('a', 'o1', 'orders'));
    model.add(event('b', 'o2', 'payment'));
    model.add(event('c', 'o1', 'payment'));
    expect(model.about('o1').map((e) => e.eventId)).toEqual(['a', 'c']);
    expect(model.lastBy('payment')!.eventId).toBe('c');
    expect(model.lastBy('email')).toBeUndefined();
  });
});

describe('reading Prometheus metrics', () => {
  const text = parsePrometheusText([
    '# HELP webshop_consumer_lag_records Records between the consumer group and the end of each partition',
    '# TYPE webshop_consumer_lag_records gauge',
    'webshop_consumer_lag_records{topic="orders",partition="0",service="payment"} 3',
    'webshop_consumer_lag_records{topic="orders",partition="1",service="payment"} 4',
    'webshop_outbox_pending_events{service="payment"} 0',
    'webshop_dead_letters_total_created{service="payment"} 1700000000',
    '# TYPE webshop_dead_letters_total counter',
  ].join('\n'));

  it('sums every sample of a metric over its labels, and says null for one that is absent', () => {
    expect(sumOfMetric(text, 'webshop_consumer_lag_records')).toBe(7);
    expect(sumOfMetric(text, 'webshop_outbox_pending_events')).toBe(0);
    expect(sumOfMetric(text, 'webshop_dead_letters_total')).toBeNull();
  });
});
