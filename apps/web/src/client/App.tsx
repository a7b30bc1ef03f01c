import { useEffect } from 'react';
import { Link, usePath } from './lib/router';
import { MyOrders } from './pages/MyOrders';
import { OrderStory } from './pages/OrderStory';
import { Pulse } from './pages/Pulse';
import { Shop } from './pages/Shop';

const pages = [
  { href: '/', label: 'Shop' },
  { href: '/my-orders', label: 'My orders' },
  { href: '/pulse', label: 'Pulse' },
];

export function App() {
  const path = usePath();
  const order = /^\/orders\/([^/]+)$/.exec(path);
  const title = order ? 'Order story' : path === '/pulse' ? 'Pulse' : path === '/my-orders' ? 'My orders' : 'Shop';
  useEffect(() => {
    document.title = `${title} · Webshop on events`;
  }, [title]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Webshop on events</span>
        <nav aria-label="Pages">
          {pages.map((p) => (
            <Link key={p.href} href={p.href} aria-current={p.href === path ? 'page' : undefined}>
              {p.label}
            </Link>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {order ? <OrderStory orderId={decodeURIComponent(order[1] ?? '')} /> : path === '/pulse' ? <Pulse /> : path === '/my-orders' ? <MyOrders /> : <Shop />}
      </main>
    </>
  );
}
