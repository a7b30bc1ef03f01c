/**
 * The shop: the catalogue (stock's API, with prices and what is left), the customer and their
 * balance (payment), a cart and "Place order" (orders). The Idempotency-Key belongs to the cart as
 * it stands: clicking twice on the same cart sends the same key, so it places one order; any change
 * to the cart (or a placed order) makes a new one. The admin panel deposits and restocks.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, money, operatorToken, setOperatorToken } from '../lib/api';
import { navigate } from '../lib/router';
import { CustomerPicker, ErrorMessage, Notice, useCustomer } from '../lib/ui';

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
  available: number;
  reserved: number;
}
interface Account {
  customerId: string;
  balanceCents: number;
}
interface Placed {
  orderId: string;
  status: string;
  totalCents: number;
}

const newKey = () => crypto.randomUUID();

function useCatalogue() {
  const [products, setProducts] = useState<Product[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setProducts((await api<Product[]>('stock', '/products')).body);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    void reload();
    const t = setInterval(() => void reload(), 5_000);
    return () => clearInterval(t);
  }, [reload]);
  return { products, error, reload };
}

function useBalance(customer: string) {
  const [account, setAccount] = useState<Account | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setAccount((await api<Account>('payment', `/accounts/${encodeURIComponent(customer)}`)).body);
      setError(null);
    } catch (e) {
      if ((e as { status?: number }).status === 404) {
        setAccount(null);
        setError(null);
      } else setError(e);
    }
  }, [customer]);
  useEffect(() => {
    setAccount(undefined);
    void reload();
  }, [reload]);
  return { account, error, reload };
}

export function Shop() {
  const [customer, setCustomer] = useCustomer();
  const catalogue = useCatalogue();
  const balance = useBalance(customer);
  const [cart, setCart] = useState<Record<string, number>>({});
  const [key, setKey] = useState(newKey);
  const [placing, setPlacing] = useState(false);
  const [placeError, setPlaceError] = useState<unknown>(null);
  const [email, setEmail] = useState(`${customer}@example.com`);
  const [address, setAddress] = useState({ name: customer, line1: '1 High St', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' });
  useEffect(() => {
    setEmail(`${customer}@example.com`);
    setAddress((a) => ({ ...a, name: customer[0] ? customer[0].toUpperCase() + customer.slice(1) : customer }));
    setKey(newKey());
  }, [customer]);

  const changeCart = (sku: string, quantity: number) => {
    setCart((c) => {
      const next = { ...c };
      if (quantity <= 0) delete next[sku];
      else next[sku] = quantity;
      return next;
    });
    setKey(newKey());
    setPlaceError(null);
  };
  const lines = Object.entries(cart);
  const priceOf = useMemo(() => new Map((catalogue.products ?? []).map((p) => [p.sku, p])), [catalogue.products]);
  const total = lines.reduce((sum, [sku, q]) => sum + (priceOf.get(sku)?.priceCents ?? 0) * q, 0);

  const place = async (e: FormEvent) => {
    e.preventDefault();
    if (lines.length === 0) return;
    setPlacing(true);
    setPlaceError(null);
    try {
      const { body } = await api<Placed>('orders', '/orders', {
        method: 'POST',
        headers: { 'Idempotency-Key': key },
        body: { customerId: customer, email, items: lines.map(([sku, quantity]) => ({ sku, quantity })), shippingAddress: address },
      });
      setCart({});
      setKey(newKey());
      navigate(`/orders/${body.orderId}`);
    } catch (error) {
      setPlaceError(error);
    } finally {
      setPlacing(false);
    }
  };

  return (
    <div className="shop">
      <h1>Shop</h1>
      <p className="lead">
        Pick a customer, put something in the cart and place the order. The next page shows the order's story as the five services tell it to each other over
        Kafka.
      </p>
      <section className="panel" aria-labelledby="who">
        <h2 id="who">Who is buying</h2>
        <CustomerPicker id="customer" customer={customer} onChange={setCustomer} />
        <p data-testid="balance">
          Balance:{' '}
          {balance.account === undefined ? 'loading…' : balance.account === null ? <strong>no account yet (a deposit opens one)</strong> : <strong>{money(balance.account.balanceCents)}</strong>}
        </p>
        <ErrorMessage error={balance.error} />
      </section>

      <section className="panel" aria-labelledby="catalogue">
        <h2 id="catalogue">Catalogue</h2>
        <ErrorMessage error={catalogue.error} />
        {catalogue.products === null && !catalogue.error && <Notice>Loading the catalogue…</Notice>}
        {catalogue.products?.length === 0 && <Notice>The catalogue is empty: restock or add products through the stock service (npm run seed).</Notice>}
        {catalogue.products && catalogue.products.length > 0 && (
          <table className="catalogue">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Price</th>
                <th scope="col">In stock</th>
                <th scope="col">
                  <span className="sr-only">Add</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {catalogue.products.map((p) => (
                <tr key={p.sku} data-sku={p.sku}>
                  <td>
                    {p.name}
                    <br />
                    <small>{p.sku}</small>
                  </td>
                  <td>{money(p.priceCents)}</td>
                  <td>{p.available}</td>
                  <td>
                    <button type="button" onClick={() => changeCart(p.sku, (cart[p.sku] ?? 0) + 1)} aria-label={`Add ${p.name} to the cart`}>
                      Add
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel" aria-labelledby="cart">
        <h2 id="cart">Cart</h2>
        {lines.length === 0 ? (
          <p>The cart is empty.</p>
        ) : (
          <ul className="cart">
            {lines.map(([sku, q]) => (
              <li key={sku}>
                <label htmlFor={`q-${sku}`}>{priceOf.get(sku)?.name ?? sku}</label>
                <input id={`q-${sku}`} type="number" min={0} value={q} onChange={(e) => changeCart(sku, Number(e.target.value))} />
                <span>{money((priceOf.get(sku)?.priceCents ?? 0) * q)}</span>
                <button type="button" onClick={() => changeCart(sku, 0)} aria-label={`Remove ${priceOf.get(sku)?.name ?? sku}`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <form onSubmit={place}>
          <details>
            <summary>Email and shipping address</summary>
            <div className="grid">
              <div className="field">
                <label htmlFor="email">Email</label>
                <input id="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
              </div>
              {(['name', 'line1', 'city', 'postalCode', 'country'] as const).map((f) => (
                <div className="field" key={f}>
                  <label htmlFor={`addr-${f}`}>{{ name: 'Name', line1: 'Street', city: 'City', postalCode: 'Postal code', country: 'Country (2 letters)' }[f]}</label>
                  <input id={`addr-${f}`} value={address[f]} onChange={(e) => setAddress({ ...address, [f]: e.target.value })} />
                </div>
              ))}
            </div>
          </details>
          <p className="total">
            Total: <strong>{money(total)}</strong>
          </p>
          <button type="submit" className="primary" disabled={lines.length === 0 || placing}>
            {placing ? 'Placing…' : 'Place order'}
          </button>
          <ErrorMessage error={placeError} />
        </form>
      </section>

      <Admin customer={customer} products={catalogue.products ?? []} onChanged={() => void Promise.all([catalogue.reload(), balance.reload()])} />
    </div>
  );
}

function Admin({ customer, products, onChanged }: { customer: string; products: Product[]; onChanged: () => void }) {
  const [amount, setAmount] = useState('100.00');
  const [sku, setSku] = useState('');
  const [quantity, setQuantity] = useState('10');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [token, setToken] = useState(operatorToken);
  const run = async (what: () => Promise<string>) => {
    setResult(null);
    setError(null);
    try {
      setResult(await what());
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  const deposit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const { body } = await api<Account>('payment', `/accounts/${encodeURIComponent(customer)}/deposits`, { method: 'POST', body: { amountCents: Math.round(Number(amount) * 100) }, operator: true });
      return `Deposited: ${customer} now has ${money(body.balanceCents)}.`;
    });
  };
  const restock = (e: FormEvent) => {
    e.preventDefault();
    const target = sku || products[0]?.sku || '';
    void run(async () => {
      const { body } = await api<Product>('stock', `/products/${encodeURIComponent(target)}/restock`, { method: 'POST', body: { quantity: Number(quantity) }, operator: true });
      return `Restocked: ${body.sku} now has ${body.available} available.`;
    });
  };
  return (
    <section className="panel admin" aria-labelledby="admin">
      <h2 id="admin">Admin</h2>
      <div className="field">
        <label htmlFor="operator-token">Operator token</label>
        <input
          id="operator-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          aria-describedby="operator-token-help"
          value={token}
          onChange={(e) => {
            setToken(e.target.value);
            setOperatorToken(e.target.value);
          }}
        />
        <p id="operator-token-help" className="hint">
          Deposits, restocks and dispatching are the operator&apos;s: npm start prints the token (and writes it to infra/local/.state/admin-token); with compose it is in .env. Kept for this tab only.
        </p>
      </div>
      <div className="grid">
        <form onSubmit={deposit} aria-label="Deposit">
          <div className="field">
            <label htmlFor="deposit-amount">Deposit for {customer} (£)</label>
            <input id="deposit-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </div>
          <button type="submit">Deposit</button>
        </form>
        <form onSubmit={restock} aria-label="Restock">
          <div className="field">
            <label htmlFor="restock-sku">Product</label>
            <select id="restock-sku" value={sku || products[0]?.sku || ''} onChange={(e) => setSku(e.target.value)}>
              {products.map((p) => (
                <option key={p.sku} value={p.sku}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="restock-quantity">Units</label>
            <input id="restock-quantity" inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} />
          </div>
          <button type="submit">Restock</button>
        </form>
      </div>
      {result && <Notice>{result}</Notice>}
      <ErrorMessage error={error} />
    </section>
  );
}
