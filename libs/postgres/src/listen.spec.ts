/**
 * A LISTEN that comes back by itself, on the real Postgres: its connection cut by the server
 * (pg_terminate_backend, as a restart or a proxy would) and a database it cannot reach at all.
 */
import { createTestDatabase, type TestDatabase } from './testing';
import { freePort, waitFor } from '@webshop/testing-core';
import { keepListening } from './listen';
import { createPool } from './pool';

describe('keepListening', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('listen');
  });
  afterAll(() => db.drop());

  it('hears notifications, and again after its connection was cut, telling of the interruption', async () => {
    const heard: Array<string | undefined> = [];
    const interruptions: Error[] = [];
    const listening = keepListening(db.pool, 'listen_test', { onNotify: (payload) => heard.push(payload), onInterrupted: (error) => interruptions.push(error) });
    try {
      await listening.firstAttempt();
      expect(listening.listening).toBe(true);
      await db.pool.query(`SELECT pg_notify('listen_test', 'before')`);
      await waitFor(() => heard.includes('before'), { timeoutMs: 30_000, description: 'the first notification' });

      await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN listen_test'`);
      await waitFor(() => interruptions.length > 0, { timeoutMs: 30_000, description: 'the interruption told' });
      // Notify until one is heard: the LISTEN is back by itself.
      await waitFor(
        async () => {
          await db.pool.query(`SELECT pg_notify('listen_test', 'after')`);
          return heard.includes('after');
        },
        { timeoutMs: 30_000, description: 'a notification after the cut' },
      );
      expect(listening.listening).toBe(true);
    } finally {
      await listening.stop();
    }
    expect(listening.listening).toBe(false);
    const { rowCount } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN listen_test' AND state = 'idle'`);
    expect(rowCount).toBe(0); // UNLISTENed and given back
  });

  it('fails its first attempt on a database it cannot reach, keeps trying, and stops when asked', async () => {
    const unreachable = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/nowhere`, { max: 1 });
    const interruptions: Error[] = [];
    const listening = keepListening(unreachable, 'listen_test', { onNotify: () => undefined, onInterrupted: (error) => interruptions.push(error) });
    try {
      await expect(listening.firstAttempt()).rejects.toThrow(/ECONNREFUSED/);
      await waitFor(() => interruptions.length >= 2, { timeoutMs: 30_000, description: 'a second attempt, after a back-off' });
      expect(listening.listening).toBe(false);
    } finally {
      await listening.stop();
      await unreachable.end();
    }
  });
});
