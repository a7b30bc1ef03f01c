/**
 * One order's story, live: the page follows orders' `GET /orders/:id/updates` (resuming with
 * Last-Event-ID after a dropped connection) and draws each entry as a card in the lane of the
 * service that wrote it, with an arrow from its cause (the `causation-id` the pulse read with the
 * record; the timeline itself does not carry it). The order's status is on top, with the actions
 * its status allows; a refusal (409) is shown as the API words it.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PulseEvent, TimelineEntry } from '../../shared/types';
import { api, money } from '../lib/api';
import { followStream, type StreamState } from '../lib/sse';
import { ErrorMessage, Notice, timeOf } from '../lib/ui';
import { Link } from '../lib/router';
import { boxOf, causationArrows, type Geometry } from '../story/arrows';
import { layoutBoard, type Card } from '../story/lanes';

export interface OrderView {
  orderId: string;
  customerId: string;
  email: string;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
  totalCents: number;
  status: string;
  rejectionReason?: string;
  cancellationRequestedAt?: string;
  createdAt: string;
  updatedAt: string;
}

const geometry: Geometry = { laneWidth: 196, rowHeight: 136, cardWidth: 180, cardHeight: 116, top: 8 };
/** The topic without TOPIC_PREFIX (which ends in a dot): the card is small; the detail shows it whole. */
const shortTopic = (topic: string) => topic.slice(topic.lastIndexOf('.') + 1);

const summary = (data: Record<string, unknown>) =>
  Object.entries(data)
    .filter(([k]) => k !== 'orderId')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');

function streamText(s: StreamState): string {
  switch (s.state) {
    case 'connecting':
      return 'Connecting to the live story…';
    case 'open':
      return 'Live: new events appear as they happen.';
    case 'reconnecting':
      return `Connection lost (${s.reason}); resuming in ${Math.round(s.inMs / 100) / 10} s from the last event received.`;
    case 'settling':
      return 'The order is final; the last effects (refunds, releases, emails) still appear here as they arrive.';
    case 'ended':
      return 'The story is complete: the order reached a final status.';
    case 'failed':
      return `The live story is not available (HTTP ${s.status}).`;
  }
}

