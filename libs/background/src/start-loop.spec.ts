import type { BackgroundLogger } from './failure-streak';
import { startLoop, type Next } from './start-loop';

/** A unit of work the test answers by hand: each call waits until the test says how it ends. */
function scriptedWork() {
  const calls: Array<{ signal: AbortSignal; finish: (next?: Next) => void; fail: (error: Error) => void }> = [];
  const work = (signal: AbortSignal) =>
    new Promise<Next | void>((resolve, reject) => calls.push({ signal, finish: resolve, fail: reject }));
  return { work, calls, last: () => calls[calls.length - 1]! };
}

const settle = () => jest.advanceTimersByTimeAsync(0);

describe('the loop runner', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('waits the interval after an idle unit, and not less, before the next', async () => {
    const { work, calls, last } = scriptedWork();
    const loop = startLoop({ work, idleMs: 1_000, backoff: { initialMs: 100, maxMs: 100 } });
    await settle();
    expect(calls).toHaveLength(1);
    last().finish('idle');
    await jest.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    last().finish();
    void loop.stop();
  });

  it('is woken early from an idle wait, and keeps a wake-up that came while a unit ran', async () => {
    const { work, calls, last } = scriptedWork();
    const loop = startLoop({ work, idleMs: 60_000, backoff: { initialMs: 100, maxMs: 100 } });
    await settle();
    last().finish('idle');
    await settle();
    loop.wake();
    await settle();
    expect(calls).toHaveLength(2);
    loop.wake(); // during the second unit
    last().finish('idle');
    await settle();
    expect(calls).toHaveLength(3);
    last().finish();
    await loop.stop();
  });

  it("goes on at once after 'again', and a unit's own bound replaces the interval", async () => {
    const { work, calls, last } = scriptedWork();
    const loop = startLoop({ work, idleMs: 60_000, backoff: { initialMs: 100, maxMs: 100 } });
    await settle();
    last().finish('again');
    await settle();
    expect(calls).toHaveLength(2);
    last().finish({ idleMs: 50 });
    await jest.advanceTimersByTimeAsync(50);
    expect(calls).toHaveLength(3);
    last().finish();
    await loop.stop();
  });

  it('pauses deaf to wake-ups when a unit asks to', async () => {
    const { work, calls, last } = scriptedWork();
    const loop = startLoop({ work, idleMs: 60_000, backoff: { initialMs: 100, maxMs: 100 } });
    await settle();
    last().finish({ pauseMs: 1_000 });
    await settle();
    loop.wake();
    await jest.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    last().finish();
    await loop.stop();
  });

  it('backs off after a failure, deaf to wake-ups, telling of the streak once and of its end', async () => {
    const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push([level, msg, fields]);
    const logger: BackgroundLogger = { debug: at('debug'), info: at('info'), warn: at('warn') };
    const attempts: number[] = [];
    const { work, calls, last } = scriptedWork();
    const loop = startLoop({
      work,
      idleMs: 60_000,
      backoff: { initialMs: 1_000, maxMs: 1_000 }, // every delay is 500..1000 ms
      log: { logger, message: 'the pass failed; retrying', recovered: 'the pass works again', err: (e) => (e as Error).message },
      onFailure: (_error, attempt) => attempts.push(attempt),
    });
    await settle();
    last().fail(new Error('database away'));
    await settle();
    loop.wake();
    await jest.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(1); // still backing off
    await jest.advanceTimersByTimeAsync(501);
    expect(calls).toHaveLength(2);
    last().fail(new Error('database away'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(3);
    last().finish('failed'); // told of by the unit itself: backs off, says nothing
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(4);
    last().finish('idle');
    await settle();
    expect(calls).toHaveLength(5); // the wake-up that came during the back-off was kept for the idle wait
    last().finish('idle');
    expect(attempts).toEqual([1, 2]);
    expect(lines).toEqual([
      ['warn', 'the pass failed; retrying', { err: 'database away', attempt: 1, delayMs: expect.any(Number) }],
      ['debug', 'the pass failed; retrying', { err: 'database away', attempt: 2, delayMs: expect.any(Number) }],
      ['info', 'the pass works again', {}],
    ]);
    await loop.stop();
  });

  it('starts a new streak after a success: the first failure of it is a warning with attempt 1', async () => {
    const warned: unknown[] = [];
    const logger: BackgroundLogger = { debug: () => undefined, info: () => undefined, warn: (_m, fields) => void warned.push(fields?.['attempt']) };
    const { work, last } = scriptedWork();
    const loop = startLoop({ work, idleMs: 10, backoff: { initialMs: 10, maxMs: 10 }, log: { logger, message: 'failed' } });
    await settle();
    last().fail(new Error('x'));
    await jest.advanceTimersByTimeAsync(10);
    last().finish('again');
    await settle();
    last().fail(new Error('y'));
    await jest.advanceTimersByTimeAsync(10);
    last().finish();
    await loop.stop();
    expect(warned).toEqual([1, 1]);
  });

  it('when stopped, lets the unit in hand finish (its signal aborted), ends the wait, and runs no other', async () => {
    const { work, calls, last } = scriptedWork();
    const loop = startLoop({ work, idleMs: 60_000, backoff: { initialMs: 100, maxMs: 100 } });
    await settle();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    expect(loop.stopping).toBe(true);
    expect(last().signal.aborted).toBe(true);
    await settle();
    expect(stopped).toBe(false); // the unit in hand is not cut short
    last().finish('idle');
    await stopping; // no idle wait of a minute
    expect(calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops when its signal aborts, even in a back-off', async () => {
    const stop = new AbortController();
    const { work, calls, last } = scriptedWork();
    const loop = startLoop({ work, idleMs: 60_000, backoff: { initialMs: 60_000, maxMs: 60_000 }, signal: stop.signal });
    await settle();
    last().fail(new Error('away'));
    await settle();
    stop.abort();
    await loop.stop();
    expect(calls).toHaveLength(1);
  });

  it('can start with a wait: the first unit comes after the interval, or a wake-up', async () => {
    const { work, calls, last } = scriptedWork();
    const loop = startLoop({ work, idleMs: 1_000, backoff: { initialMs: 100, maxMs: 100 }, waitFirst: true });
    await jest.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    last().finish();
    await loop.stop();
  });
});
