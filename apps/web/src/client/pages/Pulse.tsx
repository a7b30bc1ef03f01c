/**
 * The shop's pulse: every event on every topic as the web server's own consumer group reads it,
 * newest first, filterable by type and order; and per service its readiness, consumer lag, outbox
 * backlog, dead letters and how long ago it last wrote an event. One SSE stream brings both.
 */
import { useEffect, useMemo, useState } from 'react';
import type { PulseEvent, ServiceHealth } from '../../shared/types';
import { followStream, type StreamState } from '../lib/sse';
import { Link } from '../lib/router';
import { Notice, timeOf, useTick } from '../lib/ui';

const KEEP = 1_000;

function age(iso: string | null, now: number): string {
  if (!iso) return 'none yet';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

export function Pulse() {
  const [events, setEvents] = useState<PulseEvent[]>([]);
  const [health, setHealth] = useState<ServiceHealth[]>([]);
  const [stream, setStream] = useState<StreamState>({ state: 'connecting' });
  const [type, setType] = useState('');
  const [order, setOrder] = useState(() => new URLSearchParams(window.location.search).get('orderId') ?? '');
  const now = useTick(1_000);

  useEffect(() => {
    const following = followStream({
      url: '/api/pulse/stream',
      onState: setStream,
      onMessage: (m) => {
        if (m.event === 'health') setHealth(JSON.parse(m.data) as ServiceHealth[]);
        if (m.event === 'pulse') {
          const event = JSON.parse(m.data) as PulseEvent;
          setEvents((current) => [event, ...current.filter((e) => e.seq !== event.seq)].slice(0, KEEP));
        }
      },
    });
    return () => following.close();
  }, []);

  const types = useMemo(() => [...new Set(events.map((e) => e.type))].sort(), [events]);
  const shown = events.filter((e) => (!type || e.type === type) && (!order.trim() || e.key.startsWith(order.trim())));

  return (
    <div className="pulse">
      <h1>Pulse</h1>
      <p className="lead">Every event on every topic, as one more consumer group reads them, and how each service is doing.</p>
      <section aria-labelledby="services-h">
        <h2 id="services-h">Services</h2>
        {health.length === 0 && <Notice>Asking the services…</Notice>}
        <ul className="services">
          {health.map((h) => (
            <li key={h.service} className={`service ${h.state}`} data-service={h.service} data-state={h.state}>
              <h3>
                {h.service} <span className={`badge h-${h.state}`}>{h.state === 'ready' ? 'ready' : h.state === 'down' ? 'down' : 'not ready'}</span>
              </h3>
              {h.problems.length > 0 && (
                <ul className="problems">
                  {h.problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              )}
              <dl>
                <dt>Consumer lag</dt>
                <dd>{h.consumerLag ?? '–'}</dd>
                <dt>Outbox backlog</dt>
                <dd>{h.outboxBacklog ?? '–'}</dd>
                <dt>Dead letters</dt>
                <dd>{h.deadLetters ?? '–'}</dd>
                <dt>Last event</dt>
                <dd>{age(h.lastEventAt, now)}</dd>
              </dl>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="events-h">
        <h2 id="events-h">Events</h2>
        <p className="stream" role="status">
          {stream.state === 'open' ? 'Live.' : stream.state === 'reconnecting' ? `Connection lost (${stream.reason}); resuming…` : stream.state === 'connecting' ? 'Connecting…' : 'The stream ended.'}
        </p>
        <div className="filters">
          <div className="field">
            <label htmlFor="f-type">Event type</label>
            <select id="f-type" value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">every type</option>
              {types.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-order">Order id (or sku)</label>
            <input id="f-order" value={order} onChange={(e) => setOrder(e.target.value)} placeholder="starts with…" autoComplete="off" />
          </div>
        </div>
        <p>
          {shown.length} of {events.length} events shown.
        </p>
        <ol className="feed" data-testid="feed">
          {shown.slice(0, 300).map((e) => (
            <li key={e.seq} className={`l-${e.producer}`} data-type={e.type} data-key={e.key}>
              <span className="time">{timeOf(e.occurredAt)}</span> <strong>{e.type}</strong> <span className="where">
                {e.topic} · p{e.partition} · @{e.offset} · by {e.producer}
              </span>{' '}
              {e.topic === 'products' ? <span>sku {e.key}</span> : <Link href={`/orders/${e.key}`}>order {e.key.slice(0, 8)}</Link>}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
