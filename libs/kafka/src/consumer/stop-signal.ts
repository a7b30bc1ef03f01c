/**
 * The runner's one "stop" flag and the back-off pauses it interrupts. Several partitions may be in a
 * back-off at once (and a rejoin too): stopping ends every one of them, so a stop never waits out a
 * back-off of several seconds.
 */
export interface StopSignal {
  readonly requested: boolean;
  request(): void;
  /** A new start after a stop. */
  reset(): void;
  /** Resolves after `ms`, or at once when a stop is (or was already) requested. */
  pause(ms: number): Promise<void>;
}

/** Thrown by the record in hand when the runner stops: ends the batch without an error. */
export class StopRequested extends Error {}

export function createStopSignal(): StopSignal {
  let requested = false;
  const wakers = new Set<() => void>();
  return {
    get requested() {
      return requested;
    },
    request() {
      requested = true;
      for (const wake of [...wakers]) wake();
    },
    reset() {
      requested = false;
    },
    pause(ms) {
      return new Promise<void>((resolve) => {
        if (requested) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        }
        wakers.add(done);
      });
    },
  };
}
