/**
 * The web server's composition root: the configuration (validated, `--check-config` only checks
 * it), the pulse's consumer and read model, the HTTP server; on SIGTERM/SIGINT `/readyz` turns 503,
 * live streams end with `event: reconnect`, the port closes, the consumer leaves its group.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createLogger, kafkaCredentials, onShutdown } from '@webshop/service-kit';
import { readConfig, serviceUrls } from './config';
import { createWebApp } from './server/app';
import { startPulseFeed } from './server/pulse-feed';
import { createPulseModel } from './server/pulse-model';

function main(): void {
  const config = readConfig();
  if (process.argv.includes('--check-config')) {
    process.stdout.write('configuration ok\n');
    return;
  }
  const logger = createLogger({ service: 'web' }, config.LOG_LEVEL);
  // Bundled: dist/apps/web/main.js beside public/. From source: apps/web/src/main.ts, built into dist.
  const staticDir =
    config.STATIC_DIR ?? (existsSync(path.join(__dirname, 'public')) ? path.join(__dirname, 'public') : path.resolve(__dirname, '../../../dist/apps/web/public'));
  const model = createPulseModel(config.PULSE_EVENTS);
  const feed = startPulseFeed({ brokers: config.KAFKA_BROKERS, credentials: kafkaCredentials(config), topicPrefix: config.TOPIC_PREFIX, model, logger });
  const stopping = new AbortController();
  const urls = serviceUrls(config);
  const app = createWebApp({ urls, model, staticDir, logger, healthIntervalMs: config.HEALTH_INTERVAL_MS, ready: feed.ready, stopping: stopping.signal });
  const server = app.listen(config.PORT, () => logger.info('web listening', { port: config.PORT, services: urls }));
  server.on('error', (error) => {
    logger.error('web could not listen', { err: error, port: config.PORT });
    process.exit(1);
  });

  onShutdown(logger, async () => {
    stopping.abort();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Proxied streams (an order's updates) end when their sockets do.
      setTimeout(() => server.closeAllConnections(), 1_000).unref();
    });
    await feed.stop();
  });
}

try {
  main();
} catch (error) {
  process.stderr.write(`web failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
