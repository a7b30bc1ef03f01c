/**
 * Following a Server-Sent Events stream with fetch, resuming after a dropped connection.
 *
 * EventSource would reconnect by itself, but it gives up for good on an error status (a 502 while
 * the service is down) and cannot say why; this follower keeps trying with back-off, says what it
 * is doing (`onState`), and resumes with `Last-Event-ID: <the last id it saw>`, so the stream goes on
 * after the last entry it had: none twice, none missing (orders' `/orders/:id/updates` contract).
 *
 * The wire format (WHATWG HTML, "Server-sent events"): lines `field: value`, a blank line ends a
 * message; `id`, `event`, `data` (several lines joined by \n), `retry` (ms); `:` starts a comment.
 * A stream that says `event: end` is over (the follower stops); `event: reconnect` asks it to come
 * back after `retry` ms.
 *
 * `settle`: orders' stream ends with the event that made the order final, but the compensations
 * (a refund, a release, the last email) are committed after it. With `settle`, the follower asks
 * again with Last-Event-ID every `everyMs` after the end, until `quietMs` pass without a new entry.
 */

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

export interface SseParser {
  push(chunk: string): void;
  /** The `retry:` the stream last asked for, in ms. */
  readonly retryMs: number | null;
}

export function createSseParser(onMessage: (message: SseMessage) => void): SseParser {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | null = null;
  let retryMs: number | null = null;
  const dispatch = () => {
    if (data.length > 0 || event) onMessage({ id, event: event || 'message', data: data.join('\n') });
    data = [];
    event = '';
    id = null;
  };
  return {
    push(chunk) {
      buffer += chunk;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop()!; // an incomplete line waits for the next chunk
      for (const line of lines) {
        if (line === '') dispatch();
        else if (line.startsWith(':')) continue;
        else {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') data.push(value);
          else if (field === 'event') event = value;
          else if (field === 'id') id = value;
          else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
        }
      }
    },
    get retryMs() {
      return retryMs;
    },
  };
}

export type StreamState =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'reconnecting'; reason: string; inMs: number }
  | { state: 'settling' }
  | { state: 'ended' }
  | { state: 'failed'; status: number; body: string };

export interface FollowOptions {
  url: string;
  onMessage: (message: SseMessage) => void;
  onState?: (state: StreamState) => void;
  /** Resume after this id from the first connection on. */
  lastEventId?: string | null;
  fetch?: typeof fetch;
  /** The wait before reconnect attempt `n` (0, 1, …) after a failure. */
  backoffMs?: (attempt: number) => number;
  settle?: { everyMs: number; quietMs: number };
}

export interface Following {
  close(): void;
  lastEventId(): string | null;
}

const defaultBackoff = (attempt: number) => Math.min(250 * 2 ** attempt, 5_000);

/** 4xx other than 408/429 will not get better by asking again: the follower stops and says so. */
const isFinalStatus = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

export function followStream({ url, onMessage, onState = () => undefined, lastEventId = null, fetch: fetchImpl = globalThis.fetch.bind(globalThis), backoffMs = defaultBackoff, settle }: FollowOptions): Following {
  let last = lastEventId;
  let closed = false;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  /** Since the first end: when the last new entry came. */
  let settlingSince: number | null = null;

  const again = (reason: string, inMs: number) => {
    if (closed) return;
    onState({ state: 'reconnecting', reason, inMs });
    timer = setTimeout(() => void connect(), inMs);
  };

  async function connect(): Promise<void> {
    if (closed) return;
    if (settlingSince === null) onState({ state: 'connecting' });
    controller = new AbortController();
    let ended = false;
    let reconnectAsked = false;
    const parser = createSseParser((message) => {
      if (message.id !== null) {
        last = message.id;
        if (settlingSince !== null) settlingSince = Date.now();
      }
      attempt = 0;
      if (message.event === 'end') ended = true;
      if (message.event === 'reconnect') reconnectAsked = true;
      onMessage(message);
    });
    try {
      const response = await fetchImpl(url, {
        headers: { Accept: 'text/event-stream', ...(last !== null ? { 'Last-Event-ID': last } : {}) },
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!response.ok || !response.body) {
        const body = await response.text().catch(() => '');
        if (isFinalStatus(response.status)) {
          closed = true;
          onState({ state: 'failed', status: response.status, body });
          return;
        }
        return again(`HTTP ${response.status}`, backoffMs(attempt++));
      }
      if (settlingSince === null) onState({ state: 'open' });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
        if (ended) {
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
      if (ended) {
        if (settle) {
          settlingSince ??= Date.now();
          if (Date.now() - settlingSince < settle.quietMs) {
            onState({ state: 'settling' });
            timer = setTimeout(() => void connect(), settle.everyMs);
            return;
          }
        }
        closed = true;
        onState({ state: 'ended' });
        return;
      }
      if (reconnectAsked) return again('the server asked to reconnect', parser.retryMs ?? 1_000);
      return again('the connection ended', backoffMs(attempt++));
    } catch (error) {
      if (closed) return;
      return again(error instanceof Error ? error.message : String(error), backoffMs(attempt++));
    }
  }
  void connect();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      controller?.abort();
    },
    lastEventId: () => last,
  };
}
