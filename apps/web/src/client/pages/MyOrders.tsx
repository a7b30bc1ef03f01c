/** A customer's orders (`GET /orders?customerId=`), newest first, a page at a time, with their statuses. */
import { useCallback, useEffect, useState } from 'react';
import { api, money } from '../lib/api';
import { Link } from '../lib/router';
import { CustomerPicker, ErrorMessage, Notice, useCustomer } from '../lib/ui';
import type { OrderView } from './OrderStory';

const PAGE = 10;

export function MyOrders() {
  const [customer, setCustomer] = useCustomer();
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<{ items: OrderView[]; nextCursor: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const cursor = cursors[cursors.length - 1] ?? null;

  const load = useCallback(async () => {
    try {
      const query = new URLSearchParams({ customerId: customer, limit: String(PAGE), ...(cursor ? { cursor } : {}) });
      setPage((await api<{ items: OrderView[]; nextCursor: string | null }>('orders', `/orders?${query}`)).body);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [customer, cursor]);
  useEffect(() => void load(), [load]);
  useEffect(() => setCursors([null]), [customer]);

  return (
    <div className="my-orders">
      <h1>My orders</h1>
      <section className="panel" aria-labelledby="mine-who">
        <h2 id="mine-who" className="sr-only">
          Customer
        </h2>
        <CustomerPicker id="mine-customer" customer={customer} onChange={setCustomer} />
      </section>
      <ErrorMessage error={error} />
      {page && page.items.length === 0 && <Notice>{cursors.length > 1 ? 'No more orders.' : `${customer} has no orders yet.`}</Notice>}
      {page && page.items.length > 0 && (
        <table className="orders" data-testid="orders">
          <caption className="sr-only">Orders of {customer}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Items</th>
              <th scope="col">Total</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((o) => (
              <tr key={o.orderId} data-order-id={o.orderId}>
                <td>
                  <Link href={`/orders/${o.orderId}`}>{o.orderId.slice(0, 8)}</Link>
                </td>
                <td>{new Date(o.createdAt).toLocaleString('en-GB')}</td>
                <td>{o.items.map((i) => `${i.quantity} × ${i.sku}`).join(', ')}</td>
                <td>{money(o.totalCents)}</td>
                <td>
                  <span className={`badge s-${o.status}`}>{o.status}</span>
                  {o.rejectionReason ? ` (${o.rejectionReason})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="Pages of orders">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}>
          Older
        </button>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </nav>
    </div>
  );
}
