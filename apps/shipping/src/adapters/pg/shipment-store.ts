/**
 * SQL for shipping's copy of order addresses and its shipments, and the stores its decisions load and
 * save through (@webshop/runtime decideAndRecord). Nothing here decides anything.
 */
import type { ShippingAddress } from '@webshop/events';
import type { Pool, PoolClient } from '@webshop/postgres';
import { currentTraceparent } from '@webshop/tracing';
import type { DecisionStore } from '@webshop/runtime';
import type { Shipment, ShipmentEvent, ShipmentStatus } from '../../domain/shipment';
import type { OrderAddress } from '../../projections/order-addresses';

type Queryable = Pool | PoolClient;

/** A shipment, where it goes, and the trace it was scheduled in (a W3C traceparent; null for none). */
export interface ShipmentRecord {
  shipment: Shipment;
  address: ShippingAddress;
  traceparent: string | null;
}

interface ShipmentRow {
  order_id: string;
  shipment_id: string;
  status: ShipmentStatus;
  address: ShippingAddress;
  tracking_number: string | null;
  scheduled_at: Date;
  dispatched_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
  traceparent: string | null;
}

// The table's CHECK constraints guarantee the columns each status needs are there.
function toShipment(row: ShipmentRow): Shipment {
  const base = { orderId: row.order_id, shipmentId: row.shipment_id, scheduledAt: row.scheduled_at.toISOString() };
  switch (row.status) {
    case 'SCHEDULED':
      return { ...base, status: 'SCHEDULED' };
    case 'DISPATCHED':
      return { ...base, status: 'DISPATCHED', trackingNumber: row.tracking_number!, dispatchedAt: row.dispatched_at!.toISOString() };
    case 'DELIVERED':
      return {
        ...base,
        status: 'DELIVERED',
        trackingNumber: row.tracking_number!,
        dispatchedAt: row.dispatched_at!.toISOString(),
        deliveredAt: row.delivered_at!.toISOString(),
      };
    case 'CANCELLED':
      return { ...base, status: 'CANCELLED', cancelledAt: row.cancelled_at!.toISOString() };
    default: {
      const exhaustive: never = row.status;
      throw new Error(`unknown shipment status ${String(exhaustive)}`);
    }
  }
}

const toRecord = (row: ShipmentRow): ShipmentRecord => ({ shipment: toShipment(row), address: row.address, traceparent: row.traceparent });

/** The columns that change with the status, in the order insertShipment and saveShipment bind them. */
function statusColumns(shipment: Shipment): [ShipmentStatus, string | null, string | null, string | null, string | null] {
  switch (shipment.status) {
    case 'SCHEDULED':
      return [shipment.status, null, null, null, null];
    case 'DISPATCHED':
      return [shipment.status, shipment.trackingNumber, shipment.dispatchedAt, null, null];
    case 'DELIVERED':
      return [shipment.status, shipment.trackingNumber, shipment.dispatchedAt, shipment.deliveredAt, null];
    case 'CANCELLED':
      return [shipment.status, null, null, null, shipment.cancelledAt];
    default: {
      const exhaustive: never = shipment;
      return exhaustive;
    }
  }
}

/** Stores an order's address; the first one stored wins (projections/order-addresses.ts). */
export async function rememberOrderAddress(tx: PoolClient, order: OrderAddress): Promise<void> {
  await tx.query(
    `INSERT INTO order_addresses (order_id, customer_id, address, requested_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (order_id) DO NOTHING`,
    [order.orderId, order.customerId, JSON.stringify(order.address), order.requestedAt],
  );
}

export async function loadOrderAddress(db: Queryable, orderId: string): Promise<OrderAddress | null> {
  const { rows } = await db.query<{ order_id: string; customer_id: string; address: ShippingAddress; requested_at: Date }>(
    'SELECT order_id, customer_id, address, requested_at FROM order_addresses WHERE order_id = $1',
    [orderId],
  );
  const row = rows[0];
  return row ? { orderId: row.order_id, customerId: row.customer_id, address: row.address, requestedAt: row.requested_at.toISOString() } : null;
}

/**
 * `forUpdate` locks the shipment row for the rest of the transaction: every change to a shipment
 * (consumer, API, auto-dispatcher, on any instance) takes this lock first.
 */
export async function loadShipment(db: Queryable, orderId: string, forUpdate = false): Promise<ShipmentRecord | null> {
  const { rows } = await db.query<ShipmentRow>(`SELECT * FROM shipments WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [orderId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/**
 * Inserts a new shipment, with the trace in hand (the span that scheduled it); false when the order
 * has one already (the primary key says once per order).
 */
export async function insertShipment(tx: PoolClient, shipment: Shipment, address: ShippingAddress): Promise<boolean> {
  const [status, trackingNumber, dispatchedAt, deliveredAt, cancelledAt] = statusColumns(shipment);
  const { rowCount } = await tx.query(
    `INSERT INTO shipments (order_id, shipment_id, status, address, tracking_number, scheduled_at, dispatched_at, delivered_at, cancelled_at, traceparent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (order_id) DO NOTHING`,
    [shipment.orderId, shipment.shipmentId, status, JSON.stringify(address), trackingNumber, shipment.scheduledAt, dispatchedAt, deliveredAt, cancelledAt, currentTraceparent()],
  );
  return rowCount === 1;
}

export async function saveShipment(tx: PoolClient, shipment: Shipment): Promise<void> {
  await tx.query(
    `UPDATE shipments SET status = $2, tracking_number = $3, dispatched_at = $4, delivered_at = $5, cancelled_at = $6
     WHERE order_id = $1`,
    [shipment.orderId, ...statusColumns(shipment)],
  );
}

/**
 * Locks the oldest shipment that has been `status` since `before` or earlier, skipping rows another
 * transaction holds: several instances each take a different shipment, and none takes one twice.
 */
export async function lockShipmentDue(tx: PoolClient, status: 'SCHEDULED' | 'DISPATCHED', before: string): Promise<ShipmentRecord | null> {
  const since = status === 'SCHEDULED' ? 'scheduled_at' : 'dispatched_at';
  const { rows } = await tx.query<ShipmentRow>(
    `SELECT * FROM shipments WHERE status = $1 AND ${since} <= $2 ORDER BY ${since}, order_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [status, before],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

type ShipmentStore = DecisionStore<Shipment | null, ShipmentEvent>;

/** Stores what the events made of a shipment that was there before. */
const saveExisting: ShipmentStore['save'] = async (tx, after) => {
  if (after) await saveShipment(tx, after);
};

/**
 * The order's shipment, locked for the rest of the transaction (loadShipment). `addressIfNew` is
 * where a shipment scheduled now goes: only scheduling needs it.
 */
export const shipmentOf = (orderId: string, addressIfNew?: ShippingAddress): ShipmentStore => ({
  load: async (tx) => (await loadShipment(tx, orderId, true))?.shipment ?? null,
  async save(tx, after, context) {
    if (context.before || !after) return saveExisting(tx, after, context);
    if (!addressIfNew) throw new Error(`a new shipment for order ${orderId} needs the order's address`);
    // No row to lock before the first shipment: two schedulings at once both find none. The primary
    // key lets one in; the other is rolled back and retried, and then finds the shipment.
    if (!(await insertShipment(tx, after, addressIfNew))) {
      throw Object.assign(new Error(`order ${orderId} got its shipment meanwhile; deciding again`), { retriable: true });
    }
  },
});

/** A shipment the transaction has locked already (lockShipmentDue). */
export const lockedShipment = ({ shipment }: ShipmentRecord): ShipmentStore => ({ load: async () => shipment, save: saveExisting });
