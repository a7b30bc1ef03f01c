import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { createRelayLease } from './relay-lease';
import { prepareDatabase } from './testing/fixtures';

describe('the relay lease', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('lease');
    await prepareDatabase(db.pool);
  });
  afterAll(() => db.drop());

  const leaseMs = 60_000; // long: only expire() ends a lease here, never a slow machine
  const expire = (name: string) => db.pool.query(`UPDATE relay_lease SET expires_at = now() - interval '1 second' WHERE name = $1`, [name]);

  it('is held by one instance at a time until it expires, and taking it bumps the epoch', async () => {
    const a = createRelayLease(db.pool, 'one-at-a-time', '00000000-0000-4000-8000-00000000000a', leaseMs);
    const b = createRelayLease(db.pool, 'one-at-a-time', '00000000-0000-4000-8000-00000000000b', leaseMs);
    expect(await a.acquire()).toBe(1);
    expect(await b.acquire()).toBeNull();
    await expire('one-at-a-time');
    expect(await b.acquire()).toBe(2);
    expect(await a.renew(1)).toBe(false); // taken: the former holder stands down
    expect(await b.renew(2)).toBe(true);
  });

  it('is renewed late when no one took it meanwhile (a stall longer than the lease), and not once someone did', async () => {
    const a = createRelayLease(db.pool, 'late', '00000000-0000-4000-8000-00000000000a', leaseMs);
    const b = createRelayLease(db.pool, 'late', '00000000-0000-4000-8000-00000000000b', leaseMs);
    const epoch = (await a.acquire())!;
    await expire('late');
    expect(await a.renew(epoch)).toBe(true); // still ours: same holder, same epoch
    expect(await b.acquire()).toBeNull(); // and renewed: not free to take
    await expire('late');
    expect(await b.acquire()).toBe(epoch + 1);
    expect(await a.renew(epoch)).toBe(false);
  });

  it('is free at once after a release', async () => {
    const a = createRelayLease(db.pool, 'released', '00000000-0000-4000-8000-00000000000a', leaseMs);
    const b = createRelayLease(db.pool, 'released', '00000000-0000-4000-8000-00000000000b', leaseMs);
    const epoch = (await a.acquire())!;
    expect(await b.acquire()).toBeNull();
    await a.release(epoch);
    expect(await b.acquire()).toBe(epoch + 1);
  });
});
