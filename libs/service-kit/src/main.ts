import { createLogger } from './logger';
import { startService, type ServiceConfig, type ServiceDefinition } from './service';
import { onShutdown } from './shutdown';

/**
 * The whole of a service's `main.ts`: read and validate the configuration (failing with a message
 * that names each bad variable), start, and stop cleanly on SIGTERM/SIGINT.
 * `--check-config` only validates the configuration and says so (docker-compose.yml is tested so).
 */
export function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>, readConfig: () => C): void {
  const main = async () => {
    const config = readConfig();
    if (process.argv.includes('--check-config')) {
      process.stdout.write('configuration ok\n');
      return;
    }
    const logger = createLogger({ service: definition.name }, config.LOG_LEVEL);
    const service = await startService(definition, config, logger);
    onShutdown(logger, () => service.stop());
  };
  main().catch((error: unknown) => {
    process.stderr.write(`${definition.name} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
