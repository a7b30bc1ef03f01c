import { sleep } from './sleep';

describe('sleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves once its time has passed, not before', async () => {
    let done = false;
    void sleep(1_000).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('ends at once when its signal aborts, or had aborted, and leaves no timer behind', async () => {
    const stop = new AbortController();
    let done = false;
    void sleep(60_000, stop.signal).then(() => (done = true));
    stop.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    await sleep(60_000, stop.signal); // already aborted: no wait at all
  });
});
