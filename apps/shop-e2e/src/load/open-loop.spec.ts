import { runOpenLoop, scheduledCount } from './open-loop';

/** A clock that only moves when the scheduler sleeps; `lateBy` makes every wake-up late. */
function fakeTime({ start = 1_000, lateBy = 0 } = {}) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms + lateBy;
    },
    sleeps,
    advance: (ms: number) => (t += ms),
  };
}

/** A sender whose requests never get an answer: it records when each was sent. */
function silentSender(time: { now(): number }) {
  const sent: Array<{ index: number; scheduledAt: number; sentAt: number }> = [];
  const pending: Array<Promise<never>> = [];
  return {
    sent,
    pending,
    send(index: number, scheduledAt: number) {
      sent.push({ index, scheduledAt, sentAt: time.now() });
      pending.push(new Promise<never>(() => undefined));
    },
  };
}

describe('the open-loop scheduler', () => {
  it('sends every order at its scheduled time although no response ever comes back', async () => {
    const time = fakeTime();
    const sender = silentSender(time);

    const result = await runOpenLoop({ ratePerSecond: 5, durationMs: 2_000, send: sender.send, now: time.now, sleep: time.sleep });

    expect(result).toEqual({ startedAt: 1_000, sent: 10, maxLagMs: 0, stoppedEarly: false });
    expect(sender.sent.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sender.sent.map((s) => s.scheduledAt)).toEqual([1000, 1200, 1400, 1600, 1800, 2000, 2200, 2400, 2600, 2800]);
    for (const s of sender.sent) expect(s.sentAt).toBe(s.scheduledAt);
    expect(sender.pending).toHaveLength(10); // ten requests still open: the scheduler never waited for one
  });

  it('catches up when it wakes late: sends everything due at once, each keeping its own scheduled time', async () => {
    const time = fakeTime({ lateBy: 450 });
    const sender = silentSender(time);

    const result = await runOpenLoop({ ratePerSecond: 10, durationMs: 1_000, send: sender.send, now: time.now, sleep: time.sleep });

    expect(result.sent).toBe(10);
    expect(sender.sent.map((s) => s.scheduledAt)).toEqual([1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900]);
    for (const s of sender.sent) expect(s.sentAt).toBeGreaterThanOrEqual(s.scheduledAt); // never early
    // Woken at 1550 (due: 1100..1500 → five at once), then at 2050 (1600..1900 → four at once).
    expect(sender.sent.map((s) => s.sentAt)).toEqual([1000, 1550, 1550, 1550, 1550, 1550, 2050, 2050, 2050, 2050]);
    expect(result.maxLagMs).toBe(450);
  });

  it('asks to sleep exactly until the next order is due', async () => {
    const time = fakeTime();
    const sender = silentSender(time);
    await runOpenLoop({ ratePerSecond: 4, durationMs: 1_000, send: sender.send, now: time.now, sleep: time.sleep });
    expect(time.sleeps).toEqual([250, 250, 250]);
  });

  it('sends whatever is overdue even when the sender itself is slow', async () => {
    const time = fakeTime();
    const sent: number[] = [];
    // Each send takes 300 ms of the (fake) clock, longer than the 100 ms between orders.
    const send = (_: number, scheduledAt: number) => {
      sent.push(scheduledAt);
      time.advance(300);
    };
    const result = await runOpenLoop({ ratePerSecond: 10, durationMs: 500, send, now: time.now, sleep: time.sleep });
    expect(sent).toEqual([1000, 1100, 1200, 1300, 1400]);
    expect(result.maxLagMs).toBeGreaterThan(0);
  });

  it('handles fractional rates and durations', async () => {
    const time = fakeTime({ start: 0 });
    const sender = silentSender(time);
    await runOpenLoop({ ratePerSecond: 0.5, durationMs: 5_000, send: sender.send, now: time.now, sleep: time.sleep });
    expect(sender.sent.map((s) => s.scheduledAt)).toEqual([0, 2000, 4000]);
    expect(scheduledCount(0.1, 30_000)).toBe(3);
    expect(scheduledCount(3, 500)).toBe(2);
  });

  it('stops scheduling when aborted', async () => {
    const time = fakeTime();
    const abort = new AbortController();
    const sent: number[] = [];
    const send = (index: number) => {
      sent.push(index);
      if (index === 2) abort.abort();
    };
    const result = await runOpenLoop({ ratePerSecond: 10, durationMs: 1_000, send, now: time.now, sleep: time.sleep, signal: abort.signal });
    expect(sent).toEqual([0, 1, 2]);
    expect(result).toMatchObject({ sent: 3, stoppedEarly: true });
  });

  it('refuses a rate or duration that is not a positive number', async () => {
    const time = fakeTime();
    const base = { send: () => undefined, now: time.now, sleep: time.sleep };
    await expect(runOpenLoop({ ...base, ratePerSecond: 0, durationMs: 1_000 })).rejects.toThrow(RangeError);
    await expect(runOpenLoop({ ...base, ratePerSecond: 1, durationMs: Number.NaN })).rejects.toThrow(RangeError);
  });
});
