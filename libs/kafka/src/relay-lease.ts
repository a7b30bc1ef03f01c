/**
 * The outbox relay's leadership: a lease in the service's own database, one row per relay name.
 * The holder renews it while it makes progress; a holder that stops renewing (killed, paused by
 * SIGSTOP or a long GC, its event loop hung, cut off from the database) loses it once it expires,
 * and another instance takes it. Times are the database's clock, so instances' clocks do not matter.
 * Every acquisition bumps `epoch`. The lease says who should publish; the relay's transactional
 * producer (see outbox-relay.ts) makes sure a former holder that wakes up cannot.
 */
import type { Migration, Pool } from '@webshop/postgres';

export const relayLeaseMigration: Migration = {
  id: '000_messaging_relay_lease',
  sql: `
    CREATE TABLE relay_lease (
      name       text PRIMARY KEY,
      holder     uuid        NOT NULL,
      epoch      bigint      NOT NULL,
      expires_at timestamptz NOT NULL
    );
  `,
};

export interface RelayLease {
  /** Takes the lease if it is free or expired (or already ours); answers the new epoch, or null. */
  acquire(): Promise<number | null>;
  /**
   * Extends the lease of `epoch`; false when it is no longer ours. A renewal that comes after the
   * expiry still succeeds when no one took the lease meanwhile (holder and epoch unchanged): no
   * other instance can have published, since taking it bumps the epoch. A stall of the process or
   * the database longer than the lease (a busy machine) costs no change of leader then.
   */
  renew(epoch: number): Promise<boolean>;
  /** Gives it up at once (a clean stop), so the next holder need not wait for the expiry. */
  release(epoch: number): Promise<void>;
}

export function createRelayLease(pool: Pool, name: string, holder: string, leaseMs: number): RelayLease {
  return {
    async acquire() {
      const { rows } = await pool.query<{ epoch: number }>(
        `INSERT INTO relay_lease (name, holder, epoch, expires_at) VALUES ($1, $2, 1, now() + make_interval(secs => $3))
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = relay_lease.epoch + 1, expires_at = EXCLUDED.expires_at
           WHERE relay_lease.expires_at < now() OR relay_lease.holder = EXCLUDED.holder
         RETURNING epoch`,
        [name, holder, leaseMs / 1000],
      );
      return rows[0]?.epoch ?? null;
    },
    async renew(epoch) {
      const { rowCount } = await pool.query(
        `UPDATE relay_lease SET expires_at = now() + make_interval(secs => $4) WHERE name = $1 AND holder = $2 AND epoch = $3`,
        [name, holder, epoch, leaseMs / 1000],
      );
      return rowCount === 1;
    },
    async release(epoch) {
      await pool.query(`UPDATE relay_lease SET expires_at = now() WHERE name = $1 AND holder = $2 AND epoch = $3`, [name, holder, epoch]);
    },
  };
}
