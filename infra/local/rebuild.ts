/**
 * npm run rebuild -- <service>
 *
 * Rebuilds a stopped service's read models from the topics and compares them with the view they
 * replaced (libs/service-kit/src/rebuild.ts): runs the service's own main.ts with --rebuild, on the
 * database and broker `npm start` uses (the same variables: KAFKA_BROKERS, default the local broker
 * at 127.0.0.1:9192, and KAFKA_CREDENTIALS; DATABASE_URL or PG* for the server; DATABASE_PREFIX;
 * TOPIC_PREFIX), as the service's own role (its password: <NAME>_DB_PASSWORD, or the one npm start
 * keeps in SHOP_STATE_DIR) and, on a broker with SASL, as the service's own principal.
 * Exit codes: 0 the rebuilt view is the old one; 3 it differs (the old one is kept aside, the
 * report says where); 1 the rebuild failed or was refused (the service still runs, say); 2 usage.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { serviceDatabaseUrl } from '@webshop/postgres';
import { serviceNames, type ServiceName } from '@webshop/events';
import { toolKafkaOptions, type KafkaCredentials } from '@webshop/kafka';
import { serverUrlFromEnv } from '../postgres/create-databases';
import { keptDatabasePasswords } from './db-passwords';

const root = path.resolve(__dirname, '../..');

/** A service's Kafka variables for the broker and login the tools use. */
const kafkaEnv = ({ brokers, credentials }: { brokers: string[]; credentials?: KafkaCredentials }) => ({
  KAFKA_BROKERS: brokers.join(','),
  ...(credentials ? { KAFKA_USERNAME: credentials.username, KAFKA_PASSWORD: credentials.password } : {}),
});

function main(): void {
  const [service, ...rest] = process.argv.slice(2);
  if (!service || rest.length > 0 || !(serviceNames as readonly string[]).includes(service)) {
    process.stderr.write(`usage: npm run rebuild -- <service>   (one of: ${serviceNames.join(', ')})\n`);
    process.exit(2);
  }
  const name = service as ServiceName;
  const prefix = process.env['DATABASE_PREFIX'] ?? '';
  const state = process.env['SHOP_STATE_DIR'] ?? path.join(__dirname, '.state');
  const env = {
    ...process.env,
    TSX_TSCONFIG_PATH: 'tsconfig.base.json',
    ...kafkaEnv(toolKafkaOptions(process.env, name)),
    // As the service's own role, as the service runs: the rebuilt tables must be its own.
    DATABASE_URL: serviceDatabaseUrl(serverUrlFromEnv(), prefix + name, keptDatabasePasswords(state, prefix)[name]),
    // Read by email's configuration; a rebuild sends nothing.
    SMTP_URL: process.env['SMTP_URL'] ?? 'smtp://127.0.0.1:1025',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'apps', name, 'src/main.ts'), '--rebuild'], { cwd: root, env, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();
