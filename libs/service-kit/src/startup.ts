/**
 * Start-up that waits for its dependencies instead of dying: each step (reach Postgres and migrate,
 * reach Kafka and create the topics, join the consumer group) is tried until it passes, with
 * back-off, saying in the log and in /readyz what it waits for. One deadline bounds the whole wait
 * (STARTUP_TIMEOUT_MS); past it, start-up fails with an error that names the dependency. An error
 * that waiting cannot cure (a migration's SQL, a password refused, a bug) fails at once.
 */
import { retry } from '@webshop/background';
import { isRetriablePgError } from '@webshop/postgres';
import type { Logger } from './logger';

export class StartupTimedOut extends Error {
  override readonly name = 'StartupTimedOut';
}

export class StartupAborted extends Error {
  override readonly name = 'StartupAborted';
}

/** Connection trouble with Postgres or Kafka: worth waiting for. kafkajs names every error it raises KafkaJS…. */
export function isDependencyUnavailable(error: unknown): boolean {
  if (isRetriablePgError(error)) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.startsWith('KafkaJS');
}

export interface Startup {
  /** What start-up waits for right now, e.g. `postgres (connect ECONNREFUSED 127.0.0.1:5432)`; null once started. */
  readonly waitingFor: string | null;
  /** Runs `attempt` until it passes; `dependency` names what it needs ("postgres", "kafka"). */
  step<T>(dependency: string, attempt: () => Promise<T>): Promise<T>;
  done(): void;
}

export function createStartup({ logger, timeoutMs, signal }: { logger: Logger; timeoutMs: number; signal?: AbortSignal }): Startup {
  const deadline = Date.now() + timeoutMs;
  let waitingFor: string | null = 'start-up';
  return {
    get waitingFor() {
      return waitingFor;
    },
    async step(dependency, attempt) {
      waitingFor = dependency;
      return retry(
        async (tries) => {
          if (signal?.aborted) throw new StartupAborted(`stopped while waiting for ${dependency}`);
          const result = await attempt();
          if (tries > 1) logger.info(`${dependency} is available`, { dependency });
          return result;
        },
        {
          backoff: { initialMs: 250, maxMs: 5_000 },
          signal, // an abort ends the wait; the next try throws StartupAborted
          onFailure: (error, { attempt: failures, delayMs: proposedMs }) => {
            if (!isDependencyUnavailable(error)) throw error;
            const reason = error instanceof Error ? error.message : String(error);
            waitingFor = `${dependency} (${reason})`;
            if (Date.now() >= deadline) {
              throw new StartupTimedOut(`gave up waiting for ${dependency} after ${timeoutMs} ms (STARTUP_TIMEOUT_MS): ${reason}`);
            }
            const delayMs = Math.min(proposedMs, Math.max(0, deadline - Date.now()));
            logger[failures === 1 ? 'info' : 'debug'](`waiting for ${dependency}`, { dependency, reason, attempt: failures, delayMs });
            if (failures > 1 && failures % 10 === 0) logger.warn(`still waiting for ${dependency}`, { dependency, reason, attempt: failures });
            return delayMs;
          },
        },
      );
    },
    done() {
      waitingFor = null;
    },
  };
}
