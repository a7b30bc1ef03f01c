import { testKafka } from './testing';
import { ensureTopics, kafkajsOf } from './kafka-client';
import { uniquePrefix } from './testing/fixtures';

describe('ensureTopics', () => {
  it('lets services that start together create the same topics at once; all come back with every leader', async () => {
    const kafka = testKafka('ensure-topics');
    // Each round is five services starting side by side, all creating the same fresh topics: the
    // race that once failed a service's start-up with "This server does not host this topic-partition".
    for (let round = 0; round < 10; round++) {
      const prefix = uniquePrefix('ensure');
      const names = ['orders', 'payments', 'stock'].map((t) => prefix + t);
      await Promise.all(Array.from({ length: 5 }, () => ensureTopics(kafka, names, 3)));

      const admin = kafkajsOf(kafka).admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: names });
        expect(topics.map((t) => ({ name: t.name, leaders: t.partitions.filter((p) => p.leader >= 0).length })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
          names.map((name) => ({ name, leaders: 3 })).sort((a, b) => a.name.localeCompare(b.name)),
        );
      } finally {
        await admin.disconnect();
      }
    }
  }, 120_000);
});
