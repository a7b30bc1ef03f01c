/**
 * The one building block of background work, like kafkajs' single retry module: an interruptible
 * wait (sleep, createWaker), a back-off (exponential, jitter, a cap, reset on success), a loop
 * runner (startLoop) and a retry of one step (retry). No Postgres, no Kafka: a LISTEN that comes
 * back by itself is libs/postgres' keepListening, built on this.
 */
export { backoffMs, createBackoff, type Backoff, type BackoffPolicy } from './backoff';
export { sleep } from './sleep';
export { createWaker, type Waker } from './waker';
export { startLoop, type Loop, type LoopOptions, type Next } from './start-loop';
export { retry, type RetryOptions } from './retry';
export type { BackgroundLogger, FailureLog } from './failure-streak';
