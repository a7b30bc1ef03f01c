import { createKafka } from '@webshop/kafka';
import { createPool } from '@webshop/postgres';
import { otlpEndpointOf, startTracing } from '@webshop/tracing';
import { createLogger } from './logger';
import { formatRebuildReport, rebuildProjections } from './rebuild';
import { startService, type ServiceConfig, type ServiceDefinition } from './service';
import { operatorAccess } from './operator-access';
import { onShutdown } from './shutdown';
import { StartupAborted } from './startup';
import { kafkaCredentials } from './config';

/**
 * The whole of a service's `main.ts`: read and validate the configuration (failing with a message
 * that names each bad variable), start (waiting for Postgres and Kafka, see service.ts), and stop
 * cleanly on SIGTERM/SIGINT, also while still starting. Exit codes: 0 after a clean stop, 1 when
 * the configuration is invalid, start-up gave up (STARTUP_TIMEOUT_MS) or failed, or the stop failed.
 * Tracing (libs/tracing) starts first: spans are exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set, and flushed at the stop.
 * `--check-config` only validates the configuration and says so (docker-compose.yml is tested so).
 * `--rebuild` rebuilds the read models of the stopped service from the topics and compares them
 * with the view they replaced (rebuild.ts): exit 0 when identical, 3 when they differ, 1 on failure.
 */
export function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>, readConfig: () => C): void {
  const main = async () => {
    const config = readConfig();
    if (process.argv.includes('--check-config')) {
      operatorAccess(config, { hasOperatorRoutes: definition.operatorRoutes === true }); // a service without its operator tokens would refuse to start: say so here too
      process.stdout.write('configuration ok\n');
      return;
    }
    if (process.argv.includes('--rebuild')) {
      process.exitCode = await rebuild(definition, config);
      return;
    }
    const logger = createLogger({ service: definition.name }, config.LOG_LEVEL);
    const tracing = await startTracing({ service: definition.name });
    if (tracing.recording) logger.info('tracing: spans are exported over OTLP', { endpoint: otlpEndpointOf(process.env) });
    const starting = new AbortController();
    let service: Awaited<ReturnType<typeof startService<C>>> | undefined;
    onShutdown(logger, async () => {
      starting.abort();
      await service?.stop();
      // The last spans, the stop's included; a collector that is away costs at most its time-out.
      await tracing.shutdown().catch((error: unknown) => logger.warn('tracing: the last spans could not be exported', { err: error }));
    });
    try {
      service = await startService(definition, config, logger, { signal: starting.signal });
    } catch (error) {
      if (error instanceof StartupAborted) return; // stopped while starting: onShutdown exits 0
      throw error;
    }
  };
  main().catch((error: unknown) => {
    process.stderr.write(`${definition.name} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

async function rebuild<C extends ServiceConfig>(definition: ServiceDefinition<C>, config: C): Promise<number> {
  const logger = createLogger({ service: definition.name }, config.LOG_LEVEL === 'silent' ? 'silent' : 'info');
  const pool = createPool(config.DATABASE_URL, { max: 4 });
  try {
    const kafka = createKafka({ clientId: `${definition.name}-rebuild`, brokers: config.KAFKA_BROKERS, logger, credentials: kafkaCredentials(config) });
    const report = await rebuildProjections(definition, { pool, kafka, topicPrefix: config.TOPIC_PREFIX, logger });
    process.stdout.write(`${formatRebuildReport(report)}\n`);
    return report.identical ? 0 : 3;
  } catch (error) {
    process.stderr.write(`${definition.name}: rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}