export function OrderStory({ orderId }: { orderId: string }) {
  const [entries, setEntries] = useState<Map<number, TimelineEntry>>(new Map());
  const [causes, setCauses] = useState<Map<string, string | null>>(new Map());
  const [view, setView] = useState<OrderView | null>(null);
  const [viewError, setViewError] = useState<unknown>(null);
  const [stream, setStream] = useState<StreamState>({ state: 'connecting' });
  const [actionError, setActionError] = useState<unknown>(null);
  const [acting, setActing] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const narrow = useNarrow();
  const [chosenView, setChosenView] = useState<'lanes' | 'list' | null>(null);
  const shape = chosenView ?? (narrow ? 'list' : 'lanes');

  const loadView = useCallback(async () => {
    try {
      setView((await api<OrderView>('orders', `/orders/${encodeURIComponent(orderId)}`)).body);
      setViewError(null);
    } catch (e) {
      setViewError(e);
    }
  }, [orderId]);

  useEffect(() => {
    setEntries(new Map());
    setView(null);
    void loadView();
    const following = followStream({
      url: `/api/orders/orders/${encodeURIComponent(orderId)}/updates`,
      onState: setStream,
      settle: { everyMs: 1_000, quietMs: 15_000 },
      onMessage: (m) => {
        if (m.event === 'end') return void loadView();
        if (m.event === 'reconnect' || m.id === null) return;
        const entry = JSON.parse(m.data) as TimelineEntry;
        setEntries((current) => new Map(current).set(Number(m.id), entry));
      },
    });
    return () => following.close();
  }, [orderId, loadView]);

  // Each new entry may change the status: ask for the view again.
  useEffect(() => {
    if (entries.size > 0) void loadView();
  }, [entries.size, loadView]);

  // The causes come from the pulse's read model, which may read a record a moment after orders does.
  const missing = [...entries.values()].filter((e) => !causes.has(e.eventId)).length;
  useEffect(() => {
    if (missing === 0) return;
    const t = setTimeout(async () => {
      try {
        const res = await fetch(`/api/pulse/events?orderId=${encodeURIComponent(orderId)}&limit=1000`);
        if (!res.ok) return;
        const events = (await res.json()) as PulseEvent[];
        setCauses((current) => {
          const next = new Map(current);
          for (const e of events) next.set(e.eventId, e.causationId);
          return next;
        });
      } catch {
        // the web server is away; the next entry asks again
      }
    }, 700);
    return () => clearTimeout(t);
  }, [missing, orderId, causes]);

  const timeline = useMemo(() => [...entries.entries()].sort(([a], [b]) => a - b).map(([, e]) => e), [entries]);
  const board = useMemo(() => layoutBoard(timeline, causes), [timeline, causes]);
  const arrows = useMemo(() => causationArrows(board, geometry), [board]);

  const act = async (what: string, call: () => Promise<unknown>) => {
    setActing(what);
    setActionError(null);
    try {
      await call();
      await loadView();
    } catch (e) {
      setActionError(e);
    } finally {
      setActing(null);
    }
  };
  const rejected = timeline.find((e) => e.type === 'OrderRejected')?.data;
  const status = view?.status;
  const selectedCard = board.cards.find((c) => c.entry.eventId === selected);

  return (
    <div className="story">
      <h1>
        Order <code>{orderId.slice(0, 8)}</code>
      </h1>
      <ErrorMessage error={viewError} />
      {view && (
        <section className="panel status" aria-labelledby="status-h">
          <h2 id="status-h" className="sr-only">
            Status
          </h2>
          <p className="status-line">
            Status: <strong className={`badge s-${view.status}`} data-testid="order-status">{view.status}</strong>
            {view.cancellationRequestedAt && view.status === 'CONFIRMED' && <span> (cancellation requested, waiting for shipping)</span>}
          </p>
          {view.rejectionReason && (
            <p className="reason" data-testid="rejection-reason">
              Rejected because <strong>{view.rejectionReason}</strong>
              {typeof rejected?.['detail'] === 'string' && `: ${rejected['detail']}`}
            </p>
          )}
          <p>
            {view.customerId} · {view.items.map((i) => `${i.quantity} × ${i.sku}`).join(', ')} · {money(view.totalCents)}
          </p>
          <div className="actions">
            {(status === 'PENDING' || status === 'CONFIRMED') && !view.cancellationRequestedAt && (
              <button type="button" disabled={acting !== null} onClick={() => void act('cancel', () => api('orders', `/orders/${orderId}/cancel`, { method: 'POST', body: { reason: 'asked on the web page' } }))}>
                {acting === 'cancel' ? 'Cancelling…' : 'Cancel order'}
              </button>
            )}
            {status === 'CONFIRMED' && (
              <button type="button" disabled={acting !== null} onClick={() => void act('dispatch', () => api('shipping', `/shipments/${orderId}/dispatch`, { method: 'POST', operator: true }))}>
                {acting === 'dispatch' ? 'Dispatching…' : 'Dispatch parcel'}
              </button>
            )}
            {status === 'SHIPPED' && (
              <button type="button" disabled={acting !== null} onClick={() => void act('deliver', () => api('shipping', `/shipments/${orderId}/deliver`, { method: 'POST', operator: true }))}>
                {acting === 'deliver' ? 'Delivering…' : 'Mark delivered'}
              </button>
            )}
          </div>
          <ErrorMessage error={actionError} />
        </section>
      )}
      <p className="stream" role="status" data-testid="stream-state">
        {streamText(stream)}
      </p>
      <div className="view-switch" role="group" aria-label="Show the story as">
        <button type="button" aria-pressed={shape === 'lanes'} onClick={() => setChosenView('lanes')}>
          Swim lanes
        </button>
        <button type="button" aria-pressed={shape === 'list'} onClick={() => setChosenView('list')}>
          List
        </button>
      </div>
      {shape === 'lanes' ? (
        <Lanes cards={board.cards} rows={board.rows} arrows={arrows} selected={selected} onSelect={setSelected} />
      ) : (
        <StoryList cards={board.cards} selected={selected} onSelect={setSelected} />
      )}
      {timeline.length === 0 && stream.state !== 'failed' && <Notice>Waiting for the first event…</Notice>}
      {selectedCard && (
        <section className="panel" aria-labelledby="detail-h">
          <h2 id="detail-h">
            #{selectedCard.position} {selectedCard.entry.type}
          </h2>
          <p>
            by {selectedCard.entry.producer} on topic {selectedCard.entry.topic}, partition {selectedCard.entry.partition}, offset {selectedCard.entry.offset}, at{' '}
            {selectedCard.entry.occurredAt}; event id {selectedCard.entry.eventId}
            {selectedCard.causationId ? `, caused by ${selectedCard.causationId}` : ', caused by a request'}
          </p>
          <pre>{JSON.stringify(selectedCard.entry.data, null, 2)}</pre>
        </section>
      )}
      <p>
        <Link href="/">Back to the shop</Link> · <Link href="/my-orders">My orders</Link>
      </p>
    </div>
  );
}

