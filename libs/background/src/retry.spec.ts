import type { BackgroundLogger } from './failure-streak';
import { retry } from './retry';

function recordingLogger() {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  const logger: BackgroundLogger = { debug: at('debug'), info: at('info'), warn: at('warn') };
  return { logger, lines };
}

describe('retry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tries again after a back-off until the step passes, and says so once for the whole streak', async () => {
    const { logger, lines } = recordingLogger();
    const tries: number[] = [];
    const result = retry(
      async (attempt) => {
        tries.push(attempt);
        if (attempt < 4) throw new Error('database away');
        return 'done';
      },
      { backoff: { initialMs: 100, maxMs: 1_000 }, log: { logger, message: 'writing failed; retrying', recovered: 'writing again', fields: { id: 'x' } } },
    );
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toBe('done');
    expect(tries).toEqual([1, 2, 3, 4]);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'writing failed; retrying'],
      ['debug', 'writing failed; retrying'],
      ['debug', 'writing failed; retrying'],
      ['info', 'writing again'],
    ]);
    expect(lines[0]!.fields).toMatchObject({ id: 'x', attempt: 1, err: new Error('database away') });
  });

  it('waits the back-off between tries, not less', async () => {
    let tries = 0;
    void retry(
      async () => {
        tries += 1;
        throw new Error('no');
      },
      { backoff: { initialMs: 1_000, maxMs: 1_000 } }, // every delay is 500..1000 ms
    ).catch(() => undefined);
    await jest.advanceTimersByTimeAsync(0);
    expect(tries).toBe(1);
    await jest.advanceTimersByTimeAsync(499);
    expect(tries).toBe(1);
    await jest.advanceTimersByTimeAsync(501);
    expect(tries).toBe(2);
  });

  it('gives up with what onFailure throws, and waits the delay onFailure gives', async () => {
    const seen: Array<{ attempt: number; delayMs: number }> = [];
    let tries = 0;
    const result = retry(
      async () => {
        tries += 1;
        throw new Error(tries < 3 ? 'away' : 'broken');
      },
      {
        backoff: { initialMs: 60_000, maxMs: 60_000 },
        onFailure: (error, failure) => {
          seen.push(failure);
          if ((error as Error).message === 'broken') throw new Error('not worth waiting for');
          return 10;
        },
      },
    );
    const settled = result.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(20);
    expect(await settled).toEqual(new Error('not worth waiting for'));
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
  });

  it('ends the wait in progress when its signal aborts', async () => {
    const stop = new AbortController();
    let tries = 0;
    const result = retry(
      async () => {
        tries += 1;
        if (stop.signal.aborted) throw new Error('stopped');
        throw new Error('away');
      },
      { backoff: { initialMs: 60_000, maxMs: 60_000 }, signal: stop.signal, onFailure: (error) => { if ((error as Error).message === 'stopped') throw error; } },
    );
    const settled = result.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(0);
    stop.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(await settled).toEqual(new Error('stopped'));
    expect(tries).toBe(2);
  });
});
