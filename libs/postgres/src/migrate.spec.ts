import { createTestDatabase, type TestDatabase } from './testing';
import { migrate } from './migrate';
import { withTransaction } from './pool';

describe('migrate', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('migrate');
  });
  afterAll(() => db.drop());

  const migrations = [
    { id: '002_add_note', sql: 'ALTER TABLE things ADD COLUMN note text' },
    { id: '001_things', sql: 'CREATE TABLE things (id int PRIMARY KEY)' },
  ];

  it('applies pending migrations in id order, once, even when two instances start together', async () => {
    const [first, second] = await Promise.all([migrate(db.pool, migrations), migrate(db.pool, migrations)]);
    expect([...first!, ...second!].sort()).toEqual(['001_things', '002_add_note']);
    expect(await migrate(db.pool, migrations)).toEqual([]);
    await db.pool.query("INSERT INTO things (id, note) VALUES (1, 'ok')");
  });

  it('refuses duplicate ids', async () => {
    await expect(migrate(db.pool, [migrations[0]!, migrations[0]!])).rejects.toThrow(/duplicate migration ids/);
  });
});

describe('withTransaction', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('tx');
    await db.pool.query('CREATE TABLE t (id int PRIMARY KEY)');
  });
  afterAll(() => db.drop());

  it('commits when the work resolves and rolls back all of it when the work throws', async () => {
    await withTransaction(db.pool, (c) => c.query('INSERT INTO t VALUES (1)'));
    await expect(
      withTransaction(db.pool, async (c) => {
        await c.query('INSERT INTO t VALUES (2)');
        await c.query('INSERT INTO t VALUES (1)'); // unique violation
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const { rows } = await db.pool.query('SELECT id FROM t ORDER BY id');
    expect(rows).toEqual([{ id: 1 }]);
  });
});