/** Phone width: the lanes would need sideways scrolling, so the story starts as a list. */
function useNarrow(): boolean {
  const query = '(max-width: 700px)';
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const update = () => setNarrow(media.matches);
    media.addEventListener('change', update);
    return () => media.removeEventListener('change', update);
  }, []);
  return narrow;
}

/** The same cards one under the other, each saying its service and what caused it. */
function StoryList({ cards, selected, onSelect }: { cards: Card[]; selected: string | null; onSelect: (id: string) => void }) {
  const byId = new Map(cards.map((c) => [c.entry.eventId, c]));
  return (
    <ol className="story-list" aria-label="The order's events, oldest first">
      {cards.map((card) => {
        const cause = card.causationId ? byId.get(card.causationId) : undefined;
        return (
          <li key={card.entry.eventId}>
            <CardButton card={card} selected={selected} onSelect={onSelect} laneTag>
              <span className="cause">{cause ? `caused by #${cause.position} ${cause.entry.type}` : card.causationId ? 'caused by an event not in this story' : 'a request'}</span>
            </CardButton>
          </li>
        );
      })}
    </ol>
  );
}

function Lanes({ cards, rows, arrows, selected, onSelect }: { cards: Card[]; rows: number; arrows: ReturnType<typeof causationArrows>; selected: string | null; onSelect: (id: string) => void }) {
  const width = geometry.laneWidth * 5;
  const height = geometry.top + Math.max(rows, 1) * geometry.rowHeight;
  const scroller = useRef<HTMLDivElement>(null);
  return (
    <div className="lanes-scroll" ref={scroller} tabIndex={0} role="region" aria-label="The order's events, one lane per service">
      <div className="lane-heads" style={{ width }}>
        {(['orders', 'payment', 'stock', 'shipping', 'email'] as const).map((l) => (
          <div key={l} className={`lane-head l-${l}`} style={{ width: geometry.laneWidth }}>
            {l}
          </div>
        ))}
      </div>
      <div className="board" style={{ width, height }} data-testid="board">
        {(['orders', 'payment', 'stock', 'shipping', 'email'] as const).map((l, i) => (
          <div key={l} className={`lane l-${l}`} style={{ left: i * geometry.laneWidth, width: geometry.laneWidth, height }} aria-hidden="true" />
        ))}
        <svg className="arrows" width={width} height={height} aria-hidden="true">
          <defs>
            <marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" />
            </marker>
          </defs>
          {arrows.map((a) => (
            <path key={`${a.from}-${a.to}`} d={a.path} data-from={a.from} data-to={a.to} markerEnd="url(#head)" />
          ))}
        </svg>
        <ol className="cards">
          {cards.map((card) => {
            const box = boxOf(card, geometry);
            return (
              <li key={card.entry.eventId} style={{ left: box.x, top: box.y, width: box.width, height: box.height }}>
                <CardButton card={card} selected={selected} onSelect={onSelect} />
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}

/** One event's card, in the list or in its lane: type, where it was read, its data; click to see all. */
function CardButton({ card, selected, onSelect, laneTag = false, children }: { card: Card; selected: string | null; onSelect: (id: string) => void; laneTag?: boolean; children?: ReactNode }) {
  const on = selected === card.entry.eventId;
  return (
    <button
      type="button"
      className={`card l-${card.lane}${on ? ' on' : ''}`}
      data-lane={card.lane}
      data-type={card.entry.type}
      data-event-id={card.entry.eventId}
      aria-pressed={on}
      onClick={() => onSelect(card.entry.eventId)}
    >
      {laneTag && <span className="lane-tag">{card.lane}</span>}
      <span className="type">
        #{card.position} {card.entry.type}
      </span>
      <span className="where">
        {shortTopic(card.entry.topic)} · p{card.entry.partition} · @{card.entry.offset} · {timeOf(card.entry.occurredAt)}
      </span>
      {children}
      <span className="data">{summary(card.entry.data)}</span>
    </button>
  );
}
