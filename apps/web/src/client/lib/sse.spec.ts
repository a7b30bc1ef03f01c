import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@webshop/testing';
import { createSseParser, followStream, type SseMessage, type StreamState } from './sse';

describe('the SSE parser', () => {
  it('reads id, event and multi-line data, ignores comments, whatever the chunks and line endings', () => {
    const messages: SseMessage[] = [];
    const parser = createSseParser((m) => messages.push(m));
    for (const chunk of [': keep-alive\n\nid: 1\nev', 'ent: PurchaseRequested\r\ndata: {"a":', '1}\r\n\r\n', 'data: one\ndata: two\n\nretry: 1500\nid: 2\nevent: end\ndata: {}\n\n']) {
      parser.push(chunk);
    }
    expect(messages).toEqual([
      { id: '1', event: 'PurchaseRequested', data: '{"a":1}' },
      { id: null, event: 'message', data: 'one\ntwo' },
      { id: '2', event: 'end', data: '{}' },
    ]);
    expect(parser.retryMs).toBe(1500);
  });
});

/** A stand-in stream server: each connection is answered by the next script, which sees the request. */
async function streamServer(scripts: Array<(req: http.IncomingMessage, res: http.ServerResponse) => void>) {
  const seen: Array<string | undefined> = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    seen.push(req.headers['last-event-id'] as string | undefined);
    const script = scripts[Math.min(n++, scripts.length - 1)]!;
    script(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/updates`,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const sse = (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const entry = (id: number) => `id: ${id}\nevent: E${id}\ndata: {"n":${id}}\n\n`;

describe('following a stream', () => {
  const follow = (url: string) => {
    const messages: SseMessage[] = [];
    const states: StreamState[] = [];
    const following = followStream({ url, onMessage: (m) => messages.push(m), onState: (s) => states.push(s), backoffMs: () => 20 });
    return { messages, states, following };
  };

  it('resumes with Last-Event-ID after a dropped connection: nothing twice, nothing missing', async () => {
    const server = await streamServer([
      (_req, res) => {
        sse(res);
        res.write(entry(1) + entry(2), () => res.destroy()); // the connection drops mid-stream
      },
      (req, res) => {
        sse(res);
        const after = Number(req.headers['last-event-id']);
        for (let i = after + 1; i <= 3; i++) res.write(entry(i));
        res.end('event: end\ndata: {"status":"REJECTED"}\n\n');
      },
    ]);
    try {
      const { messages, states, following } = follow(server.url);
      await waitFor(() => states.some((s) => s.state === 'ended'), { description: 'the stream to end' });
      expect(messages.filter((m) => m.id !== null).map((m) => m.id)).toEqual(['1', '2', '3']);
      expect(messages.at(-1)).toMatchObject({ event: 'end' });
      expect(server.seen).toEqual([undefined, '2']);
      expect(states.map((s) => s.state)).toEqual(['connecting', 'open', 'reconnecting', 'connecting', 'open', 'ended']);
      expect(following.lastEventId()).toBe('3');
    } finally {
      await server.close();
    }
  });

  it('keeps trying while the service is down (502), and gives up at once on a 404, saying so', async () => {
    const server = await streamServer([
      (_req, res) => void res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"service_unavailable"}'),
      (_req, res) => {
        sse(res);
        res.write(entry(1), () => res.destroy()); // written, then the connection drops
      },
      (_req, res) => void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found","message":"no order"}'),
    ]);
    try {
      const { messages, states } = follow(server.url);
      await waitFor(() => states.some((s) => s.state === 'failed'), { description: 'the follower to give up' });
      expect(messages.map((m) => m.id)).toEqual(['1']);
      expect(states.find((s) => s.state === 'reconnecting')).toMatchObject({ reason: 'HTTP 502' });
      expect(states.at(-1)).toEqual({ state: 'failed', status: 404, body: '{"error":"not_found","message":"no order"}' });
      expect(server.seen).toEqual([undefined, undefined, '1']);
    } finally {
      await server.close();
    }
  });

  it('comes back after the retry the server asks for when it says reconnect (a service stopping)', async () => {
    const server = await streamServer([
      (_req, res) => {
        sse(res);
        res.end(`${entry(1)}retry: 30\nevent: reconnect\ndata: {"reason":"stopping"}\n\n`);
      },
      (_req, res) => {
        sse(res);
        res.end(`${entry(2)}event: end\ndata: {}\n\n`);
      },
    ]);
    try {
      const { messages, states } = follow(server.url);
      await waitFor(() => states.some((s) => s.state === 'ended'), { description: 'the stream to end' });
      expect(states.find((s) => s.state === 'reconnecting')).toEqual({ state: 'reconnecting', reason: 'the server asked to reconnect', inMs: 30 });
      expect(messages.filter((m) => m.id).map((m) => m.id)).toEqual(['1', '2']);
      expect(server.seen).toEqual([undefined, '1']);
    } finally {
      await server.close();
    }
  });

  it('settles after the end: asks again with Last-Event-ID until no new entry came for a while (late compensations)', async () => {
    const server = await streamServer([
      (_req, res) => void (sse(res), res.end(`${entry(1)}${entry(2)}event: end\ndata: {}\n\n`)),
      (_req, res) => void (sse(res), res.end(`${entry(3)}event: end\ndata: {}\n\n`)),
      (_req, res) => void (sse(res), res.end(`event: end\ndata: {}\n\n`)),
    ]);
    try {
      const messages: SseMessage[] = [];
      const states: StreamState[] = [];
      followStream({ url: server.url, onMessage: (m) => messages.push(m), onState: (s) => states.push(s), settle: { everyMs: 20, quietMs: 300 } });
      await waitFor(() => states.some((s) => s.state === 'ended'), { description: 'the follower to settle' });
      expect(messages.filter((m) => m.id).map((m) => m.id)).toEqual(['1', '2', '3']);
      expect(server.seen.slice(0, 3)).toEqual([undefined, '2', '3']);
      expect(new Set(states.map((s) => s.state))).toEqual(new Set(['connecting', 'open', 'settling', 'ended']));
    } finally {
      await server.close();
    }
  });

  it('stops when closed, and connects no more', async () => {
    const server = await streamServer([(_req, res) => void (sse(res), res.write(entry(1)))]);
    try {
      const { messages, following } = follow(server.url);
      await waitFor(() => messages.length === 1, { description: 'the first entry' });
      following.close();
      await server.close();
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
