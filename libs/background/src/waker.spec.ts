import { createWaker } from './waker';

describe('the waker of a loop woken by notifications', () => {
  it('ends an idle wait at a notification, and keeps one that came between two waits', async () => {
    const waker = createWaker();
    const waiting = waker.wait(60_000, true);
    waker.notify();
    await waiting;
    waker.notify(); // nobody waits right now
    await waker.wait(60_000, true); // resolves at once: the notification was kept
  });

  it('lets a back-off wait ignore notifications, and ends every wait on stop', async () => {
    const waker = createWaker();
    let ended = false;
    const backoff = waker.wait(60_000, false).then(() => (ended = true));
    waker.notify();
    await Promise.resolve();
    expect(ended).toBe(false);
    waker.stop();
    await backoff;
    expect(waker.stopped).toBe(true);
    await waker.wait(60_000, false); // after stop, waits end at once
  });

  it('ends every wait, and every later one, when its signal aborts', async () => {
    const stop = new AbortController();
    const waker = createWaker(stop.signal);
    const waiting = waker.wait(60_000, false);
    stop.abort();
    await waiting;
    expect(waker.stopped).toBe(true);
    expect(createWaker(stop.signal).stopped).toBe(true); // made with a signal that had aborted
  });
});
