import type { Logger } from './logger';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits: 0 when it finished, 1 when it threw or took
 * longer than `timeoutMs` (the stop bounds its own steps, so that is a last resort, kept under the
 * 10 s an orchestrator waits before it sends SIGKILL). A second signal while stopping is ignored.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, timeoutMs = 9_500): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting', { timeoutMs });
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info('stopped'); // a step that was cut short said so above
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { err: error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
