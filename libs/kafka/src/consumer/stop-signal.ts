/**
 * The runner's one "stop" flag and the back-off pauses it interrupts. Several partitions may be in a
 * back-off at once (and a rejoin too): stopping ends every one of them, so a stop never waits out a
 * back-off of several seconds. The pause is the background lib's interruptible `sleep`.
 */
import { sleep } from '@webshop/background';

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
  let stop = new AbortController();
  return {
    get requested() {
      return stop.signal.aborted;
    },
    request() {
      stop.abort();
    },
    reset() {
      if (stop.signal.aborted) stop = new AbortController();
    },
    pause: (ms) => sleep(ms, stop.signal),
  };
}
